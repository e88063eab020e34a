from django.urls import path

from . import api, views

app_name = "workcalendar"

urlpatterns = [
    path("", views.index, name="index"),
]

# Mounted under /api/workcalendar/ by zhengban/urls.py.
api_urlpatterns = [
    path("rules/", api.RuleList.as_view(), name="rules"),
    path("add-workdays/", api.AddWorkdays.as_view(), name="add-workdays"),
]
