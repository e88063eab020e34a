"""The project's URLs, plus the `i18n` namespace base.html reverses ('i18n:set_language'),
which zhengban/urls.py does not declare yet. Drop this file once it does."""

from django.urls import include, path

from zhengban import urls as project

urlpatterns = list(project.urlpatterns)
if not any(getattr(p, "namespace", None) == "i18n" for p in urlpatterns):
    urlpatterns.append(path("i18n/", include(("django.conf.urls.i18n", "i18n"))))
