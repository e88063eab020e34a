from django.urls import path

from . import api, views

app_name = "routing"

urlpatterns = [
    path("", views.ask, name="ask"),
    path("suggest/", views.suggest, name="suggest"),
    path("confirm/", views.confirm, name="confirm"),
    path("corrections/<int:pk>/undo/", views.undo, name="undo"),
]

# Mounted under /api/routing/ by zhengban/urls.py.
api_urlpatterns = [
    path("route/", api.RouteView.as_view(), name="route"),
    path("confirm/", api.ConfirmView.as_view(), name="confirm"),
]
