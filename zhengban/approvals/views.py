"""The 签报单 download: the slip of a 签报 the user may read (the kernel's visibility, 404
otherwise), recorded as a read in the audit trail."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhengban.cases.access import CaseAccess
from zhengban.cases.policies import case_get_for

from .selectors import slip_cases
from .slip import render_slip, slip_data


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
