"""Writes for the router: recording a routing decision and undoing a correction."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.audit.services import audit_record
from zhengban.org.models import Organization, Unit

from . import policies, selectors
from .engine import tokenize
from .models import RoutingCorrection


def _key(value) -> str:
    """A target key from a key, a Unit or an attached Organization."""
    if isinstance(value, Unit):
        return selectors.unit_key(value.pk)
    if isinstance(value, Organization):
        return selectors.organization_key(value.pk)
    return str(value or "")


def routing_confirm(*, text: str, suggested, chosen, actor, case=None) -> RoutingCorrection | None:
    """Record where a text was routed. When `chosen` differs from the router's first
    suggestion, the decision is kept as a correction that teaches the router; either way it
    is audited. `suggested`/`chosen` are target keys ("u12") or Unit/Organization objects."""
    if not policies.can_confirm(actor):
        raise PermissionDenied(_("无权确认分办。"))
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("文本不能为空。"), code="empty_text")
    index = selectors.routing_index()
    names = {target.key: target.name for target in index.targets}
    suggested_key, chosen_key = _key(suggested), _key(chosen)
    if chosen_key not in names:
        raise ValidationError(_("所选单位不存在或已撤销。"), code="unknown_unit")
    if suggested_key and suggested_key not in names:
        raise ValidationError(_("建议单位不存在或已撤销。"), code="unknown_unit")
    summary = f"{text[:60]} → {names[chosen_key]}"
    with transaction.atomic():
        if suggested_key == chosen_key:
            audit_record(
                actor=actor,
                action="routing.confirm",
                target=case,
                summary=summary,
                changes={"text": text[:500], "chosen": names[chosen_key]},
            )
            return None
        correction = RoutingCorrection.objects.create(
            text=text,
            tokens=tokenize(text),
            suggested_key=suggested_key,
            suggested_name=names.get(suggested_key, ""),
            chosen_key=chosen_key,
            chosen_name=names[chosen_key],
            chosen_unit_id=selectors.unit_pk(chosen_key),
            actor=actor,
            case_type=ContentType.objects.get_for_model(case) if case is not None else None,
            case_id=str(case.pk) if case is not None else "",
        )
        audit_record(
            actor=actor,
            action="routing.correct",
            target=correction,
            summary=summary,
            changes={
                "text": text[:500],
                "suggested": correction.suggested_name,
                "chosen": correction.chosen_name,
                "case": f"{correction.case_type_id}:{correction.case_id}" if case else "",
            },
        )
        transaction.on_commit(selectors.invalidate)
    return correction


def routing_correction_undo(*, correction: RoutingCorrection, actor) -> RoutingCorrection:
    """Withdraw a correction: it stays on record but no longer teaches the router."""
    if not policies.can_undo(actor, correction):
        raise PermissionDenied(_("无权撤销该分办纠正。"))
    now = timezone.now()
    with transaction.atomic():
        # Conditional update: of two people undoing at once, one wins and one is told.
        updated = RoutingCorrection.objects.filter(pk=correction.pk, undone=False).update(
            undone=True, undone_at=now, undone_by=actor
        )
        if not updated:
            raise ValidationError(_("该分办纠正已被撤销。"), code="already_undone")
        correction.undone, correction.undone_at, correction.undone_by = True, now, actor
        audit_record(
            actor=actor,
            action="routing.correction_undo",
            target=correction,
            summary=f"{correction.text[:60]} → {correction.chosen_name}",
            changes={"undone": True},
        )
        transaction.on_commit(selectors.invalidate)
    return correction
