"""督查督办 (zhengban/supervision): the items list, the board and statistics, exports, 催办
and its 催办通知单, the monthly bulletin.

The test item is opened by 督查室's clerk from the world's 内部 case (so it is 内部 too) for
the external 市教育局 as lead unit, and escalated twice (催办, 催办通知单). It is visible to
督查室, the leaders and the bureau's contact; the board and statistics are for the office's
people, never for an external contact or the three administrators."""

from . import ADMINS, FORBIDDEN, INVALID, LOGIN, METHOD, MISSING, OK, PAGE, REDIRECT, Row, expect

SEES_ITEM = ("clerk", "division_head", "office_leader", "city_leader", "external")
BOARD = expect(OK, anonymous=LOGIN, external=FORBIDDEN, **dict.fromkeys(ADMINS, FORBIDDEN))
POST_PAGE = expect(METHOD, anonymous=LOGIN)


def item_scope(allowed: str):
    table = {s: MISSING for s in expect(MISSING)}
    table.update({s: allowed for s in SEES_ITEM})
    table["anonymous"] = LOGIN
    return table


def item(w):
    """The world's supervision item (opened on first use, before any unsafe request)."""
    found = getattr(w, "_supervision_item", None)
    if found is None:
        from zhengban.supervision.choices import SourceKind
        from zhengban.supervision.services import item_escalate, open_item

        clerk = w.users["clerk"]
        found = open_item(
            actor=clerk,
            title="落实防汛物资储备",
            lead_unit=w.external_unit,
            source_kind=SourceKind.MEETING,
            source_label="市政府常务会议",
            parent=w.case,
        )
        item_escalate(case=found, actor=clerk)
        item_escalate(case=found, actor=clerk)
        w._supervision_item = found
        w._supervision_notice = found.events.get(action="supervision.notice").seq
    return found


def notice_url(w):
    case = item(w)
    return f"/supervision/items/{case.pk}/notices/{w._supervision_notice}.pdf"


ROWS = [
    Row("supervision:list", lambda w: f"/supervision/?light=red&x={item(w).pk}", get=PAGE),
    Row("supervision:export", lambda w: "/supervision/export.xlsx", get=PAGE),
    Row("supervision:board", lambda w: "/supervision/board/", get=BOARD),
    Row("supervision:statistics", lambda w: "/supervision/statistics/?group=source", get=BOARD),
    Row(
        "supervision:statistics_export",
        lambda w: "/supervision/statistics/export.xlsx?group=unit",
        get=BOARD,
    ),
    # POST drafts a 发文 (通报) when the 发文 flow is installed, else says to use the PDF:
    # a redirect either way for the office's people.
    Row(
        "supervision:bulletin",
        lambda w: "/supervision/bulletin/?month=2026-01",
        get=BOARD,
        unsafe=expect(
            REDIRECT, anonymous=LOGIN, external=FORBIDDEN, **dict.fromkeys(ADMINS, FORBIDDEN)
        ),
    ),
    # 催办 for those who see the item (refusals, e.g. the bureau's contact, are messages on
    # the case page); 404 for the rest.
    Row(
        "supervision:escalate",
        lambda w: f"/supervision/items/{item(w).pk}/escalate/",
        get=POST_PAGE,
        unsafe=item_scope(REDIRECT),
    ),
    Row("supervision:notice", notice_url, get=item_scope(OK)),
    # 添加办理节点: the empty POST lacks its date (400) for those who see the item.
    Row(
        "supervision:milestone_add",
        lambda w: f"/supervision/items/{item(w).pk}/milestones/",
        get=POST_PAGE,
        unsafe=item_scope(INVALID),
    ),
]
