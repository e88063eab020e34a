from django.urls import path

from . import api, views

app_name = "classified"

urlpatterns = [
    path("", views.record_list, name="list"),
    path("new/", views.record_create, name="create"),
    path("<int:pk>/", views.record_detail, name="detail"),
    path("<int:pk>/edit/", views.record_edit, name="edit"),
    path("<int:pk>/circulate/", views.circulate, name="circulate"),
    path(
        "<int:pk>/circulations/<int:circulation_pk>/return/",
        views.circulation_return,
        name="circulation_return",
    ),
    path("<int:pk>/return/", views.record_return, name="return"),
    path("<int:pk>/destruction/", views.destruction_request, name="destruction_request"),
    path(
        "<int:pk>/destruction/<int:request_pk>/decide/",
        views.destruction_decide,
        name="destruction_decide",
    ),
    path("<int:pk>/destroyed/", views.record_destroyed, name="destroyed"),
]

# Mounted under /api/classified/ by zhengban/urls.py.
api_urlpatterns = [
    path("", api.RecordList.as_view(), name="list"),
]
