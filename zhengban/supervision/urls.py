from django.urls import path

from . import views

urlpatterns = [
    path("", views.item_list, name="list"),
    path("export.xlsx", views.item_export, name="export"),
    path("board/", views.board, name="board"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export.xlsx", views.statistics_export, name="statistics_export"),
    path("bulletin/", views.bulletin_page, name="bulletin"),
    path("items/<int:pk>/escalate/", views.escalate, name="escalate"),
    path("items/<int:pk>/notices/<int:seq>.pdf", views.notice, name="notice"),
    path("items/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
]
api_urlpatterns: list = []
