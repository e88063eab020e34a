from importlib import import_module

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from drf_spectacular.views import SpectacularRedocView as RedocView
from drf_spectacular.views import SpectacularSwaggerSplitView as SwaggerView

from . import views

# Each app exposes page routes as `urlpatterns` and API routes as `api_urlpatterns`.
APPS = [
    "accounts",
    "org",
    "audit",
    "workcalendar",
    "cases",
    "routing",
    "security",
    "documents",
    "classified",
    "supervision",
    "instructions",
    "approvals",
    "meetings",
]

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include(("django.conf.urls.i18n", "i18n"))),
    # No Django admin site: a superuser there would act outside 三员分立 and the audit chain.
    # Every write goes through the apps' own pages and services.
    # The schema and its two readers need a signed-in user; Swagger's init script is its own
    # request (SplitView), so no inline script meets the Content-Security-Policy.
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),  # SERVE_PERMISSIONS
    path("api/docs/", login_required(SwaggerView.as_view(url_name="api-schema")), name="api-docs"),
    path("api/redoc/", login_required(RedocView.as_view(url_name="api-schema")), name="api-redoc"),
]
for app in APPS:
    module = import_module(f"zhengban.{app}.urls")
    urlpatterns.append(path(f"{app}/", include((module.urlpatterns, app), namespace=app)))
    urlpatterns.append(
        path(f"api/{app}/", include((module.api_urlpatterns, app), namespace=f"api-{app}"))
    )
