from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.log, name="log"),
    path("<int:seq>/", views.detail, name="detail"),
    path("export/", views.export, name="export"),
    path("verify/", views.verify, name="verify"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
]

# Mounted under /api/audit/ by zhengban/urls.py.
api_urlpatterns = []
