"""The case kernel, as its URLs exist now (the kernel is being reworked: its owner adds and
updates these rows with it).

The test case is 内部, owned by 督查室 (the clerk created it), in handling with 农经处 as
lead unit. Visibility is the kernel's one policy (`cases.policies`): the owner unit, the
lead unit, the creator and the leaders see it; another unit, an external contact without
an assignment, a lower clearance and the three administrators get 404 (nothing revealed).
"""

from . import ADMINS, FORBIDDEN, INVALID, LOGIN, METHOD, MISSING, OK, PAGE, REDIRECT, Row, expect

SEES_CASE = ("clerk", "division_head", "staff", "office_leader", "city_leader")


def case_scope(allowed: str, *, anonymous: str = LOGIN, denied: str = MISSING):
    table = {s: denied for s in expect(denied)}
    table.update({s: allowed for s in SEES_CASE})
    table["anonymous"] = anonymous
    return table


CASE_PAGE = case_scope(OK)
CASE_API = case_scope(OK, anonymous="403")
# POST-only pages: GET is 405 for the signed-in (require_POST inside login_required).
POST_PAGE = expect(METHOD, anonymous=LOGIN)
# DRF answers a wrong method before it looks the case up: 405 reveals nothing.
POST_API = expect(METHOD, anonymous="403")
NOT_ADMINS = expect(OK, anonymous=LOGIN, **dict.fromkeys(ADMINS, FORBIDDEN))

ROWS = [
    Row("cases:inbox", lambda w: "/cases/", get=PAGE),
    # The three administrators manage the system, not its business: they create no cases.
    Row("cases:create", lambda w: "/cases/new/", get=NOT_ADMINS, unsafe=NOT_ADMINS),
    # The inbox tab as Excel: the user's own rows (an administrator's file is empty).
    Row("cases:inbox_export", lambda w: "/cases/export.xlsx", get=PAGE),
    Row("cases:search", lambda w: "/cases/search/?q=防汛", get=PAGE),
    Row("cases:types", lambda w: "/cases/types/", get=PAGE),
    Row("cases:workflow", lambda w: "/cases/types/assigned_task/", get=PAGE),
    Row("cases:workflow_svg", lambda w: "/cases/types/assigned_task/diagram.svg", get=PAGE),
    Row("cases:delegations", lambda w: "/cases/delegations/", get=PAGE),
    # 常用意见: one's own; the administrators hold no business and keep none.
    Row(
        "cases:phrases",
        lambda w: "/cases/phrases/",
        get=NOT_ADMINS,
        unsafe=expect(REDIRECT, anonymous=LOGIN, **dict.fromkeys(ADMINS, FORBIDDEN)),
    ),
    Row(
        "cases:delegation_revoke",
        lambda w: "/cases/delegations/999999/revoke/",
        get=POST_PAGE,
        unsafe=expect(MISSING, anonymous=LOGIN),
    ),
    Row("cases:notifications", lambda w: "/cases/notifications/", get=PAGE),
    Row(
        "cases:notifications_read_all",
        lambda w: "/cases/notifications/read-all/",
        get=POST_PAGE,
        unsafe=expect(REDIRECT, anonymous=LOGIN),
    ),
    Row(
        "cases:notification_open",
        lambda w: "/cases/notifications/999999/",
        get=expect(MISSING, anonymous=LOGIN),
    ),
    Row("cases:detail", lambda w: f"/cases/{w.case.pk}/", get=CASE_PAGE),
    # 修改: the case is in handling, where nothing is editable: 403 for those who see it.
    Row(
        "cases:edit",
        lambda w: f"/cases/{w.case.pk}/edit/",
        get=case_scope(FORBIDDEN),
        unsafe=case_scope(FORBIDDEN),
    ),
    Row(
        "cases:perform",
        lambda w: f"/cases/{w.case.pk}/actions/extend/",
        get=POST_PAGE,
        unsafe=case_scope(REDIRECT),
    ),
    Row(
        "cases:task_opinion",
        lambda w: f"/cases/{w.case.pk}/tasks/{w.task.pk}/opinion/",
        get=POST_PAGE,
        unsafe=case_scope(REDIRECT),
    ),
    Row(
        "cases:assignment",
        lambda w: f"/cases/{w.case.pk}/assignments/{w.assignment.pk}/report/",
        get=POST_PAGE,
        unsafe=case_scope(REDIRECT),
    ),
    Row(  # the world's case has no report: whoever sees the case finds no such report
        "cases:report_review",
        lambda w: f"/cases/{w.case.pk}/reports/2147483647/review/",
        get=POST_PAGE,
        unsafe=case_scope(MISSING),
    ),
    Row(
        "cases:comment_add",
        lambda w: f"/cases/{w.case.pk}/comments/",
        get=POST_PAGE,
        unsafe=case_scope(REDIRECT),
    ),
    Row(
        "cases:attachment_add",
        lambda w: f"/cases/{w.case.pk}/attachments/",
        get=POST_PAGE,
        unsafe=case_scope(REDIRECT),
    ),
    Row(
        "cases:attachment_download",
        lambda w: f"/cases/{w.case.pk}/attachments/{w.attachment.pk}/",
        get=CASE_PAGE,
    ),
    Row(
        "api-cases:list",
        lambda w: "/api/cases/",
        get=expect(OK, anonymous="403"),
        unsafe=expect(INVALID, anonymous="403"),
        json=True,
    ),
    Row("api-cases:detail", lambda w: f"/api/cases/{w.case.pk}/", get=CASE_API),
    Row(
        "api-cases:action",
        lambda w: f"/api/cases/{w.case.pk}/actions/extend/",
        get=POST_API,
        unsafe=case_scope(INVALID, anonymous="403"),
        json=True,
    ),
    Row(
        "api-cases:comments",
        lambda w: f"/api/cases/{w.case.pk}/comments/",
        get=CASE_API,
        unsafe=case_scope(INVALID, anonymous="403"),
        json=True,
    ),
    Row(
        "api-cases:task_opinion",
        lambda w: f"/api/cases/{w.case.pk}/tasks/{w.task.pk}/opinion/",
        get=POST_API,
        unsafe=case_scope(INVALID, anonymous="403"),
        json=True,
    ),
    Row(
        "api-cases:assignment",
        lambda w: f"/api/cases/{w.case.pk}/assignments/{w.assignment.pk}/report/",
        get=POST_API,
        unsafe=case_scope(INVALID, anonymous="403"),
        json=True,
    ),
    Row(
        "api-cases:report_review",
        lambda w: f"/api/cases/{w.case.pk}/reports/2147483647/review/",
        get=POST_API,
        unsafe=case_scope(MISSING, anonymous="403"),
        json=True,
    ),
    Row(
        "api-cases:attachments",
        lambda w: f"/api/cases/{w.case.pk}/attachments/",
        get=CASE_API,
        unsafe=case_scope(INVALID, anonymous="403"),
    ),
    Row(
        "api-cases:attachment_download",
        lambda w: f"/api/cases/{w.case.pk}/attachments/{w.attachment.pk}/download/",
        get=CASE_API,
    ),
]
