from django.urls import path

from . import api, views

app_name = "workcalendar"

urlpatterns = [
    path("", views.index, name="index"),
    path("manage/", views.manage, name="manage"),
    path("manage/overrides/", views.override_set, name="override_set"),
    path("manage/overrides/<int:pk>/delete/", views.override_delete, name="override_delete"),
    path("manage/years/", views.year_set, name="year_set"),
]

# Mounted under /api/workcalendar/ by zhengban/urls.py.
api_urlpatterns = [
    path("rules/", api.RuleList.as_view(), name="rules"),
    path("add-workdays/", api.AddWorkdays.as_view(), name="add-workdays"),
]
