"""The archive's pages: the 归档文件目录 (DA/T 22-2015 §5.5) with its filters, each item's
archived PDF (re-checked against its SM3 digest: 409 when it changed), and a year's transfer
package as a zip (`archive.build_package`). Who may open them is `policies.may_open_archive`;
a refusal is audited where it is decided, then answered 403."""

from __future__ import annotations

import io
import os
import shutil
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhengban.audit.services import audit_denied, audit_record

from . import archive_services, policies, selectors
from .models import Retention

PAGE_SIZE = 25


def keepers(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not policies.may_open_archive(request.user):
            audit_denied(actor=request.user, action="documents.archive", summary=request.path[:200])
            raise PermissionDenied(_("归档文件仅供文电处和办公厅领导查阅。"))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


class RegisterFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int, required=False)
    retention = forms.ChoiceField(label=gettext_lazy("保管期限"), required=False)
    unit_code = forms.ChoiceField(label=gettext_lazy("机构（问题）代码"), required=False)
    doc_type = forms.ChoiceField(label=gettext_lazy("文种"), required=False)
    q = forms.CharField(label=gettext_lazy("题名或文号"), required=False, max_length=100)

    def __init__(self, *args, choices: selectors.RegisterChoices, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("全部"))]
        years = list(choices.years)
        asked = str(self.data.get("year", "")).strip()
        # A year without items yet (a bookmark, the year just begun) lists nothing, not a 400.
        if asked.isascii() and asked.isdigit() and 1900 <= int(asked) <= 9999:
            years = sorted({*years, int(asked)}, reverse=True)
        self.fields["year"].choices = every + [(y, str(y)) for y in years]
        self.fields["retention"].choices = every + list(Retention.choices)
        self.fields["unit_code"].choices = every + [(c, c) for c in choices.unit_codes]
        self.fields["doc_type"].choices = every + [(t, t) for t in choices.doc_types]

    def filters(self) -> selectors.RegisterFilters:
        data = self.cleaned_data
        return selectors.RegisterFilters(
            year=data.get("year") or None,
            retention=data.get("retention") or "",
            unit_code=data.get("unit_code") or "",
            doc_type=data.get("doc_type") or "",
            q=(data.get("q") or "").strip(),
        )


@keepers
@require_GET
def register(request):
    """归档文件目录: 档号, 件号, 文号, 责任者, 题名, 日期, 页数, 密级, 保管期限, 备注."""
    choices = selectors.register_choices(request.user)
    form = RegisterFilterForm(request.GET or None, choices=choices)
    if request.GET and not form.is_valid():
        return render(
            request,
            "documents/archive_register.html",
            {"form": form, "page": None, "choices": choices},
            status=400,
        )
    filters = form.filters() if request.GET else selectors.RegisterFilters()
    page = Paginator(selectors.archive_register(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "documents/archive_register.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "choices": choices,
            "package_year": filters.year or (choices.years[0] if choices.years else None),
            "fonds": filters_fonds(choices),
        },
    )


def filters_fonds(choices: selectors.RegisterChoices) -> str:
    """The 全宗 a package is built for: the deployment's, else the only one on record."""
    own = archive_services.fonds()
    if own in choices.fonds or len(choices.fonds) != 1:
        return own
    return choices.fonds[0]


def _refused(request, item) -> object:
    audit_record(
        actor=request.user,
        action="documents.archive_refused",
        target=item,
        summary=f"{item.archival_code}：SM3 校验值不符"[:500],
    )
    return render(request, "documents/archive_refused.html", {"items": [item]}, status=409)


@keepers
@require_GET
def item_file(request, pk: int):
    """The archived PDF (with its 归档章), if it still has the digest it was filed with."""
    item = selectors.archive_item_for(request.user, pk)
    if item is None:
        raise Http404
    if not archive_services.item_intact(item):
        return _refused(request, item)
    audit_record(
        actor=request.user,
        action="documents.archive_download",
        target=item,
        summary=item.archival_code,
    )
    response = FileResponse(
        io.BytesIO(bytes(item.file)),
        as_attachment=True,
        filename=item.file_name,
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{escape_uri_path(item.file_name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class _PackageFile(io.FileIO):
    """The zip on disk; closing it (after the response is sent) removes its directory."""

    def close(self):
        try:
            super().close()
        finally:
            shutil.rmtree(os.path.dirname(self.name), ignore_errors=True)


@keepers
@require_GET
def package(request):
    """A year's transfer package (归档数据包): files, manifest.csv/.xml and SM3SUMS, zipped."""
    from zhengban.security.validation import parse_int

    year = parse_int(
        request.GET.get("year"), name="year", minimum=1900, maximum=9999, required=True
    )
    fonds = (request.GET.get("fonds") or archive_services.fonds())[:4]
    items, hidden = selectors.package_items(request.user, fonds=fonds, year=year)
    if hidden:
        audit_denied(actor=request.user, action="documents.archive_package", summary=request.path)
        raise PermissionDenied(_("该年度有超出您密级的归档文件，不能导出完整的移交数据包。"))
    if not items:
        messages.error(
            request, _("%(fonds)s全宗%(year)s年度没有归档文件。") % {"fonds": fonds, "year": year}
        )
        return redirect("documents:archive")
    changed = [item for item in items if not archive_services.item_intact(item)]
    if changed:
        for item in changed:
            audit_record(
                actor=request.user,
                action="documents.archive_refused",
                target=item,
                summary=f"{item.archival_code}：SM3 校验值不符"[:500],
            )
        return render(request, "documents/archive_refused.html", {"items": changed}, status=409)
    path = archive_services.package_zip(items, fonds=fonds, year=year)
    audit_record(
        actor=request.user,
        action="documents.archive_package",
        target=items[0],
        summary=f"{path.name}（{len(items)}件）",
        changes={"fonds": fonds, "year": year, "items": len(items)},
    )
    response = FileResponse(
        _PackageFile(path), as_attachment=True, filename=path.name, content_type="application/zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response
