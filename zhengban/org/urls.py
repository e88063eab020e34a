from django.urls import path

from . import api, views

app_name = "org"

urlpatterns = [
    path("", views.chart, name="chart"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("staffing/", views.staffing, name="staffing"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("external/", views.external, name="external"),
    path("regulation/<int:pk>/", views.regulation, name="regulation"),
    path("regulation/load/", views.regulation_load, name="regulation_load"),
]

# Mounted under /api/org/ by zhengban/urls.py.
api_urlpatterns = api.router.urls
