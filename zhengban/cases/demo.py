"""Demo cases for `zhengban demo setup`: 交办事项 in every stage, made through the services
so their history, deadlines, tasks and audit records are real."""

import datetime

from django.db import transaction

from zhengban.accounts.choices import Clearance
from zhengban.accounts.models import User
from zhengban.org.models import Unit
from zhengban.workcalendar.calendar import current_calendar

from . import deadlines, services
from .models import Case


def _perform(case, code, actor, **kwargs):
    case.refresh_from_db()
    return services.case_perform(
        case=case, action_code=code, actor=actor, version=case.version, **kwargs
    )


def _backdate(case: Case, workdays: int) -> None:
    """Move the clock's start back, as if the case had been assigned earlier."""
    calendar = current_calendar()
    day = case.deadline_start
    for _i in range(workdays):
        day -= datetime.timedelta(days=1)
        while not calendar.is_workday(day):
            day -= datetime.timedelta(days=1)
    case.deadline_start = day
    deadlines.recompute(case)
    case.save(update_fields=["deadline_start", "due_date", "deadline_basis", "deadline_state"])


@transaction.atomic
def create_demo_cases() -> int:
    if Case.objects.exists():
        return 0
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["staff", "division_head", "office_leader", "city_leader", "clerk"]
        )
    }
    if len(users) < 5:
        return 0
    units = {u.name: u for u in Unit.objects.filter(active=True)}
    owner = next(u for n, u in units.items() if "督查室" in n)
    staff, head, leader = users["staff"], users["division_head"], users["office_leader"]

    def create(title, body, sensitivity=Clearance.PUBLIC, urgency="normal"):
        return services.case_create(
            case_type="assigned_task",
            title=title,
            body=body,
            owner_unit=owner,
            actor=staff,
            sensitivity=sensitivity,
            urgency=urgency,
        )

    create("关于开展全市安全生产大检查落实情况的督查", "请拟定督查方案，明确检查范围和时间安排。")
    review = create(
        "市政府常务会议议定事项（第十二次）分解落实",
        "常务会议议定的五项事项需分解到责任单位，明确完成时限。",
        Clearance.INTERNAL,
    )
    _perform(review, "submit", staff)

    school = create(
        "关于做好秋季学期校园安全工作的督办",
        "市领导批示：入冬前完成全市中小学校舍安全排查，市教育局牵头，文教处跟踪。",
        urgency="urgent",
    )
    _perform(school, "submit", staff)
    _perform(
        school,
        "assign",
        head,
        params={
            "lead_unit": units["市教育局"],
            "co_units": [units["文教处"]],
            "instructions": "请于期限内报送排查整改情况。",
        },
    )

    water = create(
        "关于做好今冬明春农村饮水安全工作的通知落实情况",
        "请农经处会同市农业农村局做好农村饮水工程冬季运行管护。",
        Clearance.INTERNAL,
    )
    _perform(water, "submit", staff)
    _perform(water, "assign", head, params={"lead_unit": units["农经处"]})
    _backdate(Case.objects.get(pk=water.pk), 14)  # overdue: shows red in the inbox

    heating = create(
        "供暖季居民投诉集中问题的协调督办",
        "近期市长信箱关于供暖不达标的来信较多，请城建处牵头协调。",
        urgency="extra_urgent",
    )
    _perform(heating, "submit", staff)
    _perform(heating, "assign", head, params={"lead_unit": units["城建处"]})
    _backdate(Case.objects.get(pk=heating.pk), 8)  # due within days: amber

    sign = create(
        "全市政务服务事项清单调整方案（送审稿）会签", "请办公厅领导会签。", Clearance.INTERNAL
    )
    _perform(sign, "submit", staff)
    _perform(sign, "countersign", head, params={"users": [leader, users["city_leader"]]})
    return Case.objects.count()
