from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar.ics", views.calendar_ics, name="calendar_ics"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("types/", views.types, name="types"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/notice/", views.notice, name="notice"),
    path("<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("<int:pk>/actions/<slug:code>/", views.meeting_act, name="act"),
    path("<int:pk>/agenda/new/", views.agenda_new, name="agenda_new"),
    path("<int:pk>/agenda/order/", views.agenda_order, name="agenda_order"),
    path(
        "<int:pk>/attendance/<int:attendance_pk>/",
        views.attendance_respond,
        name="attendance_respond",
    ),
    path("<int:pk>/minutes/", views.minutes_save, name="minutes_save"),
    path("<int:pk>/decisions/", views.decision_add, name="decision_add"),
    path(
        "<int:pk>/decisions/<int:decision_pk>/supervise/",
        views.decision_supervise,
        name="decision_supervise",
    ),
    path(
        "<int:pk>/decisions/<int:decision_pk>/delete/",
        views.decision_delete,
        name="decision_delete",
    ),
]

# Mounted under /api/meetings/ by zhengban/urls.py; the meeting and 议题 cases are served by
# the kernel's API (/api/cases/).
api_urlpatterns = []
