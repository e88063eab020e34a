"""Pages of 批示: the 批示件台账 (and its Excel), a stand-alone 批示 recorded from a paper 呈批件,
a 批示 given on a case from its page's panel, and one 批示's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhengban.cases.errors import CaseError, PermissionRefused

from . import policies, selectors, services
from .forms import InstructionForm, LedgerFilterForm
from .models import Instruction

PAGE_SIZE = 50


def _ledger_rows(request):
    if not policies.may_open_ledger(request.user):
        raise PermissionDenied(_("批示件台账仅供领导本人和秘书一处、秘书二处、督查室查阅。"))
    form = LedgerFilterForm(request.GET or None, user=request.user)
    if request.GET and not form.is_valid():
        return form, None
    filters = form.filters() if request.GET else selectors.LedgerFilters()
    return form, selectors.ledger(request.user, filters)


@login_required
@require_GET
def ledger(request):
    form, rows = _ledger_rows(request)
    if rows is None:
        return render(request, "instructions/ledger.html", {"form": form, "page": None}, status=400)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "instructions/ledger.html",
        {
            "form": form,
            "page": page,
            "rows": selectors.decorate(page.object_list, request.user),
            "query": query.urlencode(),
            "may_record": policies.may_record(request.user),
            "everyone": policies.is_secretary(request.user),
        },
    )


@login_required
@require_GET
def ledger_export(request):
    """The 台账 as it is filtered, as an Excel file (audited)."""
    import tempfile

    from django.http import FileResponse, HttpResponseBadRequest
    from django.utils import timezone

    from zhengban.audit.services import audit_record

    from .export import write_ledger_xlsx

    _form, rows = _ledger_rows(request)
    if rows is None:
        return HttpResponseBadRequest(_("筛选条件有误。"))
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    count, truncated = write_ledger_xlsx(rows, output, user=request.user)
    audit_record(
        actor=request.user,
        action="instructions.export",
        summary=_("导出批示件台账 %(n)d 条") % {"n": count},
        changes={"query": request.GET.urlencode()[:500], "rows": count, "truncated": truncated},
    )
    output.seek(0)
    filename = f"instructions-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
    return FileResponse(output, as_attachment=True, filename=filename)


def _created(request, instruction) -> None:
    if instruction.item_id:
        messages.success(
            request,
            _("已登记批示，并列入督办：%(number)s。") % {"number": instruction.item.number},
        )
    else:
        messages.success(request, _("已登记批示。"))


@login_required
@require_http_methods(["GET", "POST"])
def record(request):
    """A stand-alone 批示 from a paper 呈批件 (a leader's own, or 代录 by a secretary)."""
    if not policies.may_record(request.user):
        raise PermissionDenied(_("只有领导本人和秘书一处、秘书二处、督查室可以录入领导批示。"))
    form = InstructionForm(request.POST or None, user=request.user, standalone=True)
    if request.method == "POST" and form.is_valid():
        try:
            instruction = services.instruction_create(actor=request.user, **form.service_kwargs())
        except PermissionRefused as error:
            raise PermissionDenied(str(error)) from error
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            _created(request, instruction)
            return redirect("instructions:detail", instruction.pk)
    return render(
        request,
        "instructions/record.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def give(request, case_pk: int):
    """A 批示 on a case, from the panel of its page (GET: the form, loaded into the panel
    when its box opens, or as a page without JS): the case is loaded through the kernel's
    policy (404 for missing or unseen), the kernel's access decides who may."""
    from zhengban.cases.access import CaseAccess
    from zhengban.cases.selectors import case_for_page

    case = case_for_page(request.user, case_pk)
    if not policies.may_give_on_case(request.user, CaseAccess(request.user, case)):
        raise PermissionDenied(_("只有领导（或代录的秘书）可以在事项上登记批示。"))
    if request.method == "GET":
        form = InstructionForm(user=request.user)
        template = "instructions/give.html#give-form" if request.htmx else "instructions/give.html"
        return render(request, template, {"form": form, "case": case})
    form = InstructionForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            instruction = services.instruction_create(
                actor=request.user, case=case, **form.service_kwargs()
            )
        except PermissionRefused as error:
            raise PermissionDenied(str(error)) from error
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            _created(request, instruction)
            return redirect(reverse("cases:detail", args=[case.pk]) + "#instructions")
    return render(request, "instructions/give.html", {"form": form, "case": case}, status=400)


@login_required
@require_GET
def detail(request, pk: int):
    """One 批示: for the ledger's readers, and for whoever may read the case it is on."""
    from zhengban.cases.access import CaseAccess

    rows = selectors.with_handling(Instruction.objects.filter(pk=pk)).select_related(
        "leader", "recorded_by", "case", "item", "lead_unit"
    )
    instruction = rows.first()
    if instruction is None:
        raise Http404
    allowed = policies.instructions_visible_to(request.user).filter(pk=pk).exists()
    if not allowed and instruction.case is not None:
        allowed = CaseAccess(request.user, instruction.case).may_read(instruction)
    if not allowed:
        raise Http404
    row = selectors.decorate([instruction], request.user)[0]
    return render(
        request,
        "instructions/detail.html",
        {
            "i": row,
            "units": list(instruction.units.all()),
            "ledger": policies.may_open_ledger(request.user),
        },
    )
