"""Pages of the router: ask who is responsible, record the decision, undo a correction.
Thin: reads come from selectors, writes from services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import policies, selectors, services
from .models import RoutingCorrection

MAX_TOP = 10
MAX_TEXT = 5000


def _int(value, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value)))
    except (TypeError, ValueError):
        return default


SCOPES = ("internal", "external", "all")


def _scope(value) -> str:
    return value if value in SCOPES else "all"


def _suggestions(request, text: str, top: int = 3, field: str = "", scope: str = "all") -> dict:
    """Context of routing/_suggestions.html: for scope "all" two lists, the office's own
    unit that should handle the text and the handling units to 转办/交办 it to."""
    context = {
        "text": text,
        "matches": [],
        "lists": [],
        "choices": [],
        "field": field,
        "scope": scope,
        "unavailable": False,
        "can_confirm": policies.can_confirm(request.user),
    }
    try:
        index = selectors.routing_index()
    except selectors.RoutingUnavailable:
        context["unavailable"] = True
        return context
    if text:
        scopes = ("internal", "external") if scope == "all" else (scope,)
        context["lists"] = [(s, index.route(text, top=top, scope=s)) for s in scopes]
        context["matches"] = [m for _s, matches in context["lists"] for m in matches]
        context["choices"] = [(t.key, t.name) for t in index.targets]
    context["suggested"] = context["matches"][0].key if context["matches"] else ""
    return context


def _corrections(request) -> dict:
    rows = [
        (c, not c.undone and policies.can_undo(request.user, c))
        for c in selectors.recent_corrections()
    ]
    return {"corrections": rows}


@login_required
@require_GET
def ask(request):
    text = request.GET.get("text", "").strip()[:MAX_TEXT]
    top = _int(request.GET.get("top"), 3, 1, MAX_TOP)
    context = _suggestions(request, text, top, scope=_scope(request.GET.get("scope")))
    context.update(_corrections(request))
    return render(request, "routing/ask.html", context)


@login_required
@require_GET
def suggest(request):
    """The ranked units for ?text=… as a fragment. Other apps' 拟办 forms load it with htmx;
    with ?field=<name> each unit is a radio input of that name inside the host form;
    ?scope=internal|external|all (default all: both lists)."""
    # A host form sends its own title and body fields (no inline script under the CSP).
    parts = [request.GET.get(name, "") for name in ("text", "title", "body")]
    text = "\n".join(p.strip() for p in parts if p.strip())[:MAX_TEXT]
    field = request.GET.get("field", "")
    if field and not field.replace("_", "").isalnum():
        field = ""
    top = _int(request.GET.get("top"), 3, 1, MAX_TOP)
    context = _suggestions(request, text, top, field, _scope(request.GET.get("scope")))
    return render(request, "routing/_suggestions.html", context)


@login_required
@require_POST
def confirm(request):
    text = request.POST.get("text", "").strip()[:MAX_TEXT]
    try:
        correction = services.routing_confirm(
            text=text,
            suggested=request.POST.get("suggested", ""),
            chosen=request.POST.get("chosen", ""),
            actor=request.user,
        )
    except selectors.RoutingUnavailable:
        ok, message = False, _("尚未载入三定规定，无法分办。")
    except ValidationError as error:
        ok, message = False, " ".join(error.messages)
    else:
        ok = True
        message = (
            _("已改由%(unit)s办理，今后类似来文将参考这一决定。") % {"unit": correction.chosen_name}
            if correction
            else _("已确认分办。")
        )
    if request.htmx:
        context = {"ok": ok, "message": message, **_corrections(request)}
        return render(request, "routing/_decision.html", context, status=200 if ok else 400)
    (messages.success if ok else messages.error)(request, message)
    return redirect(f"{reverse('routing:ask')}?{urlencode({'text': text})}")


@login_required
@require_POST
def undo(request, pk: int):
    correction = get_object_or_404(RoutingCorrection, pk=pk)
    try:
        services.routing_correction_undo(correction=correction, actor=request.user)
    except ValidationError as error:
        ok, message = False, " ".join(error.messages)
    else:
        ok, message = True, _("已撤销该分办纠正。")
    if request.htmx:
        context = {"ok": ok, "message": message, **_corrections(request)}
        return render(request, "routing/_decision.html", context, status=200 if ok else 400)
    (messages.success if ok else messages.error)(request, message)
    return redirect("routing:ask")
