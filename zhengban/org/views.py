"""Organization pages. Thin: reads come from selectors, writes from services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import policies, selectors, services
from .choices import StaffingCategory
from .forms import ExternalImportForm
from .personal import LABELS, audit_full_view, personal_values
from .regulation import post_label


@login_required
def chart(request):
    return render(request, "org/chart.html", {"roots": selectors.organization_chart()})


@login_required
def unit_detail(request, pk: int):
    unit = selectors.unit_get(pk)
    return render(
        request,
        "org/unit.html",
        {
            "unit": unit,
            "head": selectors.unit_head(unit),
            "duties": selectors.unit_duties(unit),
            "appointments": unit.current_appointments,
        },
    )


@login_required
def staffing(request):
    quotas = list(selectors.quotas_with_use())
    posts = list(selectors.posts_with_use())
    rows = [
        {
            "organization": q.organization,
            "label": StaffingCategory(q.category).label,
            "approved": q.approved,
            "filled": q.filled,
            "vacant": q.vacant,
            "over": q.over,
        }
        for q in quotas
    ]
    post_rows = [
        {
            "organization": p.organization,
            "label": post_label(p.title, p.grade),
            "approved": p.count,
            "filled": p.filled,
            "vacant": p.vacant,
            "over": p.over,
        }
        for p in posts
    ]

    def part(title, items):
        return {
            "title": title,
            "labels": [f"{r['organization'].name} {r['label']}" for r in items],
            "approved": [r["approved"] for r in items],
            "filled": [r["filled"] for r in items],
        }

    chart_data = {
        "quotas": part(_("人员编制"), rows),
        "posts": part(_("领导职数"), post_rows),
        "approvedName": _("核定"),
        "filledName": _("实有"),
    }
    return render(
        request,
        "org/staffing.html",
        {"rows": rows, "post_rows": post_rows, "chart_data": chart_data},
    )


@login_required
def person_detail(request, pk: int):
    person = selectors.person_get(pk)
    values = personal_values(request.user, person)
    audit_full_view(request.user, person, values, where=_("人员页面"))
    rows = [
        {"field": field, "label": LABELS[field], "value": value, "masked": masked}
        for field, (value, masked) in (values or {}).items()
    ]
    return render(
        request,
        "org/person.html",
        {
            "person": person,
            "show_personal": values is not None,
            "personal_rows": rows,
            "appointments": person.appointments.all(),
        },
    )


@login_required
def external(request):
    can_import = policies.can_import_external_units(request.user)
    form = ExternalImportForm()
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied(_("只有系统管理员可以导入承办单位。"))
        form = ExternalImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = services.external_units_import(
                    file=form.cleaned_data["file"], actor=request.user
                )
            except services.ImportRefused as refusal:
                for row, message in refusal.errors:
                    form.add_error(
                        "file", _("第%(n)d行：%(m)s") % {"n": row, "m": message} if row else message
                    )
            else:
                messages.success(
                    request,
                    _("导入完成：新增%(c)d个，更新%(u)d个。")
                    % {"c": result.created, "u": result.updated},
                )
                return redirect("org:external")
    query = request.GET.get("q", "").strip()
    page = Paginator(selectors.external_units(query), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "org/external.html",
        {"page": page, "query": query, "form": form if can_import else None},
        status=400 if form.errors else 200,
    )


@login_required
def regulation(request, pk: int):
    regulation = selectors.regulation_get(pk)
    return render(
        request,
        "org/regulation.html",
        {"regulation": regulation, "segments": selectors.regulation_segments(regulation)},
    )
