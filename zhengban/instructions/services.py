"""Writes of 批示: one service creates every 批示 — given on a case page, at a workflow's 批示
step (`effects.record_instruction`), or recorded stand-alone from a paper 呈批件 — and, when
it is 列入督办, opens the supervision item in the same transaction."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.accounts.choices import LEADER_ROLES, Clearance
from zhengban.audit.services import audit_record
from zhengban.cases.errors import GuardFailed, PermissionRefused

from . import policies
from .models import Instruction

TITLE_MAX = 300


def _supervision_title(leader, subject: str) -> str:
    title = _("落实%(leader)s批示：%(subject)s") % {"leader": leader, "subject": subject}
    return title[:TITLE_MAX]


def _source_label(instruction: Instruction) -> str:
    """ "张市长 2026-12-04 批示" (the item links to the case it was given on); a paper's
    number follows when there is no case."""
    label = _("%(leader)s %(date)s 批示") % {
        "leader": instruction.leader,
        "date": instruction.given_on.isoformat(),
    }
    if instruction.case_id is None and instruction.source_number:
        return f"{label}，{instruction.source_number}"
    return label


def _open_supervision_item(instruction: Instruction, *, actor, co_units) -> object:
    from zhengban.supervision.services import open_item  # the supervision app's one door

    return open_item(
        actor=actor,
        title=_supervision_title(instruction.leader, instruction.subject),
        body=instruction.text,
        lead_unit=instruction.lead_unit,
        co_units=tuple(co_units),
        due_date=instruction.due_date,
        source_kind="instruction",
        source_label=_source_label(instruction),
        parent=instruction.case,
        leader=instruction.leader,  # the instructing leader decides extension requests
    )


def _check(*, actor, leader, text, given_on, due_date, case, source_title, today) -> None:
    from zhengban.cases.services import check_text_size

    if leader is None or not leader.has_role(*LEADER_ROLES) or leader.is_admin_role:
        raise GuardFailed(_("批示领导须为办公厅领导或市政府领导。"))
    if not text:
        raise GuardFailed(_("请填写批示内容。"))
    check_text_size(text, _("批示内容"))
    if given_on > today:
        raise GuardFailed(_("批示日期不能晚于今天。"))
    if due_date is not None and due_date < given_on:
        raise GuardFailed(_("办理时限不能早于批示日期。"))
    if case is None and not source_title:
        raise GuardFailed(_("未关联事项的批示须填写呈批件标题。"))
    if len(source_title) > TITLE_MAX:
        raise GuardFailed(_("呈批件标题过长。"))


@transaction.atomic
def instruction_create(
    *,
    actor,
    leader,
    text: str,
    given_on: datetime.date | None = None,
    units=(),
    lead_unit=None,
    due_date: datetime.date | None = None,
    supervise: bool = False,
    case=None,
    source_title: str = "",
    source_number: str = "",
    sensitivity: int = Clearance.PUBLIC,
    event_seq: int | None = None,
    authorized: bool = False,
) -> Instruction:
    """Record a 批示 of `leader`. When `actor` is not the leader it is 代录 (recorded_by).

    `case`: the case it is given on (else a stand-alone paper 呈批件 named by `source_title`
    and `source_number`). `units`: every unit it names; `lead_unit` (default: the first of
    them) leads the supervision item when `supervise` (列入督办). `authorized`: the caller —
    a workflow action the kernel has already permitted — decided that `actor` may."""
    today = timezone.localdate()
    text = (text or "").strip()
    source_title = (source_title or "").strip()
    source_number = (source_number or "").strip()[:60]
    given_on = given_on or today
    units = list(dict.fromkeys(units))  # keep the order given, drop repeats
    if lead_unit is None and units:
        lead_unit = units[0]
    if lead_unit is not None and lead_unit not in units:
        units.insert(0, lead_unit)
    _check(
        actor=actor,
        leader=leader,
        text=text,
        given_on=given_on,
        due_date=due_date,
        case=case,
        source_title=source_title,
        today=today,
    )
    on_behalf = actor.pk != leader.pk
    if not authorized:
        if case is not None:
            from zhengban.cases.access import CaseAccess

            if not policies.may_give_on_case(actor, CaseAccess(actor, case)):
                raise PermissionRefused(_("您无权在该事项上录入领导批示。"))
        elif not policies.may_record(actor):
            raise PermissionRefused(_("您无权录入领导批示。"))
        if on_behalf and not policies.may_record_for_others(actor):
            raise PermissionRefused(_("只有秘书一处、秘书二处、督查室可以代录领导批示。"))
    if case is not None:
        sensitivity = case.sensitivity
        if sensitivity > leader.clearance:
            raise GuardFailed(_("该事项超出批示领导的知悉范围。"))
    elif sensitivity > actor.clearance:
        raise PermissionRefused(_("不能录入高于本人知悉范围的批示。"))
    if supervise and lead_unit is None:
        raise GuardFailed(_("列入督办须指明牵头单位。"))
    instruction = Instruction.objects.create(
        leader=leader,
        text=text,
        given_on=given_on,
        case=case,
        source_title="" if case is not None else source_title,
        source_number="" if case is not None else source_number,
        lead_unit=lead_unit,
        due_date=due_date,
        supervise=supervise,
        sensitivity=sensitivity,
        recorded_by=actor if on_behalf else None,
        event_seq=event_seq,
    )
    if units:
        instruction.units.set(units)
    if supervise:
        co_units = [u for u in units if u.pk != lead_unit.pk]
        instruction.item = _open_supervision_item(instruction, actor=actor, co_units=co_units)
        instruction.save(update_fields=["item"])
    audit_record(
        actor=actor,
        action="instructions.create",
        target=instruction,
        summary=text[:500],
        changes={
            "leader": leader.pk,
            "case": case.pk if case is not None else None,
            "source_title": instruction.source_title,
            "source_number": instruction.source_number,
            "units": [u.pk for u in units],
            "lead_unit": lead_unit.pk if lead_unit is not None else None,
            "due_date": due_date,
            "supervise": supervise,
            "item": instruction.item_id,
            "recorded_by": actor.pk if on_behalf else None,
        },
        on_behalf_of=leader if on_behalf else None,
    )
    return instruction
