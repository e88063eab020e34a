"""Pages of the case kernel: inbox, case page and its forms, create, workflow diagrams,
delegations, notifications, search. Thin: reads come from selectors, writes from services;
every case is reached through `case_get_for` (404 when missing or not visible).

Every form posts to its own URL and redirects back (post/redirect/get), so the pages work
without JavaScript; a refused action comes back as a message naming the reason."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengban.accounts.choices import Clearance
from zhengban.security.formtokens import FIELD as FORM_TOKEN
from zhengban.security.formtokens import FormTokenError, form_token_spend
from zhengban.security.validation import parse_id

from . import assignments, commands, comments, delegations, errors, forms, selectors, services
from .access import CaseAccess
from .assignments import report_reviewer
from .casetypes import body_label, case_type_or_none, derivable_from
from .choices import Audience, TaskKind
from .diagram import render_svg
from .errors import CaseError
from .models import Assignment, AssignmentReport, Delegation, Notification, Task
from .phrases import phrase_add, phrase_delete, phrases_of

PAGE_SIZE = 25


def _page(request, queryset, size: int = PAGE_SIZE):
    paginator = selectors.paginator(queryset, size, user=request.user)
    return paginator.get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _refused(request, error: CaseError) -> None:
    messages.error(request, str(error))


def _to_case(case_pk: int, anchor: str = ""):
    url = reverse("cases:detail", args=[case_pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


# --- inbox -----------------------------------------------------------------------------------


def _inbox(request):
    """(tab, filter form, the selected type's columns, rows) of the inbox request; the page
    and the Excel export list the same rows."""
    tab = request.GET.get("tab", "todo")
    if tab not in selectors.INBOX_TABS:
        tab = "todo"
    form = forms.InboxFilterForm(request.GET or None, units=selectors.filter_units(request.user))
    filters = form.to_filters()
    columns = selectors.type_columns(filters.case_type)
    rows = selectors.with_columns(selectors.inbox_queryset(request.user, tab, filters), columns)
    return tab, form, columns, rows


@login_required
@require_GET
def inbox(request):
    tab, form, columns, rows_qs = _inbox(request)
    page = _page(request, rows_qs)
    # Filtered to one type, the inbox is that type's register (收文, 发文, 签报).
    selected = selectors.workflow_or_none(form.to_filters().case_type or "")
    creatable = (
        selected if selected and not services.creation_refusal(request.user, selected) else None
    )
    rows = selectors.decorate_rows(page.object_list, user=request.user)
    for case in rows:
        case.extra_cells = [c.value(case) for c in columns]
    tabs = []
    for code, label in selectors.INBOX_TABS.items():
        params = request.GET.copy()
        params["tab"] = code
        params.pop("page", None)
        tabs.append({"code": code, "label": label, "query": params.urlencode()})
    return render(
        request,
        "cases/inbox.html",
        {
            "tab": tab,
            "tabs": tabs,
            "selected_type": selected,
            "creatable_type": creatable,
            "form": form,
            "columns": columns,
            "page": page,
            "rows": rows,
            "query": _query_without_page(request),
            "filtered": any(v for k, v in request.GET.items() if k not in ("tab", "page")),
        },
    )


@login_required
@require_GET
def inbox_export(request):
    """The inbox tab as an Excel file: the same rows the page lists, audited."""
    import tempfile

    from django.http import FileResponse
    from django.utils import timezone

    from zhengban.audit.services import audit_record

    from .export import write_cases_xlsx

    tab, _form, columns, rows_qs = _inbox(request)
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    rows, truncated = write_cases_xlsx(rows_qs, columns, output, user=request.user)
    audit_record(
        actor=request.user,
        action="cases.export",
        summary=_("导出事项清单 %(n)d 条") % {"n": rows},
        changes={
            "tab": tab,
            "query": request.GET.urlencode()[:500],
            "rows": rows,
            "truncated": truncated,
        },
    )
    output.seek(0)
    filename = f"cases-{tab}-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
    return FileResponse(output, as_attachment=True, filename=filename)


# --- the case page ---------------------------------------------------------------------------


def _action_forms(page: selectors.CasePage, pickers: forms.Pickers, wanted: str = "") -> list:
    """The page's action forms. Only the expected action's form (or `wanted`'s, ?form=<code>)
    is built with the page: the folded ones load when opened (htmx; without JS their link
    reloads the page with that form open) — their pickers were most of the page's time."""
    case = page.case
    items = []
    state = page.workflow.state(case.state) if page.workflow else None
    expected = state.expected if state else ""
    detail_url = reverse("cases:detail", args=[case.pk])

    def later(code: str, simple: bool, is_expected: bool) -> str:
        if simple or is_expected or code == wanted:
            return ""
        return f"{detail_url}?form={code}#action-{code}"

    # The action the state waits for comes first and open; the others stay folded.
    ordered = sorted(page.actions, key=lambda a: a.code != expected)
    for action in ordered:
        simple = not action.params and not action.comment_required
        is_expected = action.code == expected or (not expected and not items)
        lazy_url = later(action.code, simple, is_expected)
        items.append(
            {
                "code": action.code,
                "label": action.label,
                "form": None
                if lazy_url
                else forms.ActionForm(case=case, action=action, pickers=pickers),
                "lazy_url": lazy_url,
                "url": reverse("cases:perform", args=[case.pk, action.code]),
                "simple": simple,
                "blocked": page.blocked.get(action.code, ""),
                "expected": is_expected or action.code == wanted,
            }
        )
    kernel = []
    offered = page.workflow.state(case.state).side_actions if page.workflow else frozenset()
    if page.may_hold and not case.closed:
        kernel += [code for code in ("consult", "transfer") if code in offered]
    if page.may_hold and ("circulate" in offered or case.closed):
        kernel.append("circulate")
    if page.may_withdraw:
        kernel.append("withdraw")
    for code in kernel:
        lazy_url = later(code, code == "withdraw", False)
        items.append(
            {
                "code": code,
                "label": forms.KERNEL_ACTIONS[code],
                "form": None
                if lazy_url
                else forms.KernelActionForm(code=code, case=case, pickers=pickers),
                "lazy_url": lazy_url,
                "url": reverse("cases:perform", args=[case.pk, code]),
                "simple": code == "withdraw",
                "kernel": True,
                "expected": code == wanted,
            }
        )
    return items


def _assignment_forms(page: selectors.CasePage, pickers: forms.Pickers, wanted: str = ""):
    """The assignments with the forms their rows offer, folded: each loads when opened, like
    the folded actions (`wanted`: "a<assignment>-<verb>", the one built now)."""
    case = page.case
    detail_url = reverse("cases:detail", args=[case.pk])
    for view in page.assignments:
        a = view.assignment
        allowed = {
            "report": view.can_report,
            "record": view.can_record,
            "extend": view.can_extend,
            "return": view.can_return,
            "urge": view.can_urge,
            "waive": view.can_waive,
            "reassign": view.can_reassign,
        }
        view.forms = []
        for verb, ok in allowed.items():
            if not ok:
                continue
            code = f"a{a.pk}-{verb}"
            label = forms.ASSIGNMENT_VERBS[verb][1]
            view.forms.append(
                {
                    "code": code,
                    "verb": verb,
                    "label": label,
                    "form": forms.assignment_form(verb, a, pickers=pickers)
                    if code == wanted
                    else None,
                    "lazy_url": "" if code == wanted else f"{detail_url}?form={code}#{code}",
                    "url": reverse("cases:assignment", args=[case.pk, a.pk, verb]),
                    "expected": code == wanted,
                }
            )
    return page.assignments


def _action_fragment(request, case, code: str):
    """One folded action's or assignment's form, fetched when it is opened (htmx)."""
    page = selectors.case_page(request.user, case)
    pickers = forms.Pickers.for_case(case, request.user)
    items = _action_forms(page, pickers, wanted=code)
    items += [f for view in _assignment_forms(page, pickers, code) for f in view.forms]
    item = next((i for i in items if i["code"] == code and i["form"] is not None), None)
    if item is None:
        raise Http404
    if hasattr(item["form"], "offer"):
        item["form"].offer(phrases_of(request.user))
    return render(request, "cases/detail.html#action-form", {"item": item, "case": case})


# Tasks answered with an opinion in the task panel; the others are answered by the step
# they wait for (the actions, the assignment forms), which the page shows already.
ANSWERED_HERE = {TaskKind.COUNTERSIGN, TaskKind.CONSULT, TaskKind.CIRCULATE, TaskKind.HANDLE}


def _answered_here(task, user) -> bool:
    if _to_hand(task):
        return task.unit_id in user.led_unit_ids  # only the unit's head hands it on
    return task.kind in ANSWERED_HERE or task.kind == TaskKind.EXTENSION


def _to_hand(task) -> bool:
    """A unit's task no person has taken yet: its head may hand it on (处内分办). A task for
    the heads themselves (审核, 确认办结) is answered by the action it waits for."""
    return task.unit_id is not None and task.assignee_id is None and not task.heads_only


def _task_form(task, data=None):
    prefix = f"t{task.pk}"
    if task.kind == TaskKind.EXTENSION:
        return forms.ExtensionDecisionForm(data, prefix=prefix)
    if _to_hand(task):
        members = selectors.unit_people(task.unit_id)
        return forms.HandForm(data, prefix=prefix, members=members)
    return forms.OpinionForm(data, task=task, prefix=prefix)


def _comment_form(page):
    return _without_audience(page, forms.CommentForm())


def _attachment_form(page):
    return _without_audience(page, forms.AttachmentForm())


def _without_audience(page, form):
    if page.access.external:  # what they send is for the owner; the service says so
        del form.fields["audience"]
    return form


@login_required
@require_GET
def detail(request, pk: int):
    case = selectors.case_for_page(request.user, pk)
    wanted = request.GET.get("form", "")[:40]
    if wanted and request.htmx:
        return _action_fragment(request, case, wanted)
    read = services.task_mark_read(case=case, actor=request.user)
    if case.sensitivity >= Clearance.INTERNAL:
        from zhengban.audit.services import audit_read

        audit_read(actor=request.user, target=case, summary=_("查看事项"))
    page = selectors.case_page(request.user, case)
    pickers = forms.Pickers.for_case(case, request.user)
    assignments = _assignment_forms(page, pickers, wanted)
    phrases = phrases_of(request.user)
    my_tasks = [
        (task, _task_form(task)) for task in page.my_tasks if _answered_here(task, request.user)
    ]
    for _task, form in my_tasks:
        if hasattr(form, "offer"):
            form.offer(phrases)
    actions = _action_forms(page, pickers, wanted)
    for item in actions:
        if hasattr(item["form"], "offer"):
            item["form"].offer(phrases)
    return render(
        request,
        "cases/detail.html",
        {
            "p": page,
            "case": case,
            "panels": selectors.type_panels(request.user, case),
            "body_label": body_label(case.case_type),
            "related": selectors.related_cases(request.user, case),
            "may_review_reports": report_reviewer(page.access) is not None,
            "review_form": forms.ReportReviewForm(),
            "diagram": render_svg(page.workflow, current=case.state) if page.workflow else "",
            "assignments": assignments,
            "my_tasks": my_tasks,
            "actions": actions,
            "comment_form": _comment_form(page),
            "attachment_form": _attachment_form(page),
            "attachments_enabled": _attachments_module() is not None,
            "ordinary_system": settings.CLASSIFIED_SYSTEM_LEVEL < Clearance.SECRET,
            "read_now": read,
        },
    )


@login_required
@require_POST
def perform(request, pk: int, code: str):
    case = selectors.case_for_page(request.user, pk)
    try:
        label = commands.perform_action(user=request.user, case=case, code=code, data=request.POST)
    except CaseError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已%(action)s。") % {"action": label})
    return _to_case(case.pk)


@login_required
@require_POST
def task_opinion(request, pk: int, task_pk: int):
    case = selectors.case_for_page(request.user, pk)
    task = get_object_or_404(Task, pk=task_pk, case=case)
    form = _task_form(task, request.POST)
    if not form.is_valid():
        messages.error(request, forms.errors_text(form))
        return _to_case(case.pk, "tasks")
    try:
        done = _answer_task(task, form.cleaned_data, request.user)
    except CaseError as error:
        _refused(request, error)
    else:
        messages.success(request, done)
    return _to_case(case.pk, "tasks")


def _answer_task(task, cleaned, user) -> str:
    if task.kind == TaskKind.EXTENSION:
        approve = cleaned["decision"] == "approve"
        assignments.extension_decide(
            task=task, actor=user, approve=approve, reason=cleaned["reason"]
        )
        return _("已批准延期。") if approve else _("已退回延期申请。")
    if "to_user" in cleaned:
        services.task_hand(task=task, actor=user, to_user=cleaned["to_user"])
        return _("已分办。")
    services.task_complete(task=task, actor=user, opinion=cleaned["opinion"], text=cleaned["text"])
    return _("意见已提交。")


@login_required
@require_POST
def assignment_act(request, pk: int, assignment_pk: int, verb: str):
    if verb not in forms.ASSIGNMENT_VERBS:
        raise Http404
    case = selectors.case_for_page(request.user, pk)
    assignment = get_object_or_404(
        Assignment.objects.select_related("unit"), pk=assignment_pk, case=case
    )
    try:
        label = commands.assignment_action(
            user=request.user, case=case, assignment=assignment, verb=verb, data=request.POST
        )
    except CaseError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已%(action)s。") % {"action": label})
    return _to_case(case.pk, "assignments")


@login_required
@require_POST
def report_review(request, pk: int, report_pk: int):
    case = selectors.case_for_page(request.user, pk)
    report = get_object_or_404(AssignmentReport, pk=report_pk, assignment__case=case)
    try:
        label = commands.report_review(user=request.user, report=report, data=request.POST)
    except CaseError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已%(action)s。") % {"action": label})
    return _to_case(case.pk, "assignments")


@login_required
@require_POST
def comment_add(request, pk: int):
    case = selectors.case_for_page(request.user, pk)
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, forms.errors_text(form))
        return _to_case(case.pk, "comments")
    try:
        # The token is spent in the comment's transaction: of parallel submissions of one
        # form, exactly one writes.
        with transaction.atomic():
            _spend(request, f"cases.comment:{case.pk}")
            comments.comment_add(
                case=case,
                actor=request.user,
                text=form.cleaned_data["text"],
                audience=form.cleaned_data["audience"] or Audience.INTERNAL,
            )
    except (CaseError, FormTokenError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("留言已发表。"))
    return _to_case(case.pk, "comments")


def _spend(request, purpose: str) -> None:
    form_token_spend(request.POST.get(FORM_TOKEN), user=request.user, purpose=purpose)


def _attachments_module():
    try:
        from . import attachments
    except ImportError:  # written by another engineer; the page works without it
        return None
    return attachments


@login_required
@require_POST
def attachment_add(request, pk: int):
    case = selectors.case_for_page(request.user, pk)
    module = _attachments_module()
    if module is None:
        raise Http404
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, forms.errors_text(form))
        return _to_case(case.pk, "attachments")
    try:
        module.attachment_add(
            case=case,
            actor=request.user,
            uploaded_file=form.cleaned_data["file"],
            audience=form.cleaned_data["audience"] or Audience.INTERNAL,
            once=lambda: _spend(request, f"cases.attachment:{case.pk}"),
        )
    except (CaseError, FormTokenError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("附件已上传。"))
    return _to_case(case.pk, "attachments")


def open_attachment(*, user, case, attachment_pk: int) -> FileResponse:
    module = _attachments_module()
    if module is None:
        raise Http404
    attachment = get_object_or_404(case.attachments.all(), pk=attachment_pk)
    try:
        return module.attachment_response(attachment=attachment, actor=user)
    except errors.PermissionRefused as error:
        raise PermissionDenied(str(error)) from error
    except CaseError as error:
        raise Http404 from error


@login_required
@require_GET
def attachment_download(request, pk: int, attachment_pk: int):
    case = selectors.case_for_page(request.user, pk)
    return open_attachment(user=request.user, case=case, attachment_pk=attachment_pk)


# --- creating --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    if request.user.is_admin_role:
        raise PermissionDenied(_("系统管理员、安全保密管理员和安全审计员不办理业务。"))
    case_type = request.GET.get("type", "")
    workflow = selectors.workflow_or_none(case_type)
    if workflow is None:
        offered = [
            w
            for w in selectors.workflows_sorted()
            if not services.creation_refusal(request.user, w)
        ]
        return render(request, "cases/create_choose.html", {"workflows": offered})
    refusal = services.creation_refusal(request.user, workflow)
    if refusal:
        raise PermissionDenied(refusal)
    case_type_def = case_type_or_none(case_type)
    source, initial, detail_initial = _source_of(request, case_type_def)
    form = forms.CaseCreateForm(request.POST or None, user=request.user, initial=initial)
    form.fields["body"].label = body_label(case_type)
    detail_form = None
    if case_type_def and case_type_def.create_form:
        detail_form = case_type_def.create_form(
            request.POST or None, request.FILES or None, prefix="d", initial=detail_initial
        )
    if (
        request.method == "POST"
        and form.is_valid()
        and (detail_form is None or detail_form.is_valid())
    ):
        data = form.cleaned_data
        after_create = getattr(detail_form, "after_create", None)
        try:
            # The type's follow-up (e.g. 收文's scan of the original, uploaded with the
            # registration) succeeds with the case or neither is kept.
            with transaction.atomic():
                case = services.case_create(
                    case_type=case_type,
                    title=data["title"],
                    body=data["body"],
                    urgency=data["urgency"],
                    sensitivity=data["sensitivity"],
                    owner_unit=data["owner_unit"],
                    actor=request.user,
                    detail=detail_form.cleaned_data if detail_form else None,
                    parent=source,
                )
                if after_create is not None:
                    after_create(case=case, actor=request.user)
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已创建%(number)s。") % {"number": case.number})
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/create.html",
        {
            "form": form,
            "detail_form": detail_form,
            "workflow": workflow,
            "source": source,
            "ordinary_system": settings.CLASSIFIED_SYSTEM_LEVEL < Clearance.SECRET,
            "classified_rule": errors.CLASSIFIED_RULE,
        },
        status=400 if request.method == "POST" else 200,
    )


def _source_of(request, case_type_def):
    """派生 (`?from=<id>`): the source case the user may read, and the initial values the new
    type takes from it; a type that does not accept the source is refused."""
    raw = request.GET.get("from") or request.POST.get("from")
    if not raw:
        return None, None, None
    source = selectors.case_for_page(request.user, parse_id(raw, name="from"))
    if case_type_def is None or case_type_def not in derivable_from(source.case_type, source.state):
        raise PermissionDenied(_("该类事项不能由此事项发起。"))
    initial, detail = case_type_def.initial_from(source)
    initial = {k: getattr(v, "pk", v) for k, v in initial.items()}  # a unit → its choice
    return source, initial, detail


@login_required
def edit(request, pk: int):
    """修改: title, body, urgency and the type's own fields, where the state allows."""
    case = selectors.case_for_page(request.user, pk)
    access = CaseAccess(request.user, case)
    state = selectors.workflow_or_none(case.case_type).state(case.state)
    if not access.may_edit or not state.editable - {"attachments"}:
        raise PermissionDenied(_("该事项当前环节不能修改，或您无权修改。"))
    case_type = case_type_or_none(case.case_type)
    data = request.POST if request.method == "POST" else None
    form = forms.CaseEditForm(data, case=case, editable=state.editable)
    form.fields["body"].label = body_label(case.case_type)
    detail_form = None
    if case_type and case_type.edit_form:
        detail_form = case_type.edit_form(data, instance=case_type.detail_of(case), prefix="d")
    if data is not None and form.is_valid() and (detail_form is None or detail_form.is_valid()):
        values = form.cleaned_data
        try:
            services.case_update(
                case=case,
                actor=request.user,
                version=values["version"],
                title=values["title"],
                body=values["body"],
                urgency=values["urgency"],
                detail=_changed_detail(detail_form),
            )
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已保存修改。"))
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/edit.html",
        {"case": case, "form": form, "detail_form": detail_form, "state": state},
        status=400 if data is not None else 200,
    )


def _changed_detail(detail_form) -> dict | None:
    if detail_form is None:
        return None
    return {name: detail_form.cleaned_data[name] for name in detail_form.changed_data}


@login_required
@require_http_methods(["GET", "POST"])
def phrase_list(request):
    """常用意见: add or remove one's own opinion texts."""
    from .models import OpinionPhrase

    if request.user.is_admin_role:
        raise PermissionDenied(_("系统管理员、安全保密管理员和安全审计员不办理业务。"))
    if request.method == "POST":
        try:
            if request.POST.get("delete"):
                pk = parse_id(request.POST.get("delete"), name="delete")
                phrase_delete(user=request.user, pk=pk)
            else:
                phrase_add(user=request.user, text=request.POST.get("text", ""))
        except CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已保存常用意见。"))
        return redirect("cases:phrases")
    own = OpinionPhrase.objects.filter(user=request.user)
    return render(request, "cases/phrases.html", {"own": own, "offered": phrases_of(request.user)})


# --- workflows -------------------------------------------------------------------------------


@login_required
@require_GET
def types(request):
    rows = [
        {
            "workflow": w,
            "states": len(w.states),
            "actions": len(w.actions),
            "initial": w.state(w.initial).label,
        }
        for w in selectors.workflows_sorted()
    ]
    return render(request, "cases/types.html", {"rows": rows})


@login_required
@require_GET
def workflow(request, case_type: str):
    flow = selectors.workflow_or_none(case_type)
    if flow is None:
        raise Http404
    actions = []
    for action in flow.actions:
        actions.append(
            {
                "action": action,
                "sources": [flow.state(s).label for s in action.source],
                "target": flow.state(action.target).label if action.target else "",
                "who": selectors.relation_text(action, flow),
                "guards": [g.message for g in action.guards],
                "effects": [e.label for e in action.effects],
                "params": action.params,
                "countersign": action.countersign,
                "pass_label": (
                    flow.state(action.countersign.pass_state).label if action.countersign else ""
                ),
                "fail_label": (
                    flow.state(action.countersign.fail_state).label if action.countersign else ""
                ),
            }
        )
    from zhengban.workcalendar.deadlines import get_rule

    rule = get_rule(flow.deadline_rule) if flow.deadline_rule else None
    return render(
        request,
        "cases/workflow.html",
        {"flow": flow, "actions": actions, "svg": render_svg(flow), "rule": rule},
    )


@login_required
@require_GET
def workflow_svg(request, case_type: str):
    flow = selectors.workflow_or_none(case_type)
    if flow is None:
        raise Http404
    return HttpResponse(render_svg(flow), content_type="image/svg+xml; charset=utf-8")


# --- delegations -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def delegation_list(request):
    form = forms.DelegationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            delegations.delegation_create(
                delegator=request.user,
                delegate=data["delegate"],
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
                case_types=data["case_types"],
                actor=request.user,
            )
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已委托%(name)s。") % {"name": data["delegate"]})
            return redirect("cases:delegations")
    given, taken = selectors.delegations_of(request.user)
    return render(
        request,
        "cases/delegations.html",
        {
            "form": form,
            "given": given,
            "taken": taken,
            "may_delegate": not request.user.is_admin_role,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def delegation_revoke(request, pk: int):
    delegation = get_object_or_404(Delegation, pk=pk)
    if request.user.pk not in (delegation.delegator_id, delegation.delegate_id):
        raise Http404  # someone else's delegation: reveal nothing
    try:
        delegations.delegation_revoke(delegation=delegation, actor=request.user)
    except CaseError as error:
        _refused(request, error)
    else:
        messages.success(request, _("委托已撤销。"))
    return redirect("cases:delegations")


# --- notifications ---------------------------------------------------------------------------


def _mark_read(user, **filters) -> int:
    # The recipient marking their own messages read: no history, nothing to audit.
    return Notification.objects.filter(recipient=user, read_at__isnull=True, **filters).update(
        read_at=timezone.now()
    )


@login_required
@require_GET
def notification_list(request):
    page = _page(request, selectors.notifications_of(request.user))
    return render(request, "cases/notifications.html", {"page": page})


@login_required
@require_GET
def notification_open(request, pk: int):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    _mark_read(request.user, pk=note.pk)
    if note.case_id:
        return redirect("cases:detail", pk=note.case_id)
    return redirect("cases:notifications")


@login_required
@require_POST
def notification_read_all(request):
    count = _mark_read(request.user)
    messages.success(request, _("已将%(n)d条提醒标为已读。") % {"n": count})
    return redirect("cases:notifications")


# --- search ----------------------------------------------------------------------------------


@login_required
@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    page = None
    rows = []
    if query:
        page = _page(request, selectors.search_cases(request.user, query))
        rows = selectors.decorate_rows(page.object_list)
        for case in rows:
            case.title_html = selectors.highlight(case.title, query)
    return render(
        request,
        "cases/search.html",
        {"q": query, "page": page, "rows": rows, "query": urlencode({"q": query})},
    )
