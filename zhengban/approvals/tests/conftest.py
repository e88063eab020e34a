from dataclasses import dataclass

import pytest

from zhengban.accounts.choices import Clearance, Role
from zhengban.accounts.services import user_create
from zhengban.cases import services
from zhengban.cases.models import Case
from zhengban.org.choices import OrganizationKind
from zhengban.org.models import Organization, Regulation, Unit

TITLE = "关于申请2027年度防汛物资储备专项经费的签报"
BODY = (
    "一、基本情况\n"
    "今年汛期我市防汛物资消耗较大，现有储备不足。\n"
    "二、请示事项\n"
    "（一）安排专项经费。\n"
    "1.购置冲锋舟10艘。\n"
    "2.购置救生衣2000件。\n"
    "（二）由市应急管理局组织采购。"
)


@dataclass
class Office:
    zonghe: Unit  # 综合处: the drafting division
    other: Unit  # 农经处
    drafter: object
    colleague: object  # another 综合处 staff member, not its head
    head: object  # 综合处 处长
    leader1: object  # 副秘书长
    leader2: object  # 副市长
    leader3: object
    outsider: object  # 农经处 staff


def _user(name, display, units=(), roles=(), head_of=()):
    return user_create(
        username=name,
        password="x",
        display_name=display,
        roles=tuple(roles),
        units=tuple(units),
        head_of=tuple(head_of),
        clearance=Clearance.INTERNAL,
        validate_password=False,
    )


@pytest.fixture
def office(db) -> Office:
    regulation = Regulation.objects.create(title="t", source_text="t", sha256="0", parsed={})
    org = Organization.objects.create(
        name="测试市人民政府办公厅", kind=OrganizationKind.MAIN, regulation=regulation
    )
    zonghe = Unit.objects.create(organization=org, name="综合处", order=1)
    other = Unit.objects.create(organization=org, name="农经处", order=2)
    return Office(
        zonghe=zonghe,
        other=other,
        drafter=_user("drafter", "张明", [zonghe], [Role.STAFF]),
        colleague=_user("colleague", "刘洋", [zonghe], [Role.STAFF]),
        head=_user("head", "李强", [zonghe], [Role.DIVISION_HEAD], [zonghe]),
        leader1=_user("leader1", "王副秘书长", [], [Role.OFFICE_LEADER]),
        leader2=_user("leader2", "陈副市长", [], [Role.CITY_LEADER]),
        leader3=_user("leader3", "赵秘书长", [], [Role.OFFICE_LEADER]),
        outsider=_user("outsider", "孙丽", [other], [Role.STAFF]),
    )


def perform(case, code, actor, **kwargs) -> Case:
    case.refresh_from_db()
    return services.case_perform(
        case=case, action_code=code, actor=actor, version=case.version, **kwargs
    )


def draft(office, *, title=TITLE, body=BODY, category="funding") -> Case:
    from zhengban.approvals.models import ApprovalCategory

    return services.case_create(
        case_type="approval",
        title=title,
        body=body,
        owner_unit=office.zonghe,
        actor=office.drafter,
        sensitivity=Clearance.INTERNAL,
        urgency="urgent",
        detail={
            "category": ApprovalCategory.objects.get(code=category),
            "proposal": "拟同意安排专项经费120万元，由市应急管理局组织采购。",
        },
    )


def to_leaders(office, case, *leaders) -> Case:
    """拟稿 → 处室审核 → 呈批 to `leaders` in order."""
    perform(case, "submit", office.drafter)
    perform(case, "endorse", office.head, comment="情况属实，建议同意。")
    params = {f"leader_{n}": leader for n, leader in enumerate(leaders, 1)}
    return perform(case, "route", office.head, params=params)
