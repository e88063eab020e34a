"""Pages of the supervision app: 督办台账 (the items list), the leaders' board, statistics,
Excel exports, 催办 and its 催办通知单, the monthly 督查通报. Views are thin: reads in
`selectors`, writes in `services`, access through the kernel's policy."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengban.audit.services import audit_record
from zhengban.cases.access import CaseAccess
from zhengban.cases.errors import CaseError
from zhengban.cases.models import Case, CaseEvent
from zhengban.cases.policies import case_get_for
from zhengban.org.models import Unit
from zhengban.security.validation import InvalidParameter, parse_date, parse_id

from . import bulletin, export, selectors, services
from .casetype import CASE_TYPE
from .choices import Light, SourceKind

PAGE_SIZE = 50


def _board_user(request) -> None:
    if not selectors.may_see_board(request.user):
        raise PermissionDenied(_("督查统计仅供办公厅领导和处室人员查看。"))


def _period(request) -> selectors.Period:
    start = parse_date(request.GET.get("start"), name="start")
    end = parse_date(request.GET.get("end"), name="end")
    if start and end and start > end:
        raise InvalidParameter(_("开始日期不能晚于结束日期。"), code="period")
    return selectors.Period(start, end)


def _filters(request) -> dict:
    """The drill-down filters from the query string; bad values are a 400."""
    light = request.GET.get("light", "")
    if light and light not in Light.values:
        raise InvalidParameter(_("未知的状态灯：%(v)s") % {"v": light[:20]}, code="light")
    kind = request.GET.get("source_kind", "")
    if kind and kind not in SourceKind.values:
        raise InvalidParameter(_("未知的事项来源。"), code="source_kind")
    unit = parse_id(request.GET.get("unit"), name="unit")
    label = request.GET.get("source_label", "")[:200]
    return {
        "period": _period(request),
        "unit": unit,
        "source_kind": kind,
        "source_label": label,
        "light": light,
        "flagged": request.GET.get("flagged") == "1",
    }


@login_required
def item_list(request):
    """督办台账: the items the user may see, filtered as the board's drill-down links ask."""
    filters = _filters(request)
    window = selectors.Window.now()
    items = selectors.filtered(selectors.items_visible_to(request.user), window=window, **filters)
    page = Paginator(selectors.drill_down(items, window), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    unit = Unit.objects.filter(pk=filters["unit"]).first() if filters["unit"] else None
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/list.html",
        {
            "page": page,
            "filters": filters,
            "unit": unit,
            "lights": Light.choices,
            "source_kinds": SourceKind.choices,
            "query": query.urlencode(),
            "may_see_board": selectors.may_see_board(request.user),
            "new_url": f"{reverse('cases:create')}?type={CASE_TYPE}",
        },
    )


@login_required
def item_export(request):
    """The drill-down list as Excel (the same filters, the same policy), audited."""
    filters = _filters(request)
    window = selectors.Window.now()
    items = selectors.filtered(selectors.items_visible_to(request.user), window=window, **filters)
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    rows, truncated = export.write_items_xlsx(selectors.drill_down(items, window), output)
    audit_record(
        actor=request.user,
        action="supervision.export",
        summary=_("导出督办事项 %(n)d 条") % {"n": rows},
        changes={"query": request.GET.urlencode()[:500], "rows": rows, "truncated": truncated},
    )
    output.seek(0)
    name = f"supervision-items-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
    return FileResponse(output, as_attachment=True, filename=name)


@login_required
def board(request):
    """领导督查看板: lights, red flags, overdue units, sources, the monthly trend."""
    _board_user(request)
    window = selectors.Window.now()
    data = selectors.board(request.user, window, _period(request))
    return render(
        request,
        "supervision/board.html",
        {**data, "window": window, "yellow_days": selectors.yellow_workdays()},
    )


GROUP_LABELS = {"unit": _("按承办单位"), "source": _("按事项来源"), "month": _("按交办月份")}


def _group(request) -> str:
    group = request.GET.get("group", "unit")
    if group not in selectors.GROUPS:
        raise InvalidParameter(_("未知的统计口径。"), code="group")
    return group


@login_required
def statistics(request):
    _board_user(request)
    group = _group(request)
    period = _period(request)
    window = selectors.Window.now()
    rows, summary = selectors.statistics(request.user, group, period, window)
    return render(
        request,
        "supervision/statistics.html",
        {
            "group": group,
            "groups": [(k, str(v)) for k, v in GROUP_LABELS.items()],
            "rows": rows,
            "summary": summary,
            "period": period,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def statistics_export(request):
    _board_user(request)
    group = _group(request)
    period = _period(request)
    window = selectors.Window.now()
    rows, _summary = selectors.statistics(request.user, group, period, window)
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    export.write_statistics_xlsx(rows, str(GROUP_LABELS[group]), output)
    audit_record(
        actor=request.user,
        action="supervision.export_statistics",
        summary=_("导出督查统计（%(g)s）") % {"g": GROUP_LABELS[group]},
        changes={"query": request.GET.urlencode()[:500], "rows": len(rows)},
    )
    output.seek(0)
    name = f"supervision-statistics-{group}-{timezone.localtime():%Y%m%d}.xlsx"
    return FileResponse(output, as_attachment=True, filename=name)


def _item_case(request, pk: int) -> Case:
    case = case_get_for(request.user, pk, Case.objects.select_related("owner_unit"))
    if case.case_type != CASE_TYPE:
        raise Http404
    return case


@login_required
@require_POST
def escalate(request, pk: int):
    """催办 one step further (催办 → 催办通知单 → 领导督办)."""
    case = _item_case(request, pk)
    try:
        item = services.item_escalate(
            case=case, actor=request.user, message=request.POST.get("message", "")[:500]
        )
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已%(step)s。") % {"step": item.get_escalation_display()})
    return redirect("cases:detail", case.pk)


@login_required
@require_POST
def milestone_add(request, pk: int):
    """添加办理节点 (date and what is due) from the item's panel."""
    case = _item_case(request, pk)
    due = parse_date(request.POST.get("due_date"), name="due_date", required=True)
    try:
        services.milestone_add(
            case=case, actor=request.user, due_date=due, title=request.POST.get("title", "")
        )
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已添加办理节点。"))
    return redirect("cases:detail", case.pk)


@login_required
def notice(request, pk: int, seq: int):
    """The 催办通知单 of an escalation step, as a PDF: for the supervising side and the
    unit it is addressed to."""
    case = _item_case(request, pk)
    event = get_object_or_404(CaseEvent, case=case, seq=seq, action="supervision.notice")
    access = CaseAccess(request.user, case)
    if access.external:
        lead = case.supervision.lead_unit_id
        if not any(a.unit_id == lead and lead in access.unit_ids for a in access.assignments):
            raise Http404
    pdf = services.notice_pdf(case, event)
    audit_record(
        actor=request.user,
        action="supervision.notice_read",
        target=case,
        summary=event.data.get("notice_number", ""),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{case.pk}-{seq}.pdf"'
    return response


@login_required
def bulletin_page(request):
    """督查通报: the month's statistics as a draft bulletin — a 发文 draft when the 发文
    flow is installed, else a PDF."""
    _board_user(request)
    month = request.GET.get("month") or request.POST.get("month") or bulletin.last_month()
    try:
        period = selectors.month_period(month)
    except (ValueError, TypeError):
        raise InvalidParameter(_("月份格式应为 YYYY-MM。"), code="month") from None
    content = bulletin.bulletin_content(request.user, month, period)
    here = f"{reverse('supervision:bulletin')}?month={month}"
    if request.method == "POST":
        if not bulletin.outgoing_available():
            messages.error(request, _("发文流程尚未启用，请下载PDF版通报。"))
            return redirect(here)
        try:
            case = bulletin.bulletin_draft(actor=request.user, content=content)
        except CaseError as error:
            messages.error(request, str(error))
            return redirect(here)
        messages.success(request, _("已生成督查通报发文稿：%(n)s") % {"n": case.number})
        return redirect("cases:detail", case.pk)
    if request.GET.get("format") == "pdf":
        unit = services.default_supervisor_or_none(request.user)
        if unit is None:
            raise PermissionDenied(_("只有办公厅处室人员或领导可以生成督查通报。"))
        audit_record(actor=request.user, action="supervision.bulletin", summary=content["title"])
        response = HttpResponse(
            bulletin.bulletin_pdf(unit, content), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="bulletin-{month}.pdf"'
        return response
    return render(
        request,
        "supervision/bulletin.html",
        {
            "month": month,
            "content": content,
            "as_outgoing": bulletin.outgoing_available(),
        },
    )
