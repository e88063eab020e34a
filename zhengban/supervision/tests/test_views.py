"""Pages: the list with its drill-down filters, the board and statistics with query counts
constant in the number of items, the exports, 催办 and the 催办通知单, the bulletin."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from zhengban.cases.models import CaseEvent
from zhengban.supervision import services
from zhengban.supervision.choices import Cadence, SourceKind
from zhengban.supervision.models import SupervisionItem


def later(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def open_items(office, n, *, unit=None, label="市政府第12次常务会议"):
    return [
        services.open_item(
            actor=office.clerk,
            title=f"督办事项{i}",
            lead_unit=unit or (office.bureau if i % 2 else office.nongjing),
            due_date=later(20 + i),
            source_kind=SourceKind.MEETING,
            source_label=label,
            cadence=Cadence.ONCE,
        )
        for i in range(n)
    ]


def make_overdue(case):
    overdue = timezone.localdate() - datetime.timedelta(days=3)
    type(case).objects.filter(pk=case.pk).update(due_date=overdue)
    SupervisionItem.objects.filter(case=case).update(due_date=overdue)


@pytest.fixture
def leader_client(client, office):
    client.force_login(office.leader)
    return client


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(captured), response


@pytest.mark.parametrize(
    "url",
    [
        "/supervision/board/",
        "/supervision/statistics/?group=unit",
        "/supervision/statistics/?group=source",
        "/supervision/statistics/?group=month",
        "/supervision/",
    ],
)
@pytest.mark.parametrize("who", ["leader", "clerk", "farmer"])  # clearance; the policy
def test_query_counts_do_not_grow_with_the_items(office, client, url, who):
    client.force_login(getattr(office, who))
    open_items(office, 2)
    small, _response = count_queries(client, url)
    items = open_items(office, 6, unit=office.wenjiao, label="张市长批示")
    make_overdue(items[0])
    services.item_escalate(case=items[1], actor=office.clerk)
    services.item_escalate(case=items[1], actor=office.clerk)
    services.item_escalate(case=items[1], actor=office.clerk)
    large, _response = count_queries(client, url)
    assert large == small, f"{url}: {small} queries with 2 items, {large} with 8"


def test_the_board_shows_red_and_flags_and_drills_down(office, leader_client):
    items = open_items(office, 3)
    make_overdue(items[0])
    for _ in range(3):
        services.item_escalate(case=items[0], actor=office.clerk)
    response = leader_client.get("/supervision/board/")
    html = response.content.decode()
    assert 'id="board-data"' in html and "vendor/echarts/dist/echarts.min.js" in html
    assert "supervision/board.js" in html
    assert response.context["summary"]["red"] == 1
    assert response.context["summary"]["flagged"] == 1
    assert [i.case_id for i in response.context["flags"]] == [items[0].pk]
    red = leader_client.get("/supervision/?light=red")
    assert [i.case_id for i in red.context["page"]] == [items[0].pk]
    assert 'data-light="red"' in red.content.decode()
    by_unit = leader_client.get(f"/supervision/?unit={office.bureau.pk}")
    assert {i.lead_unit_id for i in by_unit.context["page"]} == {office.bureau.pk}


def test_statistics_per_unit_source_and_period(office, leader_client):
    items = open_items(office, 4)
    make_overdue(items[1])
    rows = leader_client.get("/supervision/statistics/?group=unit").context["rows"]
    by_name = {r["label"]: r for r in rows}
    assert by_name["市交通运输局"]["items"] == 2 and by_name["市交通运输局"]["overdue"] == 1
    assert by_name["农经处"]["items"] == 2 and by_name["农经处"]["overdue"] == 0
    rows = leader_client.get("/supervision/statistics/?group=source").context["rows"]
    assert [(r["label"], r["items"]) for r in rows] == [("市政府第12次常务会议", 4)]
    tomorrow = later(1).isoformat()
    rows = leader_client.get(f"/supervision/statistics/?start={tomorrow}").context["rows"]
    assert rows == []


def test_bad_filters_are_400(office, leader_client):
    for url in (
        "/supervision/?light=purple",
        "/supervision/?unit=abc",
        "/supervision/?start=2026-13-01",
        "/supervision/statistics/?group=nonsense",
        "/supervision/statistics/?start=2026-05-01&end=2026-04-01",
        "/supervision/bulletin/?month=2026/05",
    ):
        assert leader_client.get(url).status_code == 400, url


def test_board_is_not_for_external_contacts_or_administrators(office, client):
    from zhengban.supervision.tests.conftest import make_user

    client.force_login(office.contact)
    assert client.get("/supervision/board/").status_code == 403
    assert client.get("/supervision/statistics/").status_code == 403
    admin = make_user("sysadmin", [office.duchashi], ["system_admin"])
    client.force_login(admin)
    assert client.get("/supervision/board/").status_code == 403


def test_the_contact_lists_only_the_bureaus_items(office, client):
    items = open_items(office, 4)
    client.force_login(office.contact)
    listed = {i.case_id for i in client.get("/supervision/").context["page"]}
    assert listed == {c.pk for c in items if c.supervision.lead_unit_id == office.bureau.pk}


def test_exports_are_excel_with_the_rows(office, leader_client):
    open_items(office, 3)
    response = leader_client.get("/supervision/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and len(rows) == 4
    response = leader_client.get("/supervision/statistics/export.xlsx?group=unit")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "统计对象" and {r[0] for r in rows[2:]} == {"市交通运输局", "农经处"}


def test_escalate_and_the_notice_pdf(office, client):
    case = open_items(office, 2)[1]  # the bureau's
    client.force_login(office.clerk)
    for _ in range(2):
        response = client.post(f"/supervision/items/{case.pk}/escalate/", {"message": "请加快"})
        assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, action="supervision.notice")
    pdf = client.get(f"/supervision/items/{case.pk}/notices/{event.seq}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The bureau it is addressed to reads it; another division does not see the item.
    client.force_login(office.contact)
    assert client.get(f"/supervision/items/{case.pk}/notices/{event.seq}.pdf").status_code == 200
    client.force_login(office.outsider)
    assert client.get(f"/supervision/items/{case.pk}/notices/{event.seq}.pdf").status_code == 404
    assert client.post(f"/supervision/items/{case.pk}/escalate/").status_code == 404


def test_the_case_page_shows_the_panel_and_the_tree(office, client):
    parent = open_items(office, 1)[0]
    child = services.open_item(
        actor=office.clerk,
        title="子事项：完成路段一",
        lead_unit=office.wenjiao,
        source_kind=SourceKind.MEETING,
        parent=parent,
    )
    client.force_login(office.clerk)
    html = client.get(f"/cases/{child.pk}/").content.decode()
    assert 'data-testid="supervision-panel"' in html
    assert 'data-testid="item-tree"' in html and parent.number in html
    assert 'data-testid="escalate"' in html


def test_the_bulletin_preview_and_pdf(office, leader_client):
    items = open_items(office, 2)
    make_overdue(items[0])
    month = timezone.localdate().strftime("%Y-%m")
    response = leader_client.get(f"/supervision/bulletin/?month={month}")
    content = response.context["content"]
    assert content["overdue_total"] == 1
    assert any(items[0].title in p for p in content["paragraphs"])
    pdf = leader_client.get(f"/supervision/bulletin/?month={month}&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_board_figures_are_cached_per_scope_and_day(office, leader_client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.SUPERVISION_STATS_CACHE_SECONDS = 60
    open_items(office, 2)
    cold, first = count_queries(leader_client, "/supervision/board/")
    warm, second = count_queries(leader_client, "/supervision/board/")
    assert warm < cold
    assert second.context["summary"]["items"] == first.context["summary"]["items"] == 2
    # Another scope (督查室 staff) computes its own figures.
    leader_client.force_login(office.clerk)
    _n, clerk = count_queries(leader_client, "/supervision/board/")
    assert clerk.context["summary"]["items"] == 2
    cache.clear()


def test_milestones_added_by_hand_drive_the_schedule(office, client):
    case = services.open_item(
        actor=office.clerk,
        title="按节点推进",
        lead_unit=office.bureau,
        due_date=later(60),
        source_kind=SourceKind.MANUAL,
        cadence=Cadence.MILESTONES,
        milestones=[(later(30), "完成设计")],
    )
    client.force_login(office.clerk)
    url = f"/supervision/items/{case.pk}/milestones/"
    response = client.post(url, {"due_date": later(10).isoformat(), "title": "完成招标"})
    assert response.status_code == 302
    item = SupervisionItem.objects.get(case=case)
    assert [m.title for m in item.milestones.all()] == ["完成招标", "完成设计"]
    assert item.next_report_due == later(10)
    assert client.post(url, {"due_date": "x", "title": "t"}).status_code == 400
    client.post(url, {"due_date": later(90).isoformat(), "title": "太晚"})
    assert item.milestones.count() == 2  # after the deadline: refused with a message
    client.force_login(office.contact)
    client.post(url, {"due_date": later(12).isoformat(), "title": "联络员不能设"})
    assert item.milestones.count() == 2


def test_the_bulletin_becomes_an_outgoing_draft(office, client):
    from zhengban.cases.casetypes import case_type_or_none

    if case_type_or_none("outgoing") is None:
        pytest.skip("the 发文 case type is not installed")
    items = open_items(office, 2)
    make_overdue(items[0])
    client.force_login(office.clerk)
    month = timezone.localdate().strftime("%Y-%m")
    response = client.post("/supervision/bulletin/", {"month": month})
    assert response.status_code == 302
    from zhengban.cases.models import Case

    draft = Case.objects.get(case_type="outgoing")
    assert draft.owner_unit == office.duchashi and draft.creator == office.clerk
    assert draft.outgoing.doc_type == "通报"
    assert "督查督办工作情况的通报" in draft.title and items[0].title in draft.body
