"""Every change to the classified register, each in one transaction with its audit record.

A refusal is a `RegisterError` (a message for people); the views and the API turn it into a
400. Nothing here stores content: the models have no field for it, and `refuse_content`
turns away a request that brings a file or a body anyway, naming the rule."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.audit.services import audit_record
from zhengban.cases.errors import CLASSIFIED_RULE
from zhengban.cases.numbering import number_next

from . import policies
from .models import (
    IN_CUSTODY,
    Circulation,
    ClassifiedDocument,
    DecisionState,
    DestructionRequest,
    Level,
    Status,
)

SERIES = "classified"
# Keys a client might use to send content; the register has no place for any of them.
CONTENT_KEYS = frozenset(
    {"body", "content", "text", "scan", "file", "files", "attachment", "attachments"}
)
# 保守国家秘密法 (2024) art. 20: 绝密 ≤ 30 years, 机密 ≤ 20, 秘密 ≤ 10 unless provided otherwise.
MAX_YEARS = {Level.SECRET: 10, Level.CONFIDENTIAL: 20, Level.TOP_SECRET: 30}
PERIOD = re.compile(r"^(\d{1,2})(年|个月)$")
FIELDS = (
    "sender",
    "sender_name",
    "sender_number",
    "title",
    "title_classified",
    "register_title",
    "level",
    "secrecy_period",
    "copy_number",
    "copies",
    "received_on",
    "holder",
    "location",
    "remarks",
)


class RegisterError(Exception):
    """A refused change to the register."""


class ContentRefused(RegisterError):
    pass


def refuse_content(*, files=None, keys=()) -> None:
    """A classified record takes metadata only: any file, or a body by any name, is refused."""
    sent = sorted(set(keys) & CONTENT_KEYS)
    if files or sent:
        raise ContentRefused(
            _("涉密文件登记簿只登记元数据，不接收正文、扫描件或附件。") + str(CLASSIFIED_RULE)
        )


def period_problem(level: int, text: str) -> str:
    """Why `text` is not a 保密期限 for `level` (empty when it is)."""
    text = (text or "").strip()
    if text == "长期" or text.startswith("解密条件"):
        return ""
    match = PERIOD.match(text)
    if not match:
        return _("保密期限请写作“10年”“6个月”“长期”，或以“解密条件”开头写明解密条件。")
    years = int(match.group(1)) / (1 if match.group(2) == "年" else 12)
    if years <= 0:
        return _("保密期限须大于零。")
    top = MAX_YEARS.get(level)
    if top and years > top:
        return _("%(level)s事项的保密期限一般不超过%(n)d年（保守国家秘密法第二十条）。") % {
            "level": Level(level).label,
            "n": top,
        }
    return ""


def _changes(document: ClassifiedDocument) -> dict:
    return {
        "number": document.number,
        "level": document.level,
        "copy_number": document.copy_number,
        "status": document.status,
        "holder": str(document.holder),
    }


def _lock(document: ClassifiedDocument) -> ClassifiedDocument:
    return ClassifiedDocument.objects.select_for_update().get(pk=document.pk)


def _require_custody(document: ClassifiedDocument) -> None:
    if document.status not in IN_CUSTODY:
        raise RegisterError(
            _("该文件已%(status)s，不能再办理。") % {"status": document.get_status_display()}
        )


@transaction.atomic
def record_create(*, actor, **values) -> ClassifiedDocument:
    unit = policies.keeper_unit(actor)
    if unit is None:
        raise RegisterError(
            _("尚未设置保管涉密文件的处室（%(name)s）。") % {"name": policies.register_unit_name()}
        )
    year = values["received_on"].year
    seq = number_next(series=SERIES, year=year)
    document = ClassifiedDocument.objects.create(
        number=f"密收〔{year}〕{seq}号",
        unit=unit,
        created_by=actor,
        **{k: v for k, v in values.items() if k in FIELDS},
    )
    audit_record(
        actor=actor,
        action="classified.register",
        target=document,
        summary=document.number,
        changes=_changes(document),
    )
    return document


@transaction.atomic
def record_update(*, actor, document: ClassifiedDocument, **values) -> ClassifiedDocument:
    document = _lock(document)
    _require_custody(document)
    before = {k: str(getattr(document, k)) for k in FIELDS if k in values}
    for name, value in values.items():
        if name in FIELDS:
            setattr(document, name, value)
    document.save()
    after = {k: str(getattr(document, k)) for k in before}
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    audit_record(
        actor=actor,
        action="classified.update",
        target=document,
        summary=document.number,
        changes=changed,
    )
    return document


@transaction.atomic
def circulation_give(
    *, actor, document: ClassifiedDocument, recipient=None, recipient_name="", note=""
) -> Circulation:
    document = _lock(document)
    _require_custody(document)
    if document.circulations.filter(returned_at__isnull=True).exists():
        raise RegisterError(_("该份文件正在传阅，须先登记退回，再送下一位。"))
    name = (str(recipient) if recipient is not None else recipient_name).strip()
    if not name:
        raise RegisterError(_("请选择或填写传阅对象。"))
    circulation = Circulation.objects.create(
        document=document,
        recipient=recipient,
        recipient_name=name[:100],
        given_at=timezone.now(),
        given_by=actor,
        note=note[:200],
    )
    document.status = Status.CIRCULATING
    document.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="classified.circulate",
        target=document,
        summary=f"{document.number} → {name}",
        changes={"recipient": name, "circulation_id": circulation.pk},
    )
    return circulation


@transaction.atomic
def circulation_return(*, actor, circulation: Circulation) -> Circulation:
    document = _lock(circulation.document)
    circulation = Circulation.objects.select_for_update().get(pk=circulation.pk)
    if circulation.returned_at is not None:
        raise RegisterError(_("已登记退回。"))
    circulation.returned_at = timezone.now()
    circulation.received_back_by = actor
    circulation.save(update_fields=["returned_at", "received_back_by"])
    document.status = Status.HELD
    document.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="classified.circulation_return",
        target=document,
        summary=f"{document.number} ← {circulation.recipient_name}",
        changes={"recipient": circulation.recipient_name, "circulation_id": circulation.pk},
    )
    return circulation


def _require_home(document: ClassifiedDocument) -> None:
    _require_custody(document)
    if document.status == Status.CIRCULATING:
        raise RegisterError(_("该份文件正在传阅，须先收回。"))


@transaction.atomic
def record_return(*, actor, document: ClassifiedDocument, returned_to: str, returned_on):
    """退还: the paper goes back to the sender (or its 机要交通)."""
    document = _lock(document)
    _require_home(document)
    if not (returned_to or "").strip():
        raise RegisterError(_("请填写退还至何处（单位或机要交通）。"))
    if returned_on > timezone.localdate():
        raise RegisterError(_("退还日期不能晚于今天。"))
    document.status = Status.RETURNED
    document.returned_to = returned_to.strip()[:200]
    document.returned_on = returned_on
    document.save(update_fields=["status", "returned_to", "returned_on", "updated_at"])
    audit_record(
        actor=actor,
        action="classified.return",
        target=document,
        summary=f"{document.number} → {document.returned_to}",
        changes={"returned_to": document.returned_to, "returned_on": returned_on},
    )
    return document


@transaction.atomic
def destruction_request(*, actor, document: ClassifiedDocument, reason: str):
    document = _lock(document)
    _require_home(document)
    if not (reason or "").strip():
        raise RegisterError(_("请填写销毁理由。"))
    request = DestructionRequest.objects.create(
        document=document, reason=reason.strip()[:300], requested_by=actor
    )
    document.status = Status.DESTRUCTION_PENDING
    document.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="classified.destruction_request",
        target=document,
        summary=document.number,
        changes={"reason": request.reason, "request_id": request.pk},
    )
    return request


@transaction.atomic
def destruction_decide(*, actor, request: DestructionRequest, approve: bool, reason: str = ""):
    document = _lock(request.document)
    request = DestructionRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != DecisionState.PENDING:
        raise RegisterError(_("该销毁申请已审批。"))
    if not policies.can_decide_destruction(actor, request):
        raise RegisterError(
            _("销毁须由%(unit)s负责人或领导审批，申请人不能审批本人的申请。")
            % {"unit": policies.register_unit_name()}
        )
    reason = (reason or "").strip()
    if not approve and not reason:
        raise RegisterError(_("不批准销毁时请写明理由。"))
    request.state = DecisionState.APPROVED if approve else DecisionState.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_reason = reason[:300]
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
    document.status = Status.DESTRUCTION_APPROVED if approve else Status.HELD
    document.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="classified.destruction_approve" if approve else "classified.destruction_refuse",
        target=document,
        summary=document.number,
        changes={"reason": request.decision_reason, "request_id": request.pk},
    )
    return request


@transaction.atomic
def record_destroyed(*, actor, document: ClassifiedDocument, destroyed_on, witness: str):
    """销毁完成: only after approval; the date and the 监销人 are recorded."""
    document = _lock(document)
    if document.status != Status.DESTRUCTION_APPROVED:
        raise RegisterError(_("销毁须先经审批。"))
    if not (witness or "").strip():
        raise RegisterError(_("请填写监销人。"))
    if destroyed_on > timezone.localdate():
        raise RegisterError(_("销毁日期不能晚于今天。"))
    document.status = Status.DESTROYED
    document.destroyed_on = destroyed_on
    document.destruction_witness = witness.strip()[:100]
    document.save(update_fields=["status", "destroyed_on", "destruction_witness", "updated_at"])
    audit_record(
        actor=actor,
        action="classified.destroyed",
        target=document,
        summary=document.number,
        changes={"destroyed_on": destroyed_on, "witness": document.destruction_witness},
    )
    return document
