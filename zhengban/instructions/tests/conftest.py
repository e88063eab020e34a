"""A small office for the 批示 tests: 秘书一处 and 督查室 (the leaders' secretaries), two
divisions, an external bureau with its contact, two leaders, and a 收文 created through the
kernel (in handling by nobody yet: registered, owned by 文电处)."""

from dataclasses import dataclass

import pytest

from zhengban.accounts.choices import Clearance, Role
from zhengban.accounts.services import user_create
from zhengban.org.choices import OrganizationKind, UnitKind
from zhengban.org.models import Organization, Regulation, Unit


@dataclass
class Office:
    mishu: Unit  # 秘书一处
    duchashi: Unit  # 市政府督查室
    wendian: Unit  # 文电处: registers 收文
    nongjing: Unit
    bureau: Unit  # 市交通运输局, external
    mayor: object  # city leader
    deputy: object  # office leader
    secretary: object  # 秘书一处 staff
    inspector: object  # 督查室 staff
    clerk: object  # 文电处 文书
    farmer: object  # 农经处 staff
    contact: object  # the bureau's 联络员
    low: object  # 秘书一处 staff cleared only for 公开
    sysadmin: object


def make_user(name, units=(), roles=(), clearance=Clearance.INTERNAL, display=""):
    return user_create(
        username=name,
        password="x",
        display_name=display or name,
        roles=tuple(roles),
        units=tuple(units),
        clearance=clearance,
        validate_password=False,
    )


@pytest.fixture
def office(db) -> Office:
    regulation = Regulation.objects.create(title="t", source_text="t", sha256="0", parsed={})
    org = Organization.objects.create(
        name="测试市人民政府办公厅", kind=OrganizationKind.MAIN, regulation=regulation
    )

    def unit(name, order, kind=UnitKind.INTERNAL, organization=org):
        return Unit.objects.create(organization=organization, name=name, kind=kind, order=order)

    mishu = unit("秘书一处", 1)
    duchashi = unit("市政府督查室", 2)
    wendian = unit("文电处", 3)
    nongjing = unit("农经处", 4)
    bureau = unit("市交通运输局", 5, kind=UnitKind.EXTERNAL, organization=None)
    return Office(
        mishu=mishu,
        duchashi=duchashi,
        wendian=wendian,
        nongjing=nongjing,
        bureau=bureau,
        mayor=make_user("mayor", [], [Role.CITY_LEADER], Clearance.TOP_SECRET, "张市长"),
        deputy=make_user("deputy", [], [Role.OFFICE_LEADER], display="李秘书长"),
        secretary=make_user("secretary", [mishu], [Role.STAFF], display="秘书甲"),
        inspector=make_user("inspector", [duchashi], [Role.STAFF], display="督查员"),
        clerk=make_user("clerk", [wendian], [Role.CLERK], display="文书"),
        farmer=make_user("farmer", [nongjing], [Role.STAFF]),
        contact=make_user("contact", [bureau], [Role.UNIT_CONTACT]),
        low=make_user("low", [mishu], [Role.STAFF], Clearance.PUBLIC),
        sysadmin=make_user("sysadmin", [mishu], [Role.SYSTEM_ADMIN]),
    )


@pytest.fixture
def incoming(office):
    """A 收文 registered by 文电处's clerk, 内部, through the kernel."""
    from django.utils import timezone

    from zhengban.cases import services

    return services.case_create(
        case_type="incoming",
        title="市交通运输局关于冬季道路保通工作的请示",
        owner_unit=office.wendian,
        actor=office.clerk,
        sensitivity=Clearance.INTERNAL,
        detail={
            "sender": office.bureau,
            "sender_name": office.bureau.name,
            "sender_number": "沈交发〔2026〕3号",
            "doc_type": "请示",
            "received_on": timezone.localdate(),
        },
    )


@pytest.fixture
def instructed_type(db):
    """A case type whose 批示 actions carry the effect (params due_date, supervise, units),
    as a business workflow declares it: "note" leaves the case where it is, "instruct"
    closes the round."""
    from zhengban.accounts.choices import LEADER_ROLES
    from zhengban.cases.casetypes import CaseType, register_case_type, unregister_case_type
    from zhengban.cases.workflow import Action, Param, Permit, State, Workflow
    from zhengban.instructions.effects import record_instruction

    params = (
        Param("due_date", "date", "办理时限", required=False),
        Param("supervise", "text", "列入督办", required=False),
        Param("units", "units", "涉及单位", required=False),
    )
    leaders = (Permit(roles=frozenset(LEADER_ROLES)),)

    def instruct(code, label, target):
        return Action(
            code,
            label,
            source=("instructing",),
            target=target,
            permits=leaders,
            params=params,
            effects=(record_instruction(),),
            comment_required=True,
        )

    workflow = Workflow(
        case_type="test_instructed",
        label="测试呈批件",
        number_prefix="测批",
        initial="instructing",
        states=(
            State("instructing", "批示", expected="instruct"),
            State("done", "已批示", final=True),
        ),
        actions=(
            instruct("note", "批示（留待其他领导）", None),
            instruct("instruct", "批示", "done"),
        ),
    )
    register_case_type(CaseType(workflow=workflow))
    yield workflow
    unregister_case_type("test_instructed")


def propose_params(leaders) -> dict:
    """The 收文's 拟办 parameters naming `leaders` in order (one picker each, or a list)."""
    from zhengban.documents import incoming

    names = getattr(incoming, "LEADER_PARAMS", None)
    if names:
        return dict(zip(names, leaders, strict=False))
    return {"leaders": list(leaders)}
