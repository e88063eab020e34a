"""The item's copies of its case's due date and closed flag (read by the board and the
statistics without joining the cases) follow the case: 交办, an approved extension (in the
kernel's write, through the type's sync_case; the daily sweep repairs older rows), 办结 and
撤销; and meeting decisions are owned by 督查室."""

import datetime

import pytest
from django.utils import timezone

from zhengban.cases.assignments import assignment_extension_request, extension_decide
from zhengban.cases.attachments import attachment_add
from zhengban.cases.choices import TaskKind
from zhengban.cases.models import Task
from zhengban.supervision import selectors, services
from zhengban.supervision.choices import Light, SourceKind
from zhengban.supervision.models import SupervisionItem

from .test_workflow import item_for_bureau, later, lead, pdf, perform


@pytest.fixture
def storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"


def facts(case):
    item = SupervisionItem.objects.get(case=case)
    return item.due_date, item.closed


def extend(office, case, new_due):
    assignment_extension_request(
        assignment=lead(case), actor=office.contact, new_due=new_due, reason="需补充检测"
    )
    task = Task.objects.get(case=case, kind=TaskKind.EXTENSION, state="open")
    extension_decide(task=task, actor=office.leader, approve=True, reason="同意")
    case.refresh_from_db()
    assert case.due_date >= new_due - datetime.timedelta(days=3)


def test_assign_copies_the_due_date_and_an_extension_reaches_the_item_at_once(office, client):
    case = item_for_bureau(office, due_date=later(30))
    first = case.due_date
    assert first is not None and facts(case) == (first, False)
    extend(office, case, later(50))
    # The kernel moved the date on its own; the type's sync_case copied it in that write.
    assert facts(case) == (case.due_date, False) and case.due_date > first
    # Reading the item's page writes nothing.
    client.force_login(office.clerk)
    SupervisionItem.objects.filter(case=case).update(due_date=first)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert facts(case) == (first, False)
    SupervisionItem.objects.filter(case=case).update(due_date=case.due_date)
    # The statistics read the item: the extended date is what the light counts.
    SupervisionItem.objects.filter(case=case).update(next_report_due=None)
    window = selectors.Window(timezone.localdate(), later(40))
    counts = selectors.totals(SupervisionItem.objects.filter(case=case), window)
    assert (counts["yellow"], counts["red"], counts["items"]) == (0, 0, 1)


def test_the_daily_sweep_repairs_a_stale_due_date_and_closing(office):
    moved = item_for_bureau(office, due_date=later(30))
    extend(office, moved, later(45))
    SupervisionItem.objects.filter(case=moved).update(due_date=later(30))  # written before sync
    closed = item_for_bureau(office, due_date=later(20))
    type(closed).objects.filter(pk=closed.pk).update(closed=True, closed_at=timezone.now())
    result = services.supervision_tick()
    assert result["updated"] >= 2
    moved.refresh_from_db()
    assert facts(moved) == (moved.due_date, False) and moved.due_date >= later(43)
    assert facts(closed)[1] is True


def test_an_overdue_item_is_red_until_it_closes_then_done(office, storage):

    case = item_for_bureau(office, due_date=later(30))
    past = timezone.localdate() - datetime.timedelta(days=2)
    type(case).objects.filter(pk=case.pk).update(due_date=past)
    services.supervision_tick()
    window = selectors.Window.now()
    assert selectors.totals(SupervisionItem.objects.all(), window)["overdue"] == 1
    attachment_add(case=case, actor=office.contact, uploaded_file=pdf())
    perform(case, "complete", office.contact, params={"report": "已完成"})
    assert facts(case) == (past, False)
    perform(case, "accept", office.clerk)
    case.refresh_from_db()
    assert facts(case) == (case.due_date, True)  # whatever the kernel's closing wrote
    item = SupervisionItem.objects.get(case=case)
    assert item.on_time is False and selectors.light_of(item) == Light.DONE
    counts = selectors.totals(SupervisionItem.objects.all(), window)
    assert (counts["done"], counts["overdue"], counts["red"]) == (1, 0, 0)


def test_cancelling_closes_the_item(office):
    case = item_for_bureau(office)
    perform(case, "cancel", office.head, comment="会议决定不再督办")
    assert facts(case)[1] is True


def test_a_meeting_decision_is_owned_by_the_supervision_office(office):
    """A division's staff organised the meeting; the item is 督查室's, the organiser its
    creator who takes the 交办 step."""
    case = services.open_item(
        actor=office.farmer,
        title="推进高标准农田建设",
        lead_unit=office.bureau,
        due_date=later(30),
        source_kind=SourceKind.MEETING,
        source_label="市政府第12次常务会议",
    )
    assert case.owner_unit == office.duchashi
    assert case.creator == office.farmer and case.state == "handling"
    # Not from a meeting: the division's own item, as before.
    own = services.open_item(
        actor=office.farmer,
        title="处室自办事项",
        lead_unit=office.bureau,
        source_kind=SourceKind.INSTRUCTION,
    )
    assert own.owner_unit == office.nongjing
    # A supervising unit named by the caller owns it, even if the actor is not its member.
    named = services.open_item(
        actor=office.farmer,
        title="文教处督办",
        lead_unit=office.bureau,
        source_kind=SourceKind.INSTRUCTION,
        supervisor_unit=office.wenjiao,
    )
    assert named.owner_unit == office.wenjiao
