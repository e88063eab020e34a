"""收文 (incoming documents) as a case type of the kernel: the registration form (来文字号
checked by `numbers.parse_number`, a possible duplicate flagged with a link), the panel, the
search text, the inbox filters and columns, and the workflow

    登记 → 初审 (退回来文单位 → 已退文) → 拟办 → 批示 (each chosen leader in turn)
         → 待交办 → 承办 → 办结 → 归档

declared through `zhengban.cases.casetypes`. Registered from `DocumentsConfig.ready()`."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhengban.accounts.choices import LEADER_ROLES, Role
from zhengban.cases import effects, guards
from zhengban.cases.casetypes import CaseType, Column, Filter, Panel
from zhengban.cases.choices import TaskKind, TaskState
from zhengban.cases.workflow import (
    Action,
    Effect,
    Guard,
    Param,
    Permit,
    Relation,
    State,
    StateTask,
    Workflow,
)
from zhengban.org.choices import UnitKind
from zhengban.org.models import Unit

from .models import DocType, IncomingDocument
from .numbers import NumberError, parse_number

CASE_TYPE = "incoming"
DUPLICATE_DAYS = 7
DETAIL_FIELDS = (
    "sender",
    "sender_name",
    "sender_number",
    "doc_type",
    "secrecy_period",
    "copies",
    "pages",
    "received_on",
    "remarks",
)
LEADERS_SLOT = "leaders"  # the leaders chosen at 拟办, in order
INSTRUCTING_SLOT = "instructing"  # the one of them whose 批示 is awaited

# --- forms -----------------------------------------------------------------------------------


class IncomingForm(forms.ModelForm):
    """The 收文 fields; 来文机关 from the external units directory or typed."""

    class Meta:
        model = IncomingDocument
        fields = list(DETAIL_FIELDS)
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "remarks": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sender = self.fields["sender"]
        sender.queryset = Unit.objects.filter(kind=UnitKind.EXTERNAL).order_by("order", "name")
        sender.help_text = _("从承办单位名录中选择，或在下栏直接填写来文机关名称。")
        self.fields["sender_name"].required = False
        for name in ("copies", "pages"):
            self.fields[name].required = False  # one unless said otherwise
        self.fields["sender_number"].help_text = gettext("如：%(example)s") % {
            "example": "辽政办发〔2026〕12号"
        }
        if not self.instance.pk:
            self.fields["received_on"].initial = timezone.localdate

    @property
    def derived(self) -> set[str]:
        """Fields clean() filled in: changed although their input was not."""
        return self.__dict__.setdefault("_derived", set())

    @property
    def changed_data(self) -> list[str]:
        # The kernel saves an edit's changed fields only; a name taken from the directory
        # must be among them.
        changed = list(super().changed_data)
        return changed + [n for n in sorted(self.derived) if n not in changed]

    def clean_sender_number(self) -> str:
        text = self.cleaned_data["sender_number"].strip()
        if not text:
            return ""
        try:
            number = parse_number(text, today=timezone.localdate())
        except NumberError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return number.text  # full-width digits typed by an input method become Arabic

    def clean_copies(self) -> int:
        value = self.cleaned_data["copies"]
        return 1 if value is None else value

    def clean_pages(self) -> int:
        value = self.cleaned_data["pages"]
        return 1 if value is None else value

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("收文日期不能晚于今天。"))
        return value

    def clean(self):
        data = super().clean()
        sender = data.get("sender")
        renamed = "sender_name" in self.changed_data and data.get("sender_name")
        if sender is not None and (
            ("sender" in self.changed_data and not renamed) or not data.get("sender_name")
        ):
            data["sender_name"] = sender.name  # the directory's name for the chosen unit
            self.derived.add("sender_name")
        if not data.get("sender_name") and "sender" not in self.errors:
            self.add_error("sender_name", _("请选择或填写来文机关。"))
        return data


class IncomingCreateForm(IncomingForm):
    """Registration: a document that looks already registered is flagged with a link to the
    existing case; the clerk may confirm and register it anyway."""

    confirm_duplicate = forms.BooleanField(
        label=_("已核对，确认不是重复收文，仍然登记"), required=False
    )

    def clean(self):
        data = super().clean()
        confirmed = data.pop("confirm_duplicate", False)  # not a model field
        if self.errors or confirmed:
            return data
        found = duplicates(
            sender=data.get("sender"),
            sender_name=data.get("sender_name", ""),
            sender_number=data.get("sender_number", ""),
            # The case form shares the POST: its title is the document's title.
            title=(self.data.get("title") or "").strip(),
            received_on=data.get("received_on"),
        )
        if found:
            links = format_html_join(
                "、",
                '<a href="{}">{}</a>',
                ((reverse("cases:detail", args=[d.case_id]), d.case.number) for d in found),
            )
            raise forms.ValidationError(
                format_html(
                    "{}{}{}",
                    _("该文件可能已登记："),
                    links,
                    _("。如确认不是重复收文，请勾选下方确认后再提交。"),
                ),
                code="duplicate",
            )
        return data


def duplicates(*, sender, sender_name, sender_number, title, received_on, exclude=None):
    """Registered 收文 from the same sender with the same 来文字号, or with the same title
    received within `DUPLICATE_DAYS` days."""
    same_sender = Q(sender_name=sender_name) if sender_name else Q(pk__in=[])
    if sender is not None:
        same_sender |= Q(sender=sender)
    match = Q(pk__in=[])
    if sender_number:
        match |= Q(sender_number=sender_number)
    if title and received_on:
        window = datetime.timedelta(days=DUPLICATE_DAYS)
        match |= Q(
            case__title=title,
            received_on__range=(received_on - window, received_on + window),
        )
    rows = IncomingDocument.objects.filter(same_sender & match).select_related("case")
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return list(rows.order_by("-case_id")[:5])


# --- effects and guards of the 批示 round ------------------------------------------------------


def _slots(case):
    from zhengban.cases.models import CaseSlot

    leaders = list(CaseSlot.objects.filter(case=case, name=LEADERS_SLOT).order_by("position"))
    current = CaseSlot.objects.filter(case=case, name=INSTRUCTING_SLOT).first()
    return leaders, current


def _next_leader(case):
    leaders, current = _slots(case)
    ids = [s.user_id for s in leaders]
    if current is None or current.user_id not in ids:
        return None
    position = ids.index(current.user_id)
    return leaders[position + 1] if position + 1 < len(leaders) else None


def first_leader() -> Effect:
    """The first leader chosen at 拟办 is the one whose 批示 is awaited."""

    def apply(ctx) -> None:
        from zhengban.cases.models import CaseSlot

        leaders, _current = _slots(ctx.case)
        CaseSlot.objects.filter(case=ctx.case, name=INSTRUCTING_SLOT).delete()
        if leaders:
            CaseSlot.objects.create(
                case=ctx.case, name=INSTRUCTING_SLOT, position=0, user=leaders[0].user
            )

    return Effect(apply, _("呈送第一位批示领导"))


def pass_to_next_leader() -> Effect:
    """After one leader's 批示 the next chosen leader's 批示 task opens; the case stays in
    批示 (the state's own task closes only when the last leader has given theirs)."""

    def apply(ctx) -> None:
        from zhengban.cases import todo
        from zhengban.cases.models import Task

        nxt = _next_leader(ctx.case)
        _leaders, current = _slots(ctx.case)
        current.user_id = nxt.user_id
        current.save(update_fields=["user"])
        Task.objects.filter(
            case=ctx.case, kind=TaskKind.INSTRUCT, state=TaskState.OPEN, state_code="instructing"
        ).update(state=TaskState.DONE, completed_by=ctx.actor, completed_at=timezone.now())
        row = todo.person_task(
            ctx.case,
            nxt.user,
            TaskKind.INSTRUCT,
            requested_by=ctx.actor,
            seq=ctx.seq,
            state_code="instructing",
        )
        tasks = todo.tasks_open(ctx.case, [row])
        ctx.event_data.setdefault("task_ids", []).extend(t.pk for t in tasks)
        ctx.event_data["next_leader"] = nxt.user_id

    return Effect(apply, _("呈送下一位批示领导"))


def deadline_if_given(due_param: str = "due_date") -> Effect:
    """A leader's 批示 (or the 交办) may set the deadline; without a date nothing changes,
    except that 交办 starts the rule's clock if no one has set one yet."""
    inner = effects.start_deadline(due_param=due_param)

    def apply(ctx) -> None:
        if ctx.params.get(due_param):
            inner.apply(ctx)

    return Effect(apply, _("设定办理期限"))


def deadline_or_default(due_param: str = "due_date") -> Effect:
    inner = effects.start_deadline(due_param=due_param)

    def apply(ctx) -> None:
        if ctx.params.get(due_param) or ctx.case.deadline_start is None:
            inner.apply(ctx)

    return Effect(apply, _("开始计算办理期限"))


def remember_units(param: str = "suggested_units") -> Effect:
    """The handling units the clerk suggests at 拟办, kept in the event for the panel."""

    def apply(ctx) -> None:
        units = ctx.params.get(param) or []
        ctx.event_data[param] = [u.name for u in units]

    return Effect(apply, _("拟办承办单位"))


def _chosen_ids(ctx, param: str = "leaders") -> list:
    value = ctx.params.get(param) or []
    value = value if isinstance(value, list | tuple) else [value]
    return [getattr(v, "pk", v) for v in value if v]


def _all_leaders(ctx) -> bool:
    from zhengban.accounts.models import User

    ids = set(_chosen_ids(ctx))
    leaders = User.objects.filter(pk__in=ids, role_grants__role__in=LEADER_ROLES)
    return leaders.values("pk").distinct().count() == len(ids)


DISTINCT_LEADERS = Guard(
    lambda ctx: len(set(_chosen_ids(ctx))) == len(_chosen_ids(ctx)),
    _("同一位领导只能呈批一次。"),
)
ONLY_LEADERS = Guard(_all_leaders, _("呈批对象须为办公厅领导或市政府领导。"))
HAS_NEXT = Guard(lambda ctx: _next_leader(ctx.case) is not None, _("您是最后一位批示领导。"))
IS_LAST = Guard(
    lambda ctx: _next_leader(ctx.case) is None,
    _("还有其他领导须依次批示，请选择“批示并呈下一位领导”。"),
)

# --- the workflow ------------------------------------------------------------------------------

CLERKS = (Permit(roles=frozenset({Role.CLERK}), relation=Relation.OWNER_UNIT_MEMBER),)
INSTRUCTING_LEADER = (Permit(relation=f"slot:{INSTRUCTING_SLOT}"),)
LEAD_UNIT = (Permit(relation=Relation.LEAD_UNIT_MEMBER),)
EDITABLE = frozenset({"title", "body", "urgency", "attachments", *DETAIL_FIELDS})
DUE = Param("due_date", "date", _("办理期限（不填按默认规则）"), required=False)

WORKFLOW = Workflow(
    case_type=CASE_TYPE,
    label=_("收文"),
    number_prefix="收",
    initial="draft",
    deadline_rule="office.assigned_task",
    transferable_slots=frozenset(),
    slot_labels={LEADERS_SLOT: _("批示领导"), INSTRUCTING_SLOT: _("批示领导")},
    states=(
        State(
            "draft",
            _("登记"),
            task=StateTask(TaskKind.DRAFT, "creator"),
            expected="submit",
            editable=EDITABLE,
        ),
        State(
            "screening",
            _("初审"),
            task=StateTask(TaskKind.REVIEW, "owner_unit_member"),
            expected="accept",
            editable=EDITABLE,
        ),
        State(
            "proposing",
            _("拟办"),
            task=StateTask(TaskKind.HANDLE, "owner_unit_member"),
            expected="propose",
            editable=frozenset({"attachments"}),
        ),
        State(
            "instructing",
            _("批示"),
            task=StateTask(TaskKind.INSTRUCT, f"slot:{INSTRUCTING_SLOT}"),
            expected="instruct_last",
            side_actions=frozenset({"circulate"}),
        ),
        State(
            "dispatching",
            _("待交办"),
            task=StateTask(TaskKind.HANDLE, "owner_unit_member"),
            expected="assign",
        ),
        State("handling", _("承办"), expected="complete", editable=frozenset({"attachments"})),
        State("closed", _("办结"), closing=True),
        State("archived", _("归档"), final=True),
        State("returned", _("已退文"), final=True),
    ),
    actions=(
        Action(
            "submit",
            _("登记完成，送初审"),
            source=("draft",),
            target="screening",
            permits=CLERKS,
            guards=(guards.required_fields("title", labels={"title": "标题"}),),
        ),
        Action(
            "accept",
            _("初审通过"),
            source=("screening",),
            target="proposing",
            permits=CLERKS,
        ),
        Action(
            "return_to_sender",
            _("退回来文单位"),
            source=("screening",),
            target="returned",
            permits=CLERKS,
            comment_required=True,
        ),
        Action(
            "propose",
            _("拟办"),
            source=("proposing",),
            target="instructing",
            permits=CLERKS,
            params=(
                Param("leaders", "users", _("呈批领导（按批示顺序）")),
                Param("suggested_units", "units", _("拟承办单位"), required=False),
            ),
            guards=(DISTINCT_LEADERS, ONLY_LEADERS),
            effects=(
                effects.fill_slot(LEADERS_SLOT, "leaders"),
                first_leader(),
                remember_units(),
            ),
            comment_required=True,
        ),
        Action(
            "instruct",
            _("批示并呈下一位领导"),
            source=("instructing",),
            target=None,
            permits=INSTRUCTING_LEADER,
            params=(DUE,),
            guards=(HAS_NEXT,),
            effects=(deadline_if_given(), pass_to_next_leader()),
            comment_required=True,
        ),
        Action(
            "instruct_last",
            _("批示"),
            source=("instructing",),
            target="dispatching",
            permits=INSTRUCTING_LEADER,
            params=(DUE,),
            guards=(IS_LAST,),
            effects=(deadline_if_given(),),
            comment_required=True,
        ),
        Action(
            "assign",
            _("交办承办单位"),
            source=("dispatching",),
            target="handling",
            permits=CLERKS,
            params=(
                Param("lead_unit", "unit", _("主办单位")),
                Param("co_units", "units", _("协办单位"), required=False),
                DUE,
                Param("instructions", "text", _("交办要求"), required=False),
            ),
            effects=(deadline_or_default(), effects.assign_units()),
        ),
        Action(
            "complete",
            _("办结"),
            source=("handling",),
            target="closed",
            permits=LEAD_UNIT,
            params=(Param("report", "text", _("办理结果")),),
            guards=(guards.co_units_reported(),),
            effects=(effects.lead_final_report(),),
        ),
        Action(
            "archive",
            _("归档"),
            source=("closed",),
            target="archived",
            permits=CLERKS,
        ),
    ),
)

# --- the case type -----------------------------------------------------------------------------


def _search_text(case) -> str:
    detail = getattr(case, "incoming", None)
    if detail is None:
        return ""
    return f"{detail.sender_name} {detail.sender_number}"


def _panel_context(user, case, detail) -> dict:
    from zhengban.cases.models import CaseSlot

    leaders = [
        s.user
        for s in CaseSlot.objects.filter(case=case, name=LEADERS_SLOT)
        .select_related("user")
        .order_by("position")
    ]
    proposal = case.events.filter(action="propose").order_by("-seq").first()
    return {
        "leaders": leaders,
        "suggested_units": (proposal.data or {}).get("suggested_units", []) if proposal else [],
    }


INCOMING = CaseType(
    workflow=WORKFLOW,
    detail_model=IncomingDocument,
    create_form=IncomingCreateForm,
    edit_form=IncomingForm,
    panels=(Panel(_("收文信息"), "documents/incoming_panel.html", context=_panel_context),),
    search_text=_search_text,
    filters=(
        Filter("doc_type", _("文种"), "incoming__doc_type", choices=tuple(DocType.choices)),
        Filter("sender", _("来文机关"), "incoming__sender_name"),
    ),
    columns=(
        Column("sender_number", _("来文字号"), "incoming.sender_number", select="incoming"),
        Column("sender_name", _("来文机关"), "incoming.sender_name", select="incoming"),
    ),
    number_series="incoming",
)
