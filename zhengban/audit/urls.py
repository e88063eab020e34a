from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.log, name="log"),
    path("<int:seq>/", views.detail, name="detail"),
    path("export/", views.export, name="export"),
    path("verify/", views.verify, name="verify"),
]

# Mounted under /api/audit/ by zhengban/urls.py.
api_urlpatterns = []
