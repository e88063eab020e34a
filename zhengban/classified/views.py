"""Pages of the classified register. Keepers register and act; leaders read (and decide
destruction requests); everyone else is refused, and the refusal is audited."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengban.audit.services import audit_denied, audit_record

from . import forms, policies, services
from .models import IN_CUSTODY, ClassifiedDocument, DecisionState, Status


def _guard(test, action: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not test(request.user):
                audit_denied(actor=request.user, action=action, summary=request.path[:200])
                raise PermissionDenied(_("涉密文件登记簿仅限机要人员、文电处负责人和领导查阅。"))
            if request.method == "POST":
                try:
                    services.refuse_content(files=request.FILES, keys=request.POST.keys())
                except services.ContentRefused as error:
                    return _refused(request, str(error))
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


readers = _guard(policies.can_read, "classified.read")
keepers = _guard(policies.is_keeper, "classified.write")
deciders = _guard(lambda u: policies.is_head(u) or policies.is_leader(u), "classified.decide")


@readers
def record_list(request):
    form = forms.FilterForm(request.GET or None)
    rows = ClassifiedDocument.objects.select_related("holder", "unit")
    if form.is_valid():
        data = form.cleaned_data
        if data["level"] is not None:
            rows = rows.filter(level=data["level"])
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["q"]:
            q = data["q"]
            rows = rows.filter(
                Q(number__icontains=q)
                | Q(sender_name__icontains=q)
                | Q(sender_number__icontains=q)
                | Q(register_title__icontains=q)
                | Q(title__icontains=q, title_classified=False)
                | Q(copy_number=q)
            )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    pending = 0
    if policies.is_head(request.user) or policies.is_leader(request.user):
        pending = ClassifiedDocument.objects.filter(status=Status.DESTRUCTION_PENDING).count()
    return render(
        request,
        "classified/list.html",
        {
            "form": form,
            "page": page,
            "keeper": policies.is_keeper(request.user),
            "pending": pending,
            "unit_name": policies.register_unit_name(),
        },
    )


@keepers
def record_create(request):
    form = forms.RecordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.record_create(actor=request.user, **form.cleaned_data)
        except services.RegisterError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已登记%(number)s。") % {"number": document.number})
            return redirect("classified:detail", pk=document.pk)
    return render(
        request,
        "classified/form.html",
        {"form": form, "document": None},
        status=400 if request.method == "POST" else 200,
    )


@keepers
def record_edit(request, pk: int):
    document = get_object_or_404(ClassifiedDocument, pk=pk)
    if document.status not in IN_CUSTODY:
        raise PermissionDenied(
            _("该文件已%(status)s，登记不能再修改。") % {"status": document.get_status_display()}
        )
    form = forms.RecordForm(request.POST or None, instance=document, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        if "sender" in values:
            values["sender_name"] = form.cleaned_data["sender_name"]
        document.refresh_from_db()
        try:
            services.record_update(actor=request.user, document=document, **values)
        except services.RegisterError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已保存。"))
            return redirect("classified:detail", pk=document.pk)
    return render(
        request,
        "classified/form.html",
        {"form": form, "document": document},
        status=400 if request.method == "POST" else 200,
    )


@readers
def record_detail(request, pk: int):
    document = get_object_or_404(
        ClassifiedDocument.objects.select_related("holder", "unit", "created_by"), pk=pk
    )
    audit_record(
        actor=request.user, action="classified.read", target=document, summary=document.number
    )
    requests = list(document.destruction_requests.select_related("requested_by", "decided_by"))
    pending = next((r for r in requests if r.state == DecisionState.PENDING), None)
    keeper = policies.is_keeper(request.user)
    home = document.status == Status.HELD
    return render(
        request,
        "classified/detail.html",
        {
            "document": document,
            "circulations": document.circulations.select_related("given_by", "received_back_by"),
            "requests": requests,
            "pending": pending,
            "keeper": keeper,
            "may_decide": pending is not None
            and policies.can_decide_destruction(request.user, pending),
            "circulate_form": forms.CirculateForm()
            if keeper and document.status in IN_CUSTODY
            else None,
            "open_circulation": document.circulations.filter(returned_at__isnull=True).first(),
            "return_form": forms.ReturnForm() if keeper and home else None,
            "destruction_form": forms.DestructionRequestForm() if keeper and home else None,
            "decision_form": forms.DecisionForm(),
            "destroyed_form": forms.DestroyedForm()
            if keeper and document.status == Status.DESTRUCTION_APPROVED
            else None,
        },
    )


def _refused(request, message: str, document=None):
    return render(
        request,
        "classified/refused.html",
        {"message": message, "document": document},
        status=400,
    )


def _act(request, pk: int, form_class, act):
    """Run `act(document, cleaned_data)` for a valid form; a refusal or an invalid form is a
    400 page naming what is wrong, with a link back."""
    document = get_object_or_404(ClassifiedDocument, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        message = "；".join(
            f"{form.fields[name].label}：{e}" if name in form.fields else str(e)
            for name, errors in form.errors.items()
            for e in errors
        )
        return _refused(request, message, document)
    try:
        done = act(document, form.cleaned_data)
    except services.RegisterError as error:
        return _refused(request, str(error), document)
    messages.success(request, done)
    return redirect("classified:detail", pk=document.pk)


@require_POST
@keepers
def circulate(request, pk: int):
    def act(document, data):
        services.circulation_give(
            actor=request.user,
            document=document,
            recipient=data["recipient"],
            recipient_name=data["recipient_name"],
            note=data["note"],
        )
        return _("已登记送阅。")

    return _act(request, pk, forms.CirculateForm, act)


@require_POST
@keepers
def circulation_return(request, pk: int, circulation_pk: int):
    document = get_object_or_404(ClassifiedDocument, pk=pk)
    circulation = get_object_or_404(document.circulations, pk=circulation_pk)
    try:
        services.circulation_return(actor=request.user, circulation=circulation)
    except services.RegisterError as error:
        return _refused(request, str(error), document)
    messages.success(request, _("已登记收回。"))
    return redirect("classified:detail", pk=document.pk)


@require_POST
@keepers
def record_return(request, pk: int):
    def act(document, data):
        services.record_return(actor=request.user, document=document, **data)
        return _("已登记退还。")

    return _act(request, pk, forms.ReturnForm, act)


@require_POST
@keepers
def destruction_request(request, pk: int):
    def act(document, data):
        services.destruction_request(actor=request.user, document=document, reason=data["reason"])
        return _("已提交销毁申请，待审批。")

    return _act(request, pk, forms.DestructionRequestForm, act)


@require_POST
@deciders
def destruction_decide(request, pk: int, request_pk: int):
    document = get_object_or_404(ClassifiedDocument, pk=pk)
    pending = get_object_or_404(document.destruction_requests, pk=request_pk)

    def act(_document, data):
        services.destruction_decide(actor=request.user, request=pending, **data)
        return _("已批准销毁。") if data["approve"] else _("已退回销毁申请。")

    return _act(request, pk, forms.DecisionForm, act)


@require_POST
@keepers
def record_destroyed(request, pk: int):
    def act(document, data):
        services.record_destroyed(actor=request.user, document=document, **data)
        return _("已登记销毁。")

    return _act(request, pk, forms.DestroyedForm, act)
