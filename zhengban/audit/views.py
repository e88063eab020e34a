import json
import tempfile

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhengban.security.validation import parse_id

from . import alerts as audit_alerts
from . import policies, selectors
from .chain import HASHED_FIELDS, record_hash
from .events import describe
from .export import write_xlsx
from .forms import AlertAcknowledgeForm, AuditFilterForm
from .models import AuditAlert
from .services import audit_denied, audit_record
from .verify import verify_chain


def _deny_unless(allowed: bool, request, attempted: str) -> None:
    """Refuse with 403 and record the refusal; the record commits although the request fails."""
    if not allowed:
        audit_denied(actor=request.user, action=attempted, summary=request.path)
        raise PermissionDenied


def _object_type_label(label: str) -> str:
    """ "用户" rather than "accounts.user"; the code itself for a model that is gone."""
    if not label:
        return ""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def _int_param(request, name: str) -> int | None:
    return parse_id(request.GET.get(name) or None, name=name)


@require_GET
@login_required
def log(request):
    _deny_unless(policies.can_read_audit_log(request.user), request, "audit.view")
    form = AuditFilterForm(request.GET)
    records = selectors.records_filtered(**form.filters())
    page = selectors.keyset_page(
        records, before=_int_param(request, "before"), after=_int_param(request, "after")
    )
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "rows": [
                (record, describe(record), _object_type_label(record.object_type))
                for record in page.records
            ],
            "query": query.urlencode(),
            "head": selectors.chain_head(),
            "verification": selectors.latest_verification(),
            "action_suggestions": form.action_suggestions(),
        },
    )


@require_GET
@login_required
def detail(request, seq: int):
    _deny_unless(policies.can_read_audit_log(request.user), request, "audit.view")
    record = selectors.record_get(seq)
    if record is None:
        raise Http404
    values = {name: getattr(record, name) for name in HASHED_FIELDS}
    return render(
        request,
        "audit/detail.html",
        {
            "record": record,
            "description": describe(record),
            "changes_json": json.dumps(
                record.changes, ensure_ascii=False, indent=2, sort_keys=True
            ),
            # The record's own hash only; links to its neighbours are the verifier's job.
            "own_hash_ok": record_hash(record.prev_hash, values) == record.hash,
        },
    )


@require_GET
@login_required
def export(request):
    _deny_unless(policies.can_export_audit_log(request.user), request, "audit.export")
    form = AuditFilterForm(request.GET)
    filters = form.filters()
    records = selectors.records_filtered(**filters)
    # A temporary file, streamed back by FileResponse and removed when closed.
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    rows, truncated = write_xlsx(records, output)
    summary = _("导出 %(n)d 条") % {"n": rows}
    if truncated:
        summary += _("（已达 Excel 单表行数上限，仅含最新记录）")
    audit_record(
        actor=request.user,
        action="audit.export",
        summary=summary,
        changes={"filters": filters, "rows": rows, "truncated": truncated},
    )
    output.seek(0)
    filename = f"audit-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
    return FileResponse(output, as_attachment=True, filename=filename)


@require_POST
@login_required
def verify(request):
    _deny_unless(policies.can_verify_chain(request.user), request, "audit.verify")
    result = verify_chain()
    audit_record(
        actor=request.user,
        action="audit.verify",
        summary=result.message(),
        changes=result.as_dict(),
    )
    if result.ok:
        messages.success(request, result.message())
    else:
        audit_alerts.chain_broken(result)
        messages.error(request, result.message())
    return redirect("audit:log")


@require_GET
@login_required
def alerts(request):
    """Alarms about the audit function: the security and the audit administrator's."""
    _deny_unless(audit_alerts.may_see_alerts(request.user), request, "audit.alerts")
    return render(
        request,
        "audit/alerts.html",
        {
            "open": list(audit_alerts.open_alerts().select_related("acknowledged_by")),
            "closed": list(
                AuditAlert.objects.filter(acknowledged_at__isnull=False)
                .select_related("acknowledged_by")
                .order_by("-acknowledged_at")[:30]
            ),
            "form": AlertAcknowledgeForm(),
        },
    )


@require_POST
@login_required
def alert_acknowledge(request, pk: int):
    _deny_unless(audit_alerts.may_see_alerts(request.user), request, "audit.alert_ack")
    form = AlertAcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("处理说明过长。"))
        return redirect("audit:alerts")
    try:
        alert = audit_alerts.acknowledge(pk, actor=request.user, note=form.cleaned_data["note"])
    except AuditAlert.DoesNotExist:
        raise Http404 from None
    if alert is None:
        messages.info(request, _("该告警已由他人确认。"))
    else:
        messages.success(request, _("已确认告警。"))
    return redirect("audit:alerts")
