"""Action parameters a business workflow declares: a yes/no flag (列入督办) and choices read
from the case when the form is built (the organization's 文号 series)."""

import dataclasses

import pytest

from zhengban.cases import services, workflows
from zhengban.cases.casetypes import CaseType, register_case_type, unregister_case_type
from zhengban.cases.forms import ActionForm, Pickers
from zhengban.cases.workflow import Action, Effect, Param, Permit, Relation


def _seen(ctx):
    ctx.event_data["seen"] = {k: str(v) for k, v in ctx.params.items()}


NOTE = Action(
    "note",
    "登记",
    ("draft",),
    None,
    (Permit(relation=Relation.CREATOR),),
    params=(
        Param("supervise", "flag", "列入督办", required=False),
        Param(
            "series",
            "choice",
            "文号序列",
            choices=lambda case: [("fa", f"{case.owner_unit.name}发"), ("han", "函")],
        ),
    ),
    effects=(Effect(_seen, "记下参数"),),
)


@pytest.fixture
def noted(db):
    flow = workflows.ASSIGNED_TASK.workflow
    register_case_type(
        CaseType(
            workflow=dataclasses.replace(
                flow, case_type="test_params", number_prefix="测参", actions=(*flow.actions, NOTE)
            )
        )
    )
    yield
    unregister_case_type("test_params")


def form(case, office, data):
    return ActionForm(data, case=case, action=NOTE, pickers=Pickers.for_case(case, office.clerk))


def test_flag_and_case_choices(office, noted):
    case = services.case_create(
        case_type="test_params", title="t", owner_unit=office.duchashi, actor=office.clerk
    )
    blank = form(case, office, None)
    assert [v for v, _label in blank.fields["series"].choices] == ["", "fa", "han"]
    assert dict(blank.fields["series"].choices)["fa"] == "市政府督查室发"
    assert not form(case, office, {"version": case.version, "series": "other"}).is_valid()
    ticked = form(case, office, {"version": case.version, "series": "fa", "supervise": "on"})
    assert ticked.is_valid(), ticked.errors
    assert ticked.params() == {"supervise": True, "series": "fa"}
    services.case_perform(
        case=case,
        action_code="note",
        actor=office.clerk,
        version=case.version,
        params=ticked.params(),
    )
    assert case.events.last().data["seen"] == {"supervise": "True", "series": "fa"}
    unticked = form(case, office, {"version": case.version + 1, "series": "han"})
    assert unticked.is_valid() and unticked.params()["supervise"] is False


def test_code_may_link_a_case_to_a_source_its_actor_cannot_read(office):
    source = services.case_create(
        case_type="assigned_task", title="来源", owner_unit=office.duchashi, actor=office.clerk
    )
    from zhengban.org.models import Unit

    child = services.case_create(
        case_type="assigned_task",
        title="分送",
        owner_unit=Unit.objects.get(name="保卫处"),
        actor=office.outsider,
        parent=source,
        check_parent=False,
    )
    assert child.parent == source and source.events.last().action == "derive"


def test_code_may_open_a_case_for_another_unit(office):
    from zhengban.cases.errors import PermissionRefused

    with pytest.raises(PermissionRefused):
        services.case_create(
            case_type="assigned_task",
            title="议定事项",
            owner_unit=office.duchashi,
            actor=office.farmer,
        )
    case = services.case_create(
        case_type="assigned_task",
        title="议定事项",
        owner_unit=office.duchashi,
        actor=office.farmer,
        check_owner=False,
    )
    assert case.owner_unit == office.duchashi and case.creator == office.farmer
