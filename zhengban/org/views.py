"""Organization pages. Thin: reads come from selectors, writes from services."""

import base64
import binascii
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengban.security.formtokens import FIELD as FORM_TOKEN_FIELD
from zhengban.security.formtokens import FormTokenError, form_token_spend

from . import policies, selectors, services
from .choices import StaffingCategory
from .forms import ExternalImportForm
from .personal import LABELS, audit_full_view, personal_values
from .regulation import post_label


@login_required
def chart(request):
    return render(
        request,
        "org/chart.html",
        {
            "roots": selectors.organization_chart(),
            "can_load": policies.can_load_regulation(request.user),
        },
    )


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


# --- loading a regulation or an amending notice -----------------------------------------------

REGULATION_MAX_BYTES = 2 * 1024 * 1024
LOAD_PURPOSE = "org.regulation_load"


def _organization_choices():
    return [("", _("按通知所写名称自动识别"))] + [
        (n, n) for n in selectors.active_organization_names()
    ]


class RegulationUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("三定规定或调整通知"),
        help_text=gettext_lazy("文本文件（UTF-8或GB18030），不超过2 MB。"),
    )
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200, required=False)
    organization = forms.ChoiceField(
        label=gettext_lazy("所调整的机构"),
        required=False,
        help_text=gettext_lazy("仅用于调整通知：通知所写名称对应多个已载入机构时指定。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = _organization_choices()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > REGULATION_MAX_BYTES:
            raise forms.ValidationError(_("文件超过2 MB，不能载入。"))
        return upload


class RegulationApplyForm(forms.Form):
    """The reviewed text (base64, so line ends survive the round trip) and its diff digest."""

    text = forms.CharField(widget=forms.HiddenInput, max_length=REGULATION_MAX_BYTES * 2)
    title = forms.CharField(widget=forms.HiddenInput, max_length=200)
    organization = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)
    digest = forms.RegexField(widget=forms.HiddenInput, regex=r"^[0-9a-f]{64}$")
    accept_over_quota = forms.BooleanField(
        label=gettext_lazy("已核实超编情况，仍然应用"), required=False
    )

    def clean_text(self):
        try:
            return base64.b64decode(self.cleaned_data["text"], validate=True).decode("utf-8")
        except (binascii.Error, ValueError) as error:
            raise forms.ValidationError(_("提交的内容已损坏，请重新上传文件。")) from error


def _review(request, result, *, text, title, organization, status=200, error=""):
    apply_form = RegulationApplyForm(
        initial={
            "text": base64.b64encode(text.encode("utf-8")).decode("ascii"),
            "title": title,
            "organization": organization,
            "digest": result.digest,
        }
    )
    target = result.organization.name if result.organization else ""
    if not target and result.diffs:
        target = result.diffs[0].name
    return render(
        request,
        "org/regulation_load.html",
        {
            "result": result,
            "target": target,
            "title": title,
            "apply_form": apply_form,
            "diff_lines": result.diff_lines(),
            "error": error,
        },
        status=status,
    )


@login_required
def regulation_load(request):
    """Upload a 三定 regulation or an amending notice, review the diff, then apply it."""
    if not policies.can_load_regulation(request.user):
        raise PermissionDenied(_("只有系统管理员可以载入三定规定。"))
    if request.method == "POST" and "digest" in request.POST:
        return _regulation_apply(request)
    form = RegulationUploadForm()
    status = 200
    if request.method == "POST":
        form = RegulationUploadForm(request.POST, request.FILES)
        if form.is_valid():
            from zhengban.org.sanding import SandingError, decode_bytes

            upload = form.cleaned_data["file"]
            title = form.cleaned_data["title"] or Path(upload.name).stem[:200]
            organization = form.cleaned_data["organization"]
            try:
                text = decode_bytes(upload.read())
                result = services.regulation_load(
                    text=text,
                    title=title,
                    actor=request.user,
                    organization=organization or None,
                    create_at_once=False,
                )
            except SandingError as error:
                form.add_error("file", str(error))  # one line, Chinese / English
            except services.AmbiguousOrganization as error:
                form.add_error("organization", str(error))
            except services.RegulationLoadError as error:
                form.add_error("file", str(error))
            else:
                return _review(request, result, text=text, title=title, organization=organization)
        status = 400
    return render(request, "org/regulation_load.html", {"form": form}, status=status)


def _upload_page(request, error: str, status: int):
    """The upload form again, with why the submission was refused."""
    return render(
        request,
        "org/regulation_load.html",
        {"form": RegulationUploadForm(), "error": error},
        status=status,
    )


def _regulation_apply(request):
    form = RegulationApplyForm(request.POST)
    if not form.is_valid():
        return _upload_page(request, _("提交的内容不完整或已损坏，请重新上传文件。"), 400)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            form_token_spend(
                request.POST.get(FORM_TOKEN_FIELD), user=request.user, purpose=LOAD_PURPOSE
            )
            result = services.regulation_load(
                text=data["text"],
                title=data["title"],
                actor=request.user,
                apply=True,
                organization=data["organization"] or None,
                accept_over_quota=data["accept_over_quota"],
                expect_digest=data["digest"],
                create_at_once=False,
            )
    except (FormTokenError, services.RegulationLoadError) as error:
        # A diff that changed since the review is a conflict; a spent token is bad input.
        status = 400 if isinstance(error, FormTokenError) else 409
        return _upload_page(request, getattr(error, "message", None) or str(error), status)
    if result.blocked:
        return _review(
            request,
            result,
            text=data["text"],
            title=data["title"],
            organization=data["organization"],
            status=400,
            error=_("调整后的编制或领导职数少于实有人数：核实后勾选确认再应用。"),
        )
    name = result.organization.name if result.organization else ""
    if result.applied or result.created:
        messages.success(request, _("已应用到%(name)s。") % {"name": name})
    else:
        messages.info(request, _("%(name)s：无变化。") % {"name": name})
    if result.regulation is not None:
        return redirect("org:regulation", pk=result.regulation.pk)
    return redirect("org:chart")
