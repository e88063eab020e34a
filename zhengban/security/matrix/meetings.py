"""Meetings (会议, issue 9): the meeting and its 议题 are kernel cases; the app's own pages
decide through `meetings/policies.py`.

The test office has no meeting types and no meetings, so: lists, the calendar and its .ics
export are open to the office's business users (each sees only what they may); scheduling,
leaders' activities and every page of a meeting are refused or not found; the meeting types
may be kept by the leaders (no organising division exists yet). The three administrators
hold no business (403) everywhere. The behaviour with meetings is in
`zhengban/meetings/tests/test_views.py`."""

from . import ADMINS, FORBIDDEN, LOGIN, METHOD, MISSING, OK, Row, expect

NOT_ADMINS = expect(OK, anonymous=LOGIN, **dict.fromkeys(ADMINS, FORBIDDEN))
NOBODY = expect(FORBIDDEN, anonymous=LOGIN)
NOT_FOUND = expect(MISSING, anonymous=LOGIN, **dict.fromkeys(ADMINS, FORBIDDEN))
POST_ONLY = expect(METHOD, anonymous=LOGIN)
LEADERS = expect(
    FORBIDDEN, anonymous=LOGIN, office_leader=OK, city_leader=OK
)  # an empty form shown again


def _meeting_post(name: str, suffix: str) -> Row:
    return Row(
        f"meetings:{name}",
        lambda w: f"/meetings/999999/{suffix}",
        get=POST_ONLY,
        unsafe=NOT_FOUND,
    )


ROWS = [
    Row("meetings:list", lambda w: "/meetings/", get=NOT_ADMINS),
    Row("meetings:new", lambda w: "/meetings/new/", get=NOBODY, unsafe=NOBODY),
    Row("meetings:calendar", lambda w: "/meetings/calendar/?view=week", get=NOT_ADMINS),
    Row("meetings:calendar_ics", lambda w: "/meetings/calendar.ics", get=NOT_ADMINS),
    Row("meetings:activity_new", lambda w: "/meetings/activities/new/", get=NOBODY, unsafe=NOBODY),
    Row(
        "meetings:activity_delete",
        lambda w: "/meetings/activities/999999/delete/",
        get=POST_ONLY,
        unsafe=NOT_FOUND,
    ),
    Row("meetings:types", lambda w: "/meetings/types/", get=NOT_ADMINS, unsafe=LEADERS),
    Row("meetings:detail", lambda w: "/meetings/999999/", get=NOT_FOUND),
    Row("meetings:edit", lambda w: "/meetings/999999/edit/", get=NOT_FOUND, unsafe=NOT_FOUND),
    Row("meetings:notice", lambda w: "/meetings/999999/notice/", get=NOT_FOUND),
    Row("meetings:notice_pdf", lambda w: "/meetings/999999/notice.pdf", get=NOT_FOUND),
    Row(
        "meetings:act",
        lambda w: "/meetings/999999/actions/issue_notice/",
        get=POST_ONLY,
        unsafe=NOT_FOUND,
    ),
    Row(
        "meetings:agenda_new",
        lambda w: "/meetings/999999/agenda/new/",
        get=NOT_FOUND,
        unsafe=NOT_FOUND,
    ),
    _meeting_post("agenda_order", "agenda/order/"),
    _meeting_post("attendance_respond", "attendance/999999/"),
    _meeting_post("minutes_save", "minutes/"),
    _meeting_post("decision_add", "decisions/"),
    _meeting_post("decision_supervise", "decisions/999999/supervise/"),
    _meeting_post("decision_delete", "decisions/999999/delete/"),
]
