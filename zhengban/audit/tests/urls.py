"""Project URLs plus an `i18n` namespace, for as long as zhengban/urls.py includes
django.conf.urls.i18n without one: base.html reverses 'i18n:set_language', so no logged-in
page renders without it. conftest.py switches to this URLconf only while that is so."""

from django.conf.urls.i18n import urlpatterns as language_patterns
from django.urls import include, path

from zhengban.urls import urlpatterns as project_patterns

urlpatterns = [*project_patterns, path("i18n-audit/", include((language_patterns, "i18n")))]
