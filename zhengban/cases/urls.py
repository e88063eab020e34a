from django.urls import path

from . import api, views

app_name = "cases"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("export.xlsx", views.inbox_export, name="inbox_export"),
    path("new/", views.create, name="create"),
    path("search/", views.search, name="search"),
    path("types/", views.types, name="types"),
    path("types/<slug:case_type>/", views.workflow, name="workflow"),
    path("types/<slug:case_type>/diagram.svg", views.workflow_svg, name="workflow_svg"),
    path("delegations/", views.delegation_list, name="delegations"),
    path("phrases/", views.phrase_list, name="phrases"),
    path("delegations/<int:pk>/revoke/", views.delegation_revoke, name="delegation_revoke"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/actions/<slug:code>/", views.perform, name="perform"),
    path("<int:pk>/tasks/<int:task_pk>/opinion/", views.task_opinion, name="task_opinion"),
    path(
        "<int:pk>/assignments/<int:assignment_pk>/<slug:verb>/",
        views.assignment_act,
        name="assignment",
    ),
    path("<int:pk>/reports/<int:report_pk>/review/", views.report_review, name="report_review"),
    path("<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
]

# Mounted under /api/cases/ by zhengban/urls.py.
api_urlpatterns = [
    path("", api.CaseListCreate.as_view(), name="list"),
    path("<int:pk>/", api.CaseDetail.as_view(), name="detail"),
    path("<int:pk>/actions/<slug:code>/", api.CaseAction.as_view(), name="action"),
    path("<int:pk>/comments/", api.CaseComments.as_view(), name="comments"),
    path("<int:pk>/tasks/<int:task_pk>/opinion/", api.TaskOpinion.as_view(), name="task_opinion"),
    path(
        "<int:pk>/assignments/<int:assignment_pk>/<slug:verb>/",
        api.AssignmentAction.as_view(),
        name="assignment",
    ),
    path(
        "<int:pk>/reports/<int:report_pk>/review/",
        api.ReportReviewAction.as_view(),
        name="report_review",
    ),
    path("<int:pk>/attachments/", api.CaseAttachments.as_view(), name="attachments"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/download/",
        api.AttachmentDownload.as_view(),
        name="attachment_download",
    ),
]
