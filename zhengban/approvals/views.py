"""The 签报单 download: the slip of a 签报 the user may read (the kernel's visibility, 404
otherwise), recorded as a read in the audit trail. The 请示事项类别 page: the system
administrator lists, adds, renames, reorders and retires the office's categories."""

from __future__ import annotations

import copy
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhengban.audit.services import audit_denied
from zhengban.cases.access import CaseAccess
from zhengban.cases.policies import case_get_for
from zhengban.security.formtokens import FIELD, FormTokenError, form_token_spend

from . import policies, selectors, services
from .forms import CategoryEditForm, CategoryForm
from .selectors import slip_cases
from .slip import render_slip, slip_data

ADD_PURPOSE = "approvals.category_add"


def approval_for(user, pk: int):
    """The 签报 with what its slip reads; 404 when missing, not a 签报 or not visible."""
    case = case_get_for(user, pk, slip_cases())
    if not CaseAccess(user, case).visible:
        raise Http404
    return case


@login_required
@require_GET
def slip(request, pk: int):
    from zhengban.audit.services import audit_read

    case = approval_for(request.user, pk)
    pdf = render_slip(slip_data(case))
    audit_read(actor=request.user, target=case, summary=_("下载签报单"))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"签报单-{case.number}.pdf"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- 请示事项类别 ------------------------------------------------------------------------------


def _deny_unless_editor(request, attempted: str) -> None:
    """403 for anyone `can_edit_categories` refuses, the refusal recorded (it commits,
    although the request fails)."""
    if not policies.can_edit_categories(request.user):
        audit_denied(actor=request.user, action=attempted, summary=request.path)
        raise PermissionDenied


class _Invalid(Exception):
    """The form's errors: roll back the spent token, answer 400 with the form."""


def _list_page(request, form, *, error: str = "", status: int = 200):
    return render(
        request,
        "approvals/categories.html",
        {"categories": selectors.categories_with_use(), "form": form, "error": error},
        status=status,
    )


def _edit_page(request, category, form, *, error: str = "", status: int = 200):
    return render(
        request,
        "approvals/category_edit.html",
        {"category": category, "form": form, "error": error},
        status=status,
    )


def _fresh_edit_form(category) -> CategoryEditForm:
    values = services.category_values(category)
    return CategoryEditForm(
        instance=category, initial={"original": services.category_fingerprint(values)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def categories(request):
    """The list (名称, 代码, 排序, 在用, how many 签报 name each) and the form to add one."""
    adding = request.method == "POST"
    _deny_unless_editor(request, "approvals.category_add" if adding else "approvals.categories")
    if not adding:
        return _list_page(request, CategoryForm())
    form = CategoryForm(request.POST)
    try:
        # Token, validation and save in one transaction: of two submissions of one form,
        # exactly one creates the category; an invalid one leaves its token unspent.
        with transaction.atomic():
            form_token_spend(request.POST.get(FIELD), user=request.user, purpose=ADD_PURPOSE)
            if not form.is_valid():
                raise _Invalid
            category = services.category_save(category=form.instance, actor=request.user)
    except _Invalid:
        return _list_page(request, form, status=400)
    except FormTokenError as refusal:
        return _list_page(request, form, error=refusal.message, status=400)
    except ValidationError as refusal:
        return _list_page(request, form, error="；".join(refusal.messages), status=400)
    messages.success(request, _("已添加请示事项类别“%(name)s”。") % {"name": category.name})
    return redirect("approvals:categories")


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request, pk: int):
    """名称, 排序, 在用 of one category (the code stays); a stale form is refused with 409."""
    editing = request.method == "POST"
    _deny_unless_editor(request, "approvals.category_edit" if editing else "approvals.categories")
    category = selectors.category_get(pk)
    if category is None:
        raise Http404
    if not editing:
        return _edit_page(request, category, _fresh_edit_form(category))
    # The form changes its own copy: the page's heading keeps the stored values.
    form = CategoryEditForm(request.POST, instance=copy.copy(category))
    try:
        with transaction.atomic():
            form_token_spend(
                request.POST.get(FIELD),
                user=request.user,
                purpose=f"approvals.category_edit:{category.pk}",
            )
            if not form.is_valid():
                raise _Invalid
            services.category_save(
                category=form.instance,
                actor=request.user,
                expected=form.cleaned_data["original"],
            )
    except _Invalid:
        return _edit_page(request, category, form, status=400)
    except FormTokenError as refusal:
        return _edit_page(request, category, form, error=refusal.message, status=400)
    except ValidationError as refusal:
        return _edit_page(request, category, form, error="；".join(refusal.messages), status=400)
    except services.CategoryChanged as refusal:
        # The form again with the values as they are now, and a fresh `original`.
        current = selectors.category_get(pk)
        if current is None:
            raise Http404 from refusal
        return _edit_page(
            request, current, _fresh_edit_form(current), error=refusal.message, status=409
        )
    messages.success(request, _("已保存请示事项类别“%(name)s”。") % {"name": form.instance.name})
    return redirect("approvals:categories")
