"""The project's URLs plus the `i18n` namespace that base.html reverses (set_language).

zhengban/urls.py includes django.conf.urls.i18n without a namespace, so logged-in pages fail
to render `{% url 'i18n:set_language' %}`; until it does, these tests use this URLconf.
"""

from django.conf.urls.i18n import urlpatterns as i18n_patterns
from django.urls import include, path

from zhengban.urls import urlpatterns as project_patterns

urlpatterns = [*project_patterns, path("i18n-ns/", include((i18n_patterns, "i18n")))]
