from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengban.audit.services import audit_denied
from zhengban.security.formtokens import FIELD, FormTokenError, form_token_spend
from zhengban.security.validation import parse_date, parse_int

from . import deadlines, forms, policies, selectors, services

OVERRIDE_PURPOSE = "workcalendar.override_set"
YEAR_PURPOSE = "workcalendar.year_set"


def _month(value: str | None, today: date) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if 1900 <= year <= 2200 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


@login_required
def index(request):
    today = timezone.localdate()
    year, month = _month(request.GET.get("month"), today)
    return render(
        request,
        "workcalendar/index.html",
        {
            "grid": selectors.month_grid(year, month, today=today),
            "rules": list(deadlines.RULES.values()),
            "years": selectors.calendar_years(),
            "package_range": selectors.package_range(),
            "can_edit": policies.can_edit_calendar(request.user),
            "manage_year": _shown_year(year),
        },
    )


# --- the system administrator's maintenance pages ------------------------------------------


def _deny_unless_editor(request, attempted: str) -> None:
    """403 for everyone but the system administrator; the refusal is recorded (outside any
    transaction, so it stays although the request fails)."""
    if not policies.can_edit_calendar(request.user):
        audit_denied(actor=request.user, action=attempted, summary=request.path)
        raise PermissionDenied


def _shown_year(value) -> int:
    """A supported year to show; anything else shows this year."""
    if isinstance(value, int) and services.FIRST_YEAR <= value <= services.LAST_YEAR:
        return value
    return timezone.localdate().year


def _manage_page(
    request, year: int, *, override_form=None, year_form=None, error: str = "", status=200
):
    row = selectors.calendar_year_of(year)
    if year_form is None:
        year_form = forms.YearForm(
            initial={
                "year": year,
                "complete": row.complete if row else True,
                "source": row.source if row else "",
            }
        )
    return render(
        request,
        "workcalendar/manage.html",
        {
            "year": year,
            "previous_year": year - 1 if year > services.FIRST_YEAR else None,
            "next_year": year + 1 if year < services.LAST_YEAR else None,
            "overrides": selectors.overrides_of_year(year),
            "year_row": row,
            "years": selectors.calendar_years(),
            "override_form": override_form or forms.OverrideForm(initial={"note": ""}),
            "year_form": year_form,
            "error": error,
            "first_year": services.FIRST_YEAR,
            "last_year": services.LAST_YEAR,
        },
        status=status,
    )


def _to_year(year: int):
    return redirect(f"{reverse('workcalendar:manage')}?year={year}")


@require_GET
@login_required
def manage(request):
    """A year's adjustments with the forms to add, change and delete them and to mark the
    year's notice entered in full. `?date=` fills the form with that day's adjustment."""
    _deny_unless_editor(request, "workcalendar.manage")
    day = parse_date(request.GET.get("date"), name="date")
    year = parse_int(
        request.GET.get("year"),
        name="year",
        minimum=services.FIRST_YEAR,
        maximum=services.LAST_YEAR,
    )
    year = _shown_year(year if year is not None else day.year if day else None)
    override_form = None
    if day is not None:
        existing = selectors.override_on(day)
        initial = {"date": day}
        if existing is not None:
            initial.update(
                kind=forms.WORKDAY if existing.is_workday else forms.REST, note=existing.note
            )
        override_form = forms.OverrideForm(initial=initial)
    return _manage_page(request, year, override_form=override_form)


@require_POST
@login_required
def override_set(request):
    _deny_unless_editor(request, "workcalendar.override_set")
    form = forms.OverrideForm(request.POST)
    if not form.is_valid():
        day = form.cleaned_data.get("date")
        return _manage_page(
            request, _shown_year(day.year if day else None), override_form=form, status=400
        )
    day = form.cleaned_data["date"]
    try:
        # The token is spent in the write's transaction: of two submissions of one form,
        # exactly one writes.
        with transaction.atomic():
            form_token_spend(request.POST.get(FIELD), user=request.user, purpose=OVERRIDE_PURPOSE)
            override = services.calendar_override_set(
                date=day,
                is_workday=form.is_workday,
                note=form.cleaned_data["note"],
                actor=request.user,
            )
    except ValidationError as error:
        form.add_error(None, error)
        return _manage_page(request, _shown_year(day.year), override_form=form, status=400)
    except FormTokenError as error:
        return _manage_page(request, _shown_year(day.year), error=error.message, status=400)
    messages.success(request, _("已保存：%(override)s。") % {"override": override})
    return _to_year(day.year)


@require_http_methods(["GET", "POST"])
@login_required
def override_delete(request, pk: int):
    """GET asks for confirmation; the confirming POST deletes."""
    _deny_unless_editor(request, "workcalendar.override_delete")
    override = selectors.override_get(pk)
    if override is None:
        raise Http404
    purpose = f"workcalendar.override_delete:{override.pk}"
    if request.method == "POST":
        try:
            with transaction.atomic():
                form_token_spend(request.POST.get(FIELD), user=request.user, purpose=purpose)
                services.calendar_override_delete(override=override, actor=request.user)
        except FormTokenError as error:
            return render(
                request,
                "workcalendar/override_delete.html",
                {"override": override, "error": error.message},
                status=400,
            )
        messages.success(request, _("已删除：%(override)s。") % {"override": override})
        return _to_year(override.date.year)
    return render(request, "workcalendar/override_delete.html", {"override": override})


@require_POST
@login_required
def year_set(request):
    _deny_unless_editor(request, "workcalendar.year_set")
    form = forms.YearForm(request.POST)
    if not form.is_valid():
        return _manage_page(
            request, _shown_year(form.cleaned_data.get("year")), year_form=form, status=400
        )
    data = form.cleaned_data
    year = data["year"]
    try:
        with transaction.atomic():
            form_token_spend(request.POST.get(FIELD), user=request.user, purpose=YEAR_PURPOSE)
            services.calendar_year_set(
                year=year,
                complete=data["complete"],
                source=data["source"].strip(),
                actor=request.user,
            )
    except ValidationError as error:
        form.add_error(None, error)
        return _manage_page(request, _shown_year(year), year_form=form, status=400)
    except FormTokenError as error:
        return _manage_page(request, _shown_year(year), error=error.message, status=400)
    if data["complete"]:
        done = _("已标记%(year)d年节假日安排已完整录入。")
    else:
        done = _("已取消%(year)d年的完整录入标记，该年期限按临时结果计算。")
    messages.success(request, done % {"year": year})
    return _to_year(year)
