"""`zhengban tick`: reminders before the due date, escalation after it, on the working-day
calendar; idempotent; paused and closed cases left alone; bounded queries per batch."""

import datetime
import io
from collections import defaultdict

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengban.accounts.choices import Clearance, Role
from zhengban.accounts.models import User
from zhengban.accounts.services import user_create
from zhengban.audit.models import AuditRecord
from zhengban.cases import services
from zhengban.cases.models import Assignment, Case, CaseEvent, Notification
from zhengban.cases.reminders import tick
from zhengban.cases.tasks import tick_task

D = datetime.date
WED = D(2025, 3, 12)  # an ordinary week: Mon 10 … Fri 14, Mon 17 …


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CASES_REMIND_WORKDAYS = 3
    settings.CASES_ESCALATE_LEADER_WORKDAYS = 5


def person(name, units=(), roles=(), head_of=(), clearance=Clearance.INTERNAL, email=""):
    user = user_create(
        username=name,
        password="x",
        display_name=name,
        roles=tuple(roles),
        units=tuple(units),
        head_of=tuple(head_of),
        clearance=clearance,
        validate_password=False,
    )
    if email:
        User.objects.filter(pk=user.pk).update(email=email)
    return user


@pytest.fixture
def nongjing_head(office):
    return person("nongjing_head", [office.nongjing], [Role.DIVISION_HEAD], [office.nongjing])


def perform(case, code, actor, **kwargs):
    case.refresh_from_db()
    return services.case_perform(
        case=case, action_code=code, actor=actor, version=case.version, **kwargs
    )


def handling(office, due=WED, lead=None, co=None, title="关于做好今冬明春农村饮水安全工作的通知"):
    """A 交办事项 in handling (lead 农经处, co 文教处 by default), due on `due`."""
    case = services.case_create(
        case_type="assigned_task",
        title=title,
        body="请抓好落实。",
        owner_unit=office.duchashi,
        actor=office.clerk,
        sensitivity=Clearance.INTERNAL,
    )
    perform(case, "submit", office.clerk)
    params = {
        "lead_unit": lead or office.nongjing,
        "co_units": [office.wenjiao] if co is None else co,
    }
    case = perform(case, "assign", office.head, params=params)
    set_due(case, due)
    return case


def set_due(case, due):
    Case.objects.filter(pk=case.pk).update(due_date=due)
    Assignment.objects.filter(case=case).update(due_date=due)
    case.refresh_from_db()


def sent(case) -> dict[str, set[str]]:
    """stage -> usernames notified by the sweep for this case."""
    by_stage = defaultdict(set)
    rows = Notification.objects.filter(case=case, dedupe_key__startswith="remind:")
    for key, username in rows.values_list("dedupe_key", "recipient__username"):
        by_stage[key.split(":")[2]].add(username)
    return dict(by_stage)


def reminder(case, user) -> Notification:
    return Notification.objects.get(case=case, recipient=user, dedupe_key__startswith="remind:")


def test_due_soon_reminds_the_holder_and_the_assigned_units(office, nongjing_head):
    case = handling(office)
    result = tick(today=D(2025, 3, 7))  # Friday; Mon, Tue, Wed = 3 working days
    assert sent(case) == {"soon": {"clerk", "farmer", "nongjing_head", "teacher"}}
    note = reminder(case, office.farmer)
    assert note.kind == "reminder"
    assert note.message == (
        f"【临期提醒】{case.number}《{case.title}》将于2025年3月12日到期（还有3个工作日），"
        "请抓紧办理。"
    )
    event = CaseEvent.objects.get(case=case, action="reminder")
    assert event.data["stage"] == "soon" and event.data["level"] == 1
    assert event.actor is None
    assert (result.stages["soon"], result.notifications, result.events) == (1, 4, 1)


def test_outside_the_window_counted_in_working_days_nothing_is_sent(office):
    case = handling(office, due=D(2025, 3, 13))  # Thursday: 4 working days after Friday
    assert tick(today=D(2025, 3, 7)).notifications == 0
    assert sent(case) == {}


def test_spring_festival_holiday_is_not_counted(office):
    # 2025-01-27 is the last working day before the holiday (1-28 … 2-4). A case due 2-7
    # is 11 calendar days away but only 3 working days (2-5, 2-6, 2-7): due soon.
    soon = handling(office, due=D(2025, 2, 7))
    later = handling(office, due=D(2025, 2, 8), title="节后第四个工作日（调休上班）到期")
    tick(today=D(2025, 1, 27))
    assert set(sent(soon)) == {"soon"}
    assert sent(later) == {}


def test_due_today(office):
    case = handling(office)
    tick(today=WED)
    assert set(sent(case)) == {"today"}
    text = reminder(case, office.clerk).message
    assert text.endswith("将于今日（2025年3月12日）到期，请抓紧办理。")


def test_overdue_escalates_to_the_heads_of_the_owner_and_lead_units(office, nongjing_head):
    case = handling(office)
    result = tick(today=D(2025, 3, 14))  # two working days late
    assert sent(case) == {
        "overdue": {"clerk", "farmer", "teacher", "head", "nongjing_head"},
    }
    note = reminder(case, office.head)
    assert note.kind == "overdue"
    assert "【逾期催办】" in note.message and "已逾期2个工作日" in note.message
    event = CaseEvent.objects.get(case=case, action="escalation")
    assert (event.data["level"], event.data["workdays"]) == (2, 2)
    assert result.stages == {"overdue": 1}


def test_leaders_only_beyond_the_threshold(office):
    case = handling(office)
    tick(today=D(2025, 3, 19))  # 5 working days late: not beyond 5
    assert "leader" not in sent(case)
    tick(today=D(2025, 3, 20))  # 6 working days late
    assert sent(case)["leader"] == {"leader", "deputy", "deputy2"}
    escalations = CaseEvent.objects.filter(case=case, action="escalation").order_by("seq")
    assert [e.data["level"] for e in escalations] == [2, 3]
    assert "超过5个工作日，报请领导督办" in reminder(case, office.leader).message


def test_first_seen_long_overdue_gets_both_escalations(office):
    case = handling(office)
    tick(today=D(2025, 4, 1))
    assert set(sent(case)) == {"overdue", "leader"}


def test_overdue_since_a_rest_day_does_not_say_zero_days(office):
    case = handling(office, due=D(2025, 3, 14))  # Friday
    tick(today=D(2025, 3, 15))
    note = reminder(case, office.clerk)
    assert "已逾期（办理期限2025年3月14日）" in note.message


def test_second_run_notifies_nobody_twice_and_audits_once_per_run(
    office, nongjing_head, django_capture_on_commit_callbacks
):
    for user, address in ((office.clerk, "clerk@zf.gov.cn"), (office.head, "head@zf.gov.cn")):
        User.objects.filter(pk=user.pk).update(email=address)
    handling(office)
    handling(office, title="第二件")
    with django_capture_on_commit_callbacks(execute=True):
        first = tick(today=D(2025, 3, 14))
    assert first.notifications == 10 and first.emails == 4
    assert sorted(m.to[0] for m in mail.outbox) == ["clerk@zf.gov.cn"] * 2 + ["head@zf.gov.cn"] * 2
    assert mail.outbox[0].subject.startswith("[政办] 【逾期催办】")
    with django_capture_on_commit_callbacks(execute=True):
        second = tick(today=D(2025, 3, 14))
        third = tick(today=D(2025, 3, 17))  # still overdue the next working day
    assert (second.notifications, second.events, second.emails) == (0, 0, 0)
    assert (third.notifications, third.events) == (0, 0)
    assert len(mail.outbox) == 4
    assert Notification.objects.filter(dedupe_key__startswith="remind:").count() == 10
    assert CaseEvent.objects.filter(action="escalation").count() == 2
    runs = AuditRecord.objects.filter(action="cases.tick")
    assert runs.count() == 3
    assert runs.order_by("seq").first().changes["notifications"] == 10
    # The events themselves are not audited one by one.
    assert not AuditRecord.objects.filter(action__in=["cases.reminder", "cases.escalation"])


def test_each_stage_once_per_due_date_and_again_after_an_extension(office):
    case = handling(office)
    tick(today=D(2025, 3, 7))
    tick(today=D(2025, 3, 10))
    tick(today=WED)
    assert set(sent(case)) == {"soon", "today"}
    assert CaseEvent.objects.filter(case=case, action="reminder").count() == 2
    case = perform(case, "extend", office.leader, comment="工作量大")
    set_due(case, D(2025, 3, 19))
    tick(today=D(2025, 3, 14))
    keys = set(Notification.objects.filter(case=case).values_list("dedupe_key", flat=True))
    assert f"remind:{case.pk}:soon:2025-03-19" in keys


def test_paused_and_closed_cases_are_not_reminded(office):
    paused = handling(office)
    perform(paused, "pause", office.head, params={"reason": "third_party"}, comment="征求意见")
    paused.refresh_from_db()
    assert paused.deadline_state == "paused"
    set_due(paused, WED)  # the stored date stays; only the running clock is swept
    cancelled = handling(office, title="已撤销")
    perform(cancelled, "cancel", office.head, comment="不再办理")
    set_due(cancelled, WED)
    result = tick(today=D(2025, 3, 20))
    assert result.scanned == 0 and result.notifications == 0
    assert sent(paused) == {} and sent(cancelled) == {}


def test_an_assignment_due_earlier_than_the_case_is_reminded_on_its_own_date(office):
    case = handling(office, due=D(2025, 3, 28))
    Assignment.objects.filter(case=case, unit=office.wenjiao).update(due_date=WED)
    result = tick(today=D(2025, 3, 10))
    assert sent(case) == {"soon": {"teacher"}}
    assert f"remind:{case.pk}:soon:2025-03-12" in set(
        Notification.objects.values_list("dedupe_key", flat=True)
    )
    assert result.scanned == 1


def test_handling_task_holders_are_reminded(office):
    case = handling(office, co=[])
    case = services.case_transfer(
        case=case, actor=office.clerk, version=case.version, to_user=office.head, reason="请阅处"
    )
    tick(today=WED)
    assert sent(case) == {"today": {"head", "farmer"}}


def test_only_people_who_may_read_the_case_are_notified(office, nongjing_head):
    person("nongjing_public", [office.nongjing], [Role.STAFF], clearance=Clearance.PUBLIC)
    person("nongjing_admin", [office.nongjing], [Role.SYSTEM_ADMIN])
    retired = person("nongjing_retired", [office.nongjing], [Role.STAFF])
    User.objects.filter(pk=retired.pk).update(is_active=False)
    case = handling(office, co=[])
    tick(today=WED)
    assert sent(case) == {"today": {"clerk", "farmer", "nongjing_head"}}


def test_unit_contacts_stand_for_their_unit(office):
    person("edu_contact", [office.education], [Role.UNIT_CONTACT])
    person("edu_staff", [office.education], [Role.STAFF])
    case = handling(office, lead=office.education, co=[])
    tick(today=WED)
    assert sent(case) == {"today": {"clerk", "edu_contact"}}


def test_dry_run_counts_but_writes_and_sends_nothing(office, django_capture_on_commit_callbacks):
    User.objects.filter(pk=office.clerk.pk).update(email="clerk@zf.gov.cn")
    handling(office)
    with django_capture_on_commit_callbacks(execute=True):
        result = tick(today=WED, dry_run=True)
    assert result.stages == {"today": 1} and result.notifications == 3
    assert result.emails == 0 and mail.outbox == []
    assert not Notification.objects.filter(dedupe_key__startswith="remind:").exists()
    assert not CaseEvent.objects.filter(action="reminder").exists()
    assert not AuditRecord.objects.filter(action="cases.tick").exists()


def test_queries_per_batch_do_not_grow_with_the_number_of_cases(office, nongjing_head):
    def run(count, today):
        cases = [handling(office, title=f"事项{today}-{i}") for i in range(count)]
        for case in cases:
            set_due(case, WED)
        with CaptureQueriesContext(connection) as queries:
            result = tick(today=today)
        assert result.stages["overdue"] == count
        CaseEvent.objects.filter(action__in=["reminder", "escalation"]).delete()
        Case.objects.filter(pk__in=[c.pk for c in cases]).update(closed=True)
        return len(queries)

    assert run(2, D(2025, 3, 14)) == run(8, D(2025, 3, 14))


def test_steady_state_costs_three_queries_per_batch(office):
    for i in range(5):
        handling(office, title=f"事项{i}")
    tick(today=D(2025, 3, 14))
    with CaptureQueriesContext(connection) as queries:
        result = tick(today=D(2025, 3, 14), batch_size=2)
    assert (result.scanned, result.batches, result.notifications) == (5, 3, 0)
    # Per batch: cases, their assignments, their reminder events. Then the read that ends
    # the pass, the early-assignment pass, and the run's audit record (4 statements: the
    # chain head, the check that it matches the last record, the insert, the new head).
    assert len(queries) == 3 * result.batches + 2 + 4
    assert not any("JOIN" in q["sql"] for q in queries[:3])


def test_command_prints_the_counts(office):
    handling(office)
    out = io.StringIO()
    call_command("tick", "--date", "2025-03-14", stdout=out)
    text = out.getvalue()
    assert "催办提醒 2025-03-14" in text
    assert "逾期催办：1" in text and "新通知：4" in text
    out = io.StringIO()
    call_command("tick", "--date", "2025-03-14", "--dry-run", stdout=out)
    assert "试运行" in out.getvalue() and "新通知：0" in out.getvalue()


def test_command_rejects_a_bad_date(office):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("tick", "--date", "14/03/2025", stdout=io.StringIO())


def test_task_wrapper_runs_the_same_sweep(office):
    handling(office)
    counts = tick_task("2025-03-12")
    assert counts["today"] == 1 and counts["run_date"] == "2025-03-12"
    assert tick_task("2025-03-12")["notifications"] == 0


def test_apps_sweeps_run_with_the_tick(office):
    from zhengban.cases import reminders

    seen = []

    def sweep(*, today):
        seen.append(today)
        return {"提醒": 2}

    reminders.register_sweep("测试提醒", sweep)
    try:
        out = io.StringIO()
        call_command("tick", "--date", "2025-03-14", stdout=out)
        assert "测试提醒：提醒：2" in out.getvalue() and seen == [D(2025, 3, 14)]
        call_command("tick", "--date", "2025-03-14", "--dry-run", stdout=io.StringIO())
        assert len(seen) == 1  # a dry run sends nothing, so runs no sweep
        assert tick_task("2025-03-14")["sweeps"]["测试提醒"] == {"提醒": 2}
    finally:
        reminders._SWEEPS.pop("测试提醒")
