"""Ordered turns in a slot (逐级审批): the chosen people act one after another; the case
stays in its state until the last of them has acted; 待办 and the permit follow the turn."""

import dataclasses

import pytest
from django.urls import reverse

from zhengban.accounts.choices import LEADER_ROLES, Clearance
from zhengban.cases import effects, services
from zhengban.cases.casetypes import CaseType, register_case_type, unregister_case_type
from zhengban.cases.choices import TaskKind, TaskState
from zhengban.cases.errors import GuardFailed, PermissionRefused
from zhengban.cases.forms import ActionForm, Pickers
from zhengban.cases.models import Task
from zhengban.cases.selectors import slot_turns
from zhengban.cases.workflow import (
    Action,
    Param,
    Permit,
    Relation,
    State,
    StateTask,
    Workflow,
    validate,
)

IN_TURN = (Permit(relation="turn:leaders"),)
FLOW = Workflow(
    case_type="test_turns",
    label="测试签报",
    number_prefix="测签",
    initial="draft",
    slot_labels={"leaders": "审批领导"},
    states=(
        State("draft", "拟稿", task=StateTask(TaskKind.DRAFT, "creator"), expected="submit"),
        State(
            "approving",
            "领导审批",
            task=StateTask(TaskKind.APPROVE, "turn:leaders"),
            expected="approve",
        ),
        State("approved", "已批准", closing=True),
        State("archived", "归档", final=True),
    ),
    actions=(
        Action(
            "submit",
            "呈批",
            ("draft",),
            "approving",
            (Permit(relation=Relation.CREATOR),),
            params=(Param("leaders", "users", "审批领导（按顺序）", roles=LEADER_ROLES),),
            effects=(effects.fill_slot("leaders", "leaders"),),
        ),
        Action("approve", "审批", ("approving",), "approved", IN_TURN, sequence="leaders"),
        Action("send_back", "退回", ("approving",), "draft", IN_TURN, comment_required=True),
        Action("archive", "归档", ("approved",), "archived", (Permit(relation=Relation.CREATOR),)),
    ),
)


@pytest.fixture
def turns(db):
    register_case_type(CaseType(workflow=FLOW))
    yield
    unregister_case_type("test_turns")


def act(case, code, actor, **kwargs):
    case.refresh_from_db()
    return services.case_perform(
        case=case, action_code=code, actor=actor, version=case.version, **kwargs
    )


def open_for(case, user):
    return list(
        Task.objects.filter(case=case, assignee=user, state=TaskState.OPEN).values_list(
            "kind", flat=True
        )
    )


def submitted(office):
    case = services.case_create(
        case_type="test_turns",
        title="关于购置应急指挥车辆的签报",
        owner_unit=office.duchashi,
        actor=office.clerk,
        sensitivity=Clearance.INTERNAL,
    )
    return act(case, "submit", office.clerk, params={"leaders": [office.deputy, office.leader]})


def test_each_leader_acts_in_turn_and_the_case_moves_after_the_last(office, turns):
    case = submitted(office)
    assert open_for(case, office.deputy) == [TaskKind.APPROVE]
    assert open_for(case, office.leader) == []  # not yet their turn
    with pytest.raises(PermissionRefused):
        act(case, "approve", office.leader)  # out of turn
    case = act(case, "approve", office.deputy, comment="同意。")
    assert case.state == "approving"  # the second leader is still to approve
    assert open_for(case, office.deputy) == [] and open_for(case, office.leader) == [
        TaskKind.APPROVE
    ]
    assert case.events.last().data["turn_next"] == office.leader.pk
    with pytest.raises(PermissionRefused):
        act(case, "approve", office.deputy)  # a turn is taken once
    case = act(case, "approve", office.leader, comment="同意。")
    assert case.state == "approved" and case.closed
    assert [(u, done is not None) for u, done in slot_turns(case, "leaders")] == [
        (office.deputy, True),
        (office.leader, True),
    ]
    assert not Task.objects.filter(case=case, state=TaskState.OPEN).exists()


def test_a_send_back_and_resubmission_start_the_turns_again(office, turns, client):
    case = submitted(office)
    case = act(case, "approve", office.deputy, comment="同意。")
    case = act(case, "send_back", office.leader, comment="请补充经费来源。")
    assert case.state == "draft" and open_for(case, office.leader) == []
    case = act(case, "submit", office.clerk, params={"leaders": [office.deputy, office.leader]})
    assert open_for(case, office.deputy) == [TaskKind.APPROVE]
    # 待办 follows the turn: the first leader has it again, the second not yet.
    client.force_login(office.leader)
    todo = client.get(reverse("api-cases:list") + "?tab=todo").json()["results"]
    assert case.pk not in [r["id"] for r in todo]
    client.force_login(office.deputy)
    todo = client.get(reverse("api-cases:list") + "?tab=todo").json()["results"]
    assert [(r["id"], r["task_kind"]) for r in todo] == [(case.pk, TaskKind.APPROVE)]


def test_transfer_of_a_turn_is_refused(office, turns):
    case = submitted(office)
    case.refresh_from_db()
    with pytest.raises(services.TransitionNotAllowed):
        services.case_transfer(
            case=case, actor=office.deputy, version=case.version, to_user=office.head, reason="x"
        )


def test_a_sequence_action_must_move_on_and_cannot_be_withdrawn():
    withdrawable = dataclasses.replace(FLOW.actions[1], withdrawable=True)
    staying = dataclasses.replace(FLOW.actions[1], target=None)
    for bad in (withdrawable, staying):
        flow = dataclasses.replace(FLOW, actions=(FLOW.actions[0], bad, *FLOW.actions[2:]))
        assert any("逐人办理" in e for e in validate(flow))
    assert validate(FLOW) == []


def test_a_role_bound_picker_offers_and_accepts_only_leaders(office, turns):
    case = services.case_create(
        case_type="test_turns", title="签报", owner_unit=office.duchashi, actor=office.clerk
    )
    with pytest.raises(GuardFailed, match="只能选择"):
        act(case, "submit", office.clerk, params={"leaders": [office.deputy, office.head]})
    form = ActionForm(
        {"version": case.version, "leaders": [office.head.pk]},
        case=case,
        action=FLOW.action("submit"),
        pickers=Pickers.for_case(case, office.clerk),
    )
    offered = {int(k) for k, _label in form.fields["leaders"].choices}
    assert {office.deputy.pk, office.leader.pk} <= offered and office.head.pk not in offered
    assert not form.is_valid() and "leaders" in form.errors
