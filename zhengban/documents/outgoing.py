"""发文 (outgoing documents) as a case type of the kernel: the drafting form (文种, 主送/抄送
from the organization and the external directory, 附件说明, 份号/保密期限, 公开属性, 印发机关),
the panel, the search text, the inbox filters and columns, and the workflow

    拟稿 → 核稿 (处长; 会签 by co-signing units' heads in parallel) → 审核 (文电处, 公文体检)
         → 签发 (the leader chosen at 审核; text frozen) → 编号 → 用印 → 印发 → 归档

declared through `zhengban.cases.casetypes`; the writes behind its effects (number, seal,
distribution, archive) are in `outgoing_services.py`. Registered from
`DocumentsConfig.ready()`."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from zhengban.accounts.choices import LEADER_ROLES, Clearance, Role
from zhengban.cases import effects, guards
from zhengban.cases.access import register_relation
from zhengban.cases.casetypes import CaseType, Column, Filter, Panel
from zhengban.cases.choices import TaskKind
from zhengban.cases.workflow import (
    Action,
    Countersign,
    Effect,
    Guard,
    Param,
    Permit,
    Relation,
    State,
    StateTask,
    Workflow,
)
from zhengban.org.models import Unit

from .models import DocType, Openness, OutgoingDocument

CASE_TYPE = "outgoing"
SIGNER_SLOT = "signer"  # the leader chosen at 审核 to sign it off
DETAIL_FIELDS = (
    "doc_type",
    "recipients",
    "recipients_text",
    "cc",
    "cc_text",
    "attachment_note",
    "copy_number",
    "secrecy_period",
    "openness",
    "openness_reason",
    "printer",
    "note",
    "copies",
)


def office_unit_names() -> tuple[str, ...]:
    """The units that run 审核, 编号, 用印, 印发 and 归档 (文电处); a deployment may name others."""
    return tuple(getattr(settings, "DOCUMENTS_OFFICE_UNITS", ("文电处",)))


# --- the 文电处 relation ---------------------------------------------------------------------


def office_unit_ids(case) -> frozenset[int]:
    """The 文电处 units of the case's organization (one query)."""
    from zhengban.org.choices import UnitKind

    return frozenset(
        Unit.objects.filter(
            name__in=office_unit_names(),
            active=True,
            organization__in=Unit.objects.filter(pk=case.owner_unit_id).values("organization"),
        )
        .exclude(kind=UnitKind.EXTERNAL)
        .values_list("pk", flat=True)
    )


def _in_office(access, principal) -> bool:
    ids = access.__dict__.get("_documents_office")
    if ids is None:
        ids = access.__dict__["_documents_office"] = office_unit_ids(access.case)
    return not principal.external and bool(ids & principal.unit_ids)


register_relation("document_office", _("文电处人员"), _in_office)


def manages_exchange(access) -> bool:
    """Who follows an issued document's distribution and may 催收: 文电处 and the drafting
    unit, never an external contact."""
    return access.visible and any(
        not p.external and (access.case.owner_unit_id in p.unit_ids or _in_office(access, p))
        for p in access.principals
    )


# --- forms -----------------------------------------------------------------------------------


class UnitsField(forms.ModelMultipleChoiceField):
    """Units of the organization and the external directory; cleaned to their ids."""

    def label_from_instance(self, unit) -> str:
        return unit.name

    def clean(self, value):
        units = super().clean(value)
        # The office's divisions first, then the directory, each in its own order.
        ordered = sorted(units, key=lambda u: (u.kind == "external", u.order, u.name))
        return [u.pk for u in ordered]


def _units_queryset():
    # Divisions of the office first, then the external directory (市直部门, 区县).
    from django.db.models import F

    return Unit.objects.filter(active=True).order_by(
        F("organization_id").asc(nulls_last=True), "order", "name"
    )


COPY_NUMBER_RE = re.compile(r"^\d{6}$")


class OutgoingForm(forms.ModelForm):
    """The 发文 fields the drafter (and the 处长 at 核稿) fills in."""

    recipients = UnitsField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("主送单位"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    cc = UnitsField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("抄送单位"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = OutgoingDocument
        fields = list(DETAIL_FIELDS)
        widgets = {
            "attachment_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("recipients", "cc"):
            self.fields[name].queryset = _units_queryset()
        self.fields["recipients"].help_text = _(
            "本机关处室和承办单位名录中的单位；按住 Ctrl 可多选。名录以外的机关填在下栏。"
        )
        self.fields["recipients_text"].help_text = _("多个机关用顿号或逗号分隔。")
        self.fields["attachment_note"].help_text = _("每行一个附件名称；不填则按上传的附件生成。")
        self.fields["copy_number"].help_text = _("涉密公文须标注6位份号。")
        self.fields["printer"].help_text = _("不填则为发文机关。")
        self.fields["copies"].required = False
        self.fields["openness_reason"].label = _("理由（依申请公开或不予公开时填写）")
        if not self.instance.pk:
            self.fields["doc_type"].help_text = format_html(
                '{} <a href="{}">{}</a>',
                _("已有 Word 稿？"),
                reverse("documents:outgoing_import"),
                _("从 DOCX 导入起草"),
            )

    def clean_copy_number(self) -> str:
        value = self.cleaned_data["copy_number"].strip()
        if value and not COPY_NUMBER_RE.match(value):
            raise forms.ValidationError(_("份号为6位阿拉伯数字，如 000001。"))
        return value

    def clean_copies(self) -> int:
        value = self.cleaned_data["copies"]
        return 1 if value is None else value

    def clean(self):
        data = super().clean()
        reason = (data.get("openness_reason") or "").strip()
        if data.get("openness") and data["openness"] != Openness.ACTIVE and not reason:
            self.add_error("openness_reason", _("依申请公开或不予公开须说明理由。"))
        sensitivity = self.data.get("sensitivity")
        if sensitivity is None and self.instance.pk:
            sensitivity = self.instance.case.sensitivity
        try:
            classified = int(sensitivity or 0) >= Clearance.SECRET
        except (TypeError, ValueError):
            classified = False
        if classified:
            if not data.get("copy_number"):
                self.add_error("copy_number", _("涉密公文须标注份号。"))
            if not (data.get("secrecy_period") or "").strip():
                self.add_error("secrecy_period", _("涉密公文须标注保密期限。"))
        return data


# --- effects and guards ------------------------------------------------------------------------


def _chosen_ids(ctx, param: str) -> list:
    value = ctx.params.get(param) or []
    value = value if isinstance(value, list | tuple) else [value]
    return [getattr(v, "pk", v) for v in value if v]


def _signer_is_leader(ctx) -> bool:
    from zhengban.accounts.models import RoleGrant

    ids = _chosen_ids(ctx, "signer")
    if not ids:
        return True  # the page asks before a choice; the service refuses a missing one
    return RoleGrant.objects.filter(user_id=ids[0], role__in=LEADER_ROLES).exists()


def _unit_heads(unit_ids) -> dict[int, list]:
    from zhengban.accounts.models import UnitMembership

    heads: dict[int, list] = {pk: [] for pk in unit_ids}
    rows = UnitMembership.objects.filter(
        unit_id__in=unit_ids, is_head=True, user__is_active=True
    ).select_related("user")
    for row in rows.order_by("pk"):
        heads[row.unit_id].append(row.user)
    return heads


def _cosigning_units_valid(ctx) -> bool:
    """Divisions of the office other than the drafting one, each with a head."""
    ids = _chosen_ids(ctx, "units")
    if not ids:
        return True  # the page asks before a choice; the service refuses a missing one
    if ctx.case.owner_unit_id in ids:
        return False
    if Unit.objects.filter(pk__in=ids).exclude(kind="external").count() != len(set(ids)):
        return False
    return all(_unit_heads(ids).values())


def _cosigners_are_heads(ctx) -> bool:
    from zhengban.accounts.models import UnitMembership

    ids = set(_chosen_ids(ctx, "users"))
    heads = (
        UnitMembership.objects.filter(user_id__in=ids, is_head=True)
        .exclude(unit_id=ctx.case.owner_unit_id)
        .exclude(unit__kind="external")
        .values("user_id")
        .distinct()
        .count()
    )
    return heads == len(ids)


def cosigning_heads() -> Effect:
    """会签 goes to the heads of the chosen divisions (with anyone named besides); runs
    before the kernel opens the round, which reads param "users"."""

    def apply(ctx) -> None:
        chosen = list(ctx.params.get("users") or [])
        seen = {getattr(u, "pk", u) for u in chosen}
        for heads in _unit_heads(_chosen_ids(ctx, "units")).values():
            for head in heads:
                if head.pk not in seen:
                    seen.add(head.pk)
                    chosen.append(head)
        ctx.params["users"] = chosen
        ctx.event_data["cosigning_units"] = [
            u.name for u in Unit.objects.filter(pk__in=_chosen_ids(ctx, "units"))
        ]

    return Effect(apply, _("送会签处室负责人"))


HAS_OFFICE = Guard(
    lambda ctx: bool(office_unit_ids(ctx.case)),
    _("本机关未设置文电处（DOCUMENTS_OFFICE_UNITS），无人审核。"),
)
SIGNER_LEADER = Guard(_signer_is_leader, _("签发人须为办公厅领导或市政府领导。"))
COSIGNING_UNITS = Guard(
    _cosigning_units_valid, _("会签处室须为本处室以外、已设负责人的本机关处室。")
)
COSIGNERS_HEADS = Guard(_cosigners_are_heads, _("会签人须为会签处室（本处室以外）的负责人。"))


def office_task(kind: str, state: str) -> Effect:
    """Open the task of 文电处 for the state the case enters (its people's 待办 and bell);
    it closes when the case leaves that state."""

    def apply(ctx) -> None:
        from zhengban.cases import todo

        units = Unit.objects.filter(pk__in=office_unit_ids(ctx.case))
        rows = [
            todo.unit_task(
                ctx.case, unit, kind, requested_by=ctx.actor, seq=ctx.seq, state_code=state
            )
            for unit in units
        ]
        tasks = todo.tasks_open(ctx.case, rows)
        ctx.event_data.setdefault("task_ids", []).extend(t.pk for t in tasks)

    return Effect(apply, _("送文电处"), undoable=True)


def _service_effect(name: str, label) -> Effect:
    def apply(ctx) -> None:
        from . import outgoing_services

        getattr(outgoing_services, name)(ctx)

    return Effect(apply, label)


RECORD_CHECK = _service_effect("record_check", _("记录公文体检结果"))
RECORD_SIGNOFF = _service_effect("record_signoff", _("记录签发人和成文日期"))
ALLOCATE_NUMBER = _service_effect("allocate_number", _("编发文字号"))
APPLY_SEAL = _service_effect("apply_seal", _("用印并生成版式文件"))
DISTRIBUTE = _service_effect("distribute", _("分发：内部处室转收文，外部单位公文交换"))
ARCHIVE = _service_effect("archive", _("归档"))


def _series_choices(case):
    """The 文号 series and seals of the organization the 发文 is issued by."""
    from .models import DocumentSeries

    rows = DocumentSeries.objects.filter(
        active=True, organization_id=case.owner_unit.organization_id
    ).order_by("pk")
    return [(s.pk, str(s)) for s in rows]


def _seal_choices(case):
    from .models import Seal, SealStatus

    rows = Seal.objects.filter(
        status=SealStatus.ACTIVE, organization_id=case.owner_unit.organization_id
    ).order_by("pk")
    return [(s.pk, s.name) for s in rows]


# --- the workflow ------------------------------------------------------------------------------

DRAFTERS = (Permit(relation=Relation.OWNER_UNIT_MEMBER), Permit(relation=Relation.CREATOR))
HEAD = (Permit(roles=frozenset({Role.DIVISION_HEAD}), relation=Relation.OWNER_UNIT_HEAD),)
OFFICE = (Permit(roles=frozenset({Role.CLERK, Role.DIVISION_HEAD}), relation="document_office"),)
SIGNER = (Permit(roles=frozenset(LEADER_ROLES), relation=f"slot:{SIGNER_SLOT}"),)
EDITABLE = frozenset({"title", "body", "urgency", "attachments", *DETAIL_FIELDS})
FROZEN = frozenset()

WORKFLOW = Workflow(
    case_type=CASE_TYPE,
    label=_("发文"),
    number_prefix="发稿",
    initial="draft",
    transferable_slots=frozenset(),
    slot_labels={SIGNER_SLOT: _("签发领导")},
    states=(
        State(
            "draft",
            _("拟稿"),
            task=StateTask(TaskKind.DRAFT, "creator"),
            expected="submit",
            editable=EDITABLE,
        ),
        State(
            "reviewing",
            _("核稿"),
            task=StateTask(TaskKind.REVIEW, "owner_unit_head"),
            expected="review_pass",
            editable=EDITABLE,
        ),
        State("countersigning", _("会签"), waiting=True, side_actions=frozenset({"circulate"})),
        State("checking", _("审核"), expected="check_pass", editable=EDITABLE),
        State(
            "signing",
            _("签发"),
            task=StateTask(TaskKind.SIGN, f"slot:{SIGNER_SLOT}"),
            expected="sign",
            editable=FROZEN,
            side_actions=frozenset(),
        ),
        State("numbering", _("编号"), expected="number", editable=FROZEN, side_actions=frozenset()),
        State("sealing", _("用印"), expected="seal", editable=FROZEN, side_actions=frozenset()),
        State("issuing", _("印发"), expected="issue", editable=FROZEN, side_actions=frozenset()),
        State("issued", _("已印发"), closing=True, editable=FROZEN),
        State("archived", _("归档"), final=True),
    ),
    actions=(
        Action(
            "submit",
            _("提交核稿"),
            source=("draft",),
            target="reviewing",
            permits=DRAFTERS,
            guards=(
                guards.required_fields("title", "body", labels={"title": "标题", "body": "正文"}),
            ),
        ),
        Action(
            "review_pass",
            _("核稿通过，送文电处审核"),
            source=("reviewing",),
            target="checking",
            permits=HEAD,
            guards=(HAS_OFFICE,),
            effects=(office_task(TaskKind.REVIEW, "checking"),),
        ),
        Action(
            "countersign",
            _("发起会签"),
            source=("reviewing",),
            target="countersigning",
            permits=HEAD,
            params=(
                Param("units", "units", _("会签处室")),
                Param("users", "users", _("其他会签人（须为处室负责人，可不选）"), required=False),
            ),
            guards=(COSIGNING_UNITS, COSIGNERS_HEADS),
            effects=(cosigning_heads(),),
            countersign=Countersign(
                mode="all", veto=True, pass_state="reviewing", fail_state="draft"
            ),
        ),
        Action(
            "send_back",
            _("退回拟稿人修改"),
            source=("reviewing",),
            target="draft",
            permits=HEAD,
            comment_required=True,
        ),
        Action(
            "check_pass",
            _("审核通过，呈领导签发"),
            source=("checking",),
            target="signing",
            permits=OFFICE,
            params=(Param("signer", "user", _("签发领导")),),
            guards=(SIGNER_LEADER,),
            effects=(effects.fill_slot(SIGNER_SLOT, "signer"), RECORD_CHECK),
            comment_label=_("审核意见"),
        ),
        Action(
            "check_return",
            _("退回拟稿单位"),
            source=("checking",),
            target="draft",
            permits=OFFICE,
            comment_required=True,
        ),
        Action(
            "sign",
            _("签发"),
            source=("signing",),
            target="numbering",
            permits=SIGNER,
            effects=(RECORD_SIGNOFF, office_task(TaskKind.HANDLE, "numbering")),
            comment_label=_("签发意见"),
        ),
        Action(
            "sign_return",
            _("退回修改"),
            source=("signing",),
            target="draft",
            permits=SIGNER,
            comment_required=True,
        ),
        Action(
            "number",
            _("编号"),
            source=("numbering",),
            target="sealing",
            permits=OFFICE,
            params=(Param("series", "choice", _("文号序列"), choices=_series_choices),),
            effects=(ALLOCATE_NUMBER, office_task(TaskKind.HANDLE, "sealing")),
        ),
        Action(
            "seal",
            _("用印"),
            source=("sealing",),
            target="issuing",
            permits=OFFICE,
            params=(Param("seal", "choice", _("印章"), choices=_seal_choices),),
            effects=(APPLY_SEAL, office_task(TaskKind.HANDLE, "issuing")),
        ),
        Action(
            "issue",
            _("印发"),
            source=("issuing",),
            target="issued",
            permits=OFFICE,
            effects=(DISTRIBUTE,),
        ),
        Action(
            "archive",
            _("归档"),
            source=("issued",),
            target="archived",
            permits=OFFICE,
            effects=(ARCHIVE,),
        ),
    ),
)

# --- the case type -----------------------------------------------------------------------------


def _search_text(case) -> str:
    detail = getattr(case, "outgoing", None)
    if detail is None:
        return ""
    return f"{detail.number_text} {detail.recipients_text} {detail.cc_text}"


def _panel_context(user, case, detail) -> dict:
    from . import outgoing_services

    return outgoing_services.panel_context(user, case, detail)


def _prefill(source) -> dict:
    """派生: a 签报 approved becomes the draft of its 发文 (its text and division); a 收文
    is answered by a 函 (复函); a meeting's 纪要 is started by the meetings app itself."""
    values = {
        "title": source.title,
        "owner_unit": source.owner_unit,
        "urgency": source.urgency,
        "sensitivity": source.sensitivity,
    }
    if source.case_type == "approval":
        values["body"] = source.body
    elif source.case_type == "incoming":
        values["d-doc_type"] = DocType.LETTER
        sender = getattr(getattr(source, "incoming", None), "sender", None)
        if sender is not None:
            values["d-recipients"] = [sender.pk]
    return values


OUTGOING = CaseType(
    workflow=WORKFLOW,
    body_label=_("正文"),
    sources=frozenset({"approval", "incoming", "meeting"}),
    prefill=_prefill,
    detail_model=OutgoingDocument,
    create_form=OutgoingForm,
    edit_form=OutgoingForm,
    panels=(Panel(_("发文信息"), "documents/outgoing_panel.html", context=_panel_context),),
    search_text=_search_text,
    filters=(
        Filter("doc_type", _("文种"), "outgoing__doc_type", choices=tuple(DocType.choices)),
        Filter("number", _("发文字号"), "outgoing__number_text"),
    ),
    columns=(
        Column("number_text", _("发文字号"), "outgoing.number_text", select="outgoing"),
        Column("doc_kind", _("文种"), "outgoing.doc_type", select="outgoing"),
    ),
    number_series="outgoing",
)
