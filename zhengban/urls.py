from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import views

# Each app exposes page routes as `urlpatterns` and API routes as `api_urlpatterns`.
APPS = ["accounts", "org", "audit", "workcalendar", "cases", "routing", "security", "documents"]

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include(("django.conf.urls.i18n", "i18n"))),
    path("django-admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
for app in APPS:
    module = import_module(f"zhengban.{app}.urls")
    urlpatterns.append(path(f"{app}/", include((module.urlpatterns, app), namespace=app)))
    urlpatterns.append(
        path(f"api/{app}/", include((module.api_urlpatterns, app), namespace=f"api-{app}"))
    )
