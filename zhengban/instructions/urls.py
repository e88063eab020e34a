from django.urls import path

from . import views

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("export.xlsx", views.ledger_export, name="ledger_export"),
    path("new/", views.record, name="record"),
    path("<int:pk>/", views.detail, name="detail"),
    path("cases/<int:case_pk>/give/", views.give, name="give"),
]
api_urlpatterns: list = []
