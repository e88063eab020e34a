"""A change of the working-day calendar moves the stored due dates it affects: open cases
whose deadline runs across the changed day, with their assignments and tasks, in the
change's transaction and with a history entry; nothing else moves."""

import datetime

from zhengban.accounts.choices import Clearance
from zhengban.cases import services
from zhengban.cases.models import Assignment, Case, CaseEvent
from zhengban.workcalendar.calendar import add_workdays, is_workday
from zhengban.workcalendar.models import CalendarOverride
from zhengban.workcalendar.services import calendar_override_delete, calendar_override_set


def assigned(office):
    case = services.case_create(
        case_type="assigned_task",
        title="关于做好今冬明春农村饮水安全工作的通知",
        body="请抓好落实。",
        owner_unit=office.duchashi,
        actor=office.clerk,
        sensitivity=Clearance.INTERNAL,
    )
    case.refresh_from_db()
    services.case_perform(case=case, action_code="submit", actor=office.clerk, version=1)
    case.refresh_from_db()
    return services.case_perform(
        case=case,
        action_code="assign",
        actor=office.head,
        version=case.version,
        params={"lead_unit": office.nongjing, "co_units": [office.wenjiao]},
    )


def a_workday_before(due: datetime.date) -> datetime.date:
    day = due - datetime.timedelta(days=1)
    while not is_workday(day):  # step back over rest days
        day -= datetime.timedelta(days=1)
    return day


def test_a_holiday_inside_the_period_moves_the_due_date_and_its_parts(office):
    case = assigned(office)
    due = case.due_date
    assert due is not None and case.deadline_rule
    untouched = assigned(office)
    Case.objects.filter(pk=untouched.pk).update(closed=True)
    holiday = a_workday_before(due)
    calendar_override_set(date=holiday, is_workday=False, note="临时放假", actor=office.sysadmin)
    case.refresh_from_db()
    assert case.due_date > due and case.due_date == add_workdays(due, 1).date
    assert set(Assignment.objects.filter(case=case).values_list("due_date", flat=True)) == {
        case.due_date
    }
    event = CaseEvent.objects.get(case=case, action="deadline.recalculated")
    assert event.data["due_date"] == [due.isoformat(), case.due_date.isoformat()]
    assert Case.objects.get(pk=untouched.pk).due_date == due  # closed: its date stays
    # Taking the holiday back moves it back.
    override = CalendarOverride.objects.get(date=holiday)
    calendar_override_delete(override=override, actor=office.sysadmin)
    case.refresh_from_db()
    assert case.due_date == due


def test_a_day_after_the_due_date_moves_nothing(office):
    case = assigned(office)
    due, version = case.due_date, case.version
    later = add_workdays(due, 3).date
    calendar_override_set(date=later, is_workday=False, note="放假", actor=office.sysadmin)
    case.refresh_from_db()
    assert (case.due_date, case.version) == (due, version)
    assert not CaseEvent.objects.filter(action="deadline.recalculated").exists()
