"""收文 (incoming documents) as a case type of the kernel: the registration form (来文字号
checked by `numbers.parse_number`, a possible duplicate flagged with a link), the panel, the
search text, the inbox filters and columns, and the workflow

    登记 → 初审 (退回来文单位 → 已退文) → 拟办 → 批示 (each chosen leader in turn)
         → 待交办 → 承办 → 办结 → 归档

declared through `zhengban.cases.casetypes`. Registered from `DocumentsConfig.ready()`.

The 批示 is one action taken in the kernel's ordered turns (`sequence="leaders"`): each
leader chosen at 拟办, in order, gives theirs (text, an optional deadline, 列入督办), and it
lands in the 批示件台账 (`zhengban.instructions`); 传阅 (read receipts) is offered after 批示
and during 承办, 催办 during 承办. A 秘密/机密/绝密 document on an ordinary deployment is not
registered here: the form points to the metadata-only register (`zhengban.classified`).
The original's scan (PDF) becomes a kernel attachment marked as the original, listed first; the
收文处理笺 (`render/slip.py`) is downloaded from the panel."""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from zhengban.accounts.choices import LEADER_ROLES, Clearance, Role
from zhengban.cases import effects, guards
from zhengban.cases.casetypes import CaseType, Column, Filter, Panel
from zhengban.cases.choices import TaskKind
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
from zhengban.instructions.effects import record_instruction
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
LEADERS_SLOT = "leaders"  # the leaders chosen at 拟办, in order; each gives the 批示 in turn
ORIGINAL_PREFIX = "原件扫描件"  # the name the scan of the original is attached under

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


def _register_url() -> str:
    try:
        return reverse("classified:list")
    except NoReverseMatch:  # the register app is not installed
        return ""


def ordinary_system() -> bool:
    return settings.CLASSIFIED_SYSTEM_LEVEL < Clearance.SECRET


def classified_pointer():
    """Where a 秘密/机密/绝密 document goes instead: the metadata-only register."""
    url = _register_url()
    text = _(
        "秘密、机密、绝密文件不在此登记正文和扫描件，请到涉密文件登记簿登记份号、保管人等元数据"
    )
    if url:
        return format_html(
            '{}：<a href="{}" data-testid="classified-link">{}</a>。',
            text,
            url,
            _("涉密文件登记簿"),
        )
    return format_html("{}。", text)


class IncomingCreateForm(IncomingForm):
    """Registration: a document that looks already registered is flagged with a link to the
    existing case; the clerk may confirm and register it anyway. The scan of the original
    (PDF) is attached after the case is created (`after_create`). A document marked 秘密 or
    above is refused on an ordinary deployment, pointing to the classified register."""

    classified = forms.BooleanField(label=_("本件为秘密及以上涉密文件"), required=False)
    scan = forms.FileField(
        label=_("原件扫描件（PDF）"),
        required=False,
        help_text=_("登记后作为原件列在附件首位。"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    confirm_duplicate = forms.BooleanField(
        label=_("已核对，确认不是重复收文，仍然登记"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if ordinary_system():
            self.fields["classified"].help_text = classified_pointer()
        else:
            del self.fields["classified"]  # the case's own 密级 says it

    def _secret(self) -> bool:
        """Marked classified here, or given a 密级 the deployment may not hold."""
        try:
            level = int(self.data.get("sensitivity") or 0)
        except (TypeError, ValueError):
            level = 0
        if self.cleaned_data.get("classified"):
            return True
        return level >= Clearance.SECRET and level > settings.CLASSIFIED_SYSTEM_LEVEL

    def clean_scan(self):
        scan = self.cleaned_data.get("scan")
        if not scan:
            return None
        if scan.size > settings.ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(_("扫描件超过大小限制。"))
        scan.seek(0)
        head = scan.read(5)
        scan.seek(0)
        if head != b"%PDF-" or not scan.name.lower().endswith(".pdf"):
            raise forms.ValidationError(_("原件扫描件须为PDF文件。"))
        return scan

    def clean(self):
        data = super().clean()
        if self._secret():
            raise forms.ValidationError(classified_pointer(), code="classified")
        data.pop("classified", None)
        self.scan_file = data.pop("scan", None)  # not model fields
        confirmed = data.pop("confirm_duplicate", False)
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

    def after_create(self, *, case, actor):
        """Attach the scan of the original through the kernel (its upload checks apply)."""
        scan = getattr(self, "scan_file", None)
        if scan is None:
            return None
        return attach_original(case=case, actor=actor, uploaded_file=scan)


def attach_original(*, case, actor, uploaded_file):
    """The scan of the original as a kernel attachment, named so the panel lists it first."""
    from zhengban.cases.attachments import attachment_add

    detail = getattr(case, "incoming", None)
    label = (detail.sender_number if detail else "") or case.number
    uploaded_file.name = f"{ORIGINAL_PREFIX}（{label}）.pdf"
    return attachment_add(case=case, actor=actor, uploaded_file=uploaded_file, original=True)


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


# --- effects and guards of 拟办 and 批示 -------------------------------------------------------


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


def remember_supervision(param: str = "supervise") -> Effect:
    """列入督办 as the leader marked it, kept in the event for the panel and the slip."""

    def apply(ctx) -> None:
        value = ctx.params.get(param)
        ctx.event_data[param] = value is True or str(value or "") in ("1", "true", "on")
        due = ctx.params.get("due_date")
        if due:
            ctx.event_data["due_date"] = due.isoformat()

    return Effect(apply, _("记录督办要求"), undoable=True)


def remember_units(param: str = "suggested_units") -> Effect:
    """The handling units the clerk suggests at 拟办, kept in the event for the panel."""

    def apply(ctx) -> None:
        units = ctx.params.get(param) or []
        ctx.event_data[param] = [u.name for u in units]

    return Effect(apply, _("拟办承办单位"))


# 拟办 names the leaders in order, one picker each (a multiple choice would lose the order);
# callers of the service may pass them as one ordered list "leaders" instead.
LEADER_PARAMS = ("leader_1", "leader_2", "leader_3")


def _chosen(ctx) -> list:
    value = ctx.params.get("leaders")
    if value is None:
        value = [ctx.params.get(name) for name in LEADER_PARAMS]
    value = value if isinstance(value, list | tuple) else [value]
    return [v for v in value if v]


def _chosen_ids(ctx) -> list:
    return [getattr(v, "pk", v) for v in _chosen(ctx)]


def gather_leaders() -> Effect:
    """The leaders picked one by one, as the ordered list the slot is filled from."""

    def apply(ctx) -> None:
        ctx.params["leaders"] = _chosen(ctx)

    return Effect(apply, _("确定批示顺序"), undoable=True)


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


def _archive(ctx) -> None:
    from .archive_services import archive_incoming

    archive_incoming(ctx)


# Not withdrawable: an archive item's 件号 is gapless and its 档号 is printed on the file.
ARCHIVE = Effect(_archive, _("归档（收文处理笺和原件合为一件）"))

# --- the workflow ------------------------------------------------------------------------------

CLERKS = (Permit(roles=frozenset({Role.CLERK}), relation=Relation.OWNER_UNIT_MEMBER),)
LEADER_IN_TURN = (Permit(relation=f"turn:{LEADERS_SLOT}"),)
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
    slot_labels={LEADERS_SLOT: _("批示领导")},
    states=(
        State(
            "draft",
            _("登记"),
            task=StateTask(TaskKind.DRAFT, "creator"),
            expected="submit",
            editable=EDITABLE,
            side_actions=frozenset(),
        ),
        State(
            "screening",
            _("初审"),
            task=StateTask(TaskKind.REVIEW, "owner_unit_member"),
            expected="accept",
            editable=EDITABLE,
            side_actions=frozenset({"consult"}),
        ),
        State(
            "proposing",
            _("拟办"),
            task=StateTask(TaskKind.PROPOSE, "owner_unit_member"),
            expected="propose",
            editable=frozenset({"attachments"}),
            side_actions=frozenset({"consult"}),
        ),
        State(
            "instructing",
            _("批示"),
            task=StateTask(TaskKind.INSTRUCT, f"turn:{LEADERS_SLOT}"),
            expected="instruct",
            side_actions=frozenset({"circulate"}),
        ),
        State(
            "dispatching",
            _("待交办"),
            task=StateTask(TaskKind.HANDLE, "owner_unit_member"),
            expected="assign",
            side_actions=frozenset({"circulate"}),
        ),
        # 承办: the units' tasks are the kernel's assignments; 催办 is on each of them.
        State(
            "handling",
            _("承办"),
            expected="complete",
            editable=frozenset({"attachments"}),
            side_actions=frozenset({"circulate", "consult"}),
        ),
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
            comment_label=_("退文理由"),
        ),
        Action(
            "propose",
            _("拟办"),
            source=("proposing",),
            target="instructing",
            permits=CLERKS,
            params=(
                *(
                    Param(name, "user", label, required=n == 0, roles=frozenset(LEADER_ROLES))
                    for n, (name, label) in enumerate(
                        zip(
                            LEADER_PARAMS,
                            (_("第一位批示领导"), _("第二位批示领导"), _("第三位批示领导")),
                            strict=True,
                        )
                    )
                ),
                Param("suggested_units", "units", _("拟承办单位"), required=False),
            ),
            guards=(DISTINCT_LEADERS, ONLY_LEADERS),
            effects=(
                gather_leaders(),
                effects.fill_slot(LEADERS_SLOT, "leaders"),
                remember_units(),
            ),
            comment_required=True,
            comment_label=_("拟办意见"),
        ),
        Action(
            "instruct",
            _("批示"),
            source=("instructing",),
            target="dispatching",
            permits=LEADER_IN_TURN,
            sequence=LEADERS_SLOT,
            params=(
                DUE,
                Param("lead_unit", "unit", _("牵头单位"), required=False),
                Param("units", "units", _("其他涉及单位"), required=False),
                Param("supervise", "flag", _("列入督办"), required=False),
            ),
            effects=(deadline_if_given(), remember_supervision(), record_instruction()),
            comment_required=True,
            comment_label=_("批示意见"),
        ),
        Action(
            "send_back",
            _("退回重新拟办"),
            source=("instructing",),
            target="proposing",
            permits=LEADER_IN_TURN,
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
            effects=(ARCHIVE,),
        ),
    ),
)

# --- the case type -----------------------------------------------------------------------------


def _search_text(case) -> str:
    detail = getattr(case, "incoming", None)
    if detail is None:
        return ""
    return f"{detail.sender_name} {detail.sender_number}"


def _turns(case) -> list[tuple]:
    from zhengban.cases import selectors

    return selectors.slot_turns(case, LEADERS_SLOT)


def _opinions(case) -> tuple[dict | None, list[dict]]:
    """The last 拟办 and the 批示 given since (one query)."""
    proposal, given = None, []
    events = case.events.filter(action__in=("propose", "instruct")).order_by("seq")
    for event in events.select_related("actor", "on_behalf_of"):
        data = event.data or {}
        row = {
            "who": event.on_behalf_of or event.actor,
            "at": event.time,
            "text": event.comment,
            "supervise": bool(data.get("supervise")),
            "due_date": data.get("due_date", ""),
            "units": data.get("suggested_units", []),
        }
        if event.action == "propose":
            proposal, given = row, []
        else:
            given.append(row)
    return proposal, given


def _readers(case) -> list:
    from zhengban.cases.models import Task

    return list(
        Task.objects.filter(case=case, kind=TaskKind.CIRCULATE)
        .select_related("assignee")
        .order_by("created_at", "pk")
    )


def slip_url(case) -> str:
    return reverse("documents:incoming_slip", args=[case.pk])


def _panel_context(user, case, detail) -> dict:
    from zhengban.cases.access import CaseAccess

    from .selectors import archived

    access = CaseAccess(user, case)
    originals = [a for a in case.attachments.filter(original=True) if access.may_read(a)]
    proposal, given = _opinions(case)
    clerk = user.has_role(Role.CLERK) and case.owner_unit_id in user.unit_ids
    return {
        "turns": _turns(case),
        "proposal": proposal,
        # The 批示 texts are in the 领导批示 panel (zhengban.instructions); here, by the turns.
        "supervised": {row["who"].pk for row in given if row["supervise"] and row["who"]},
        "readers": _readers(case),
        "originals": originals,
        "slip_url": slip_url(case),
        # The router's suggestions where the clerk chooses units: 拟办 and 交办.
        "routing": clerk and case.state in ("proposing", "dispatching"),
        "needs_scan": clerk and case.state in ("draft", "screening") and not originals,
        "original_url": original_url(case),
        "original_form": OriginalForm(auto_id="id_original_%s"),
        **archived(user, detail.archive_item_id),
    }


INCOMING = CaseType(
    workflow=WORKFLOW,
    body_label=_("内容摘要"),
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


# --- 收文处理笺 -----------------------------------------------------------------------------------


def _day(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d")


CLEARANCE_NAMES = {2: "秘密", 3: "机密", 4: "绝密"}
URGENCY_NAMES = {"extra_urgent": "特急", "urgent": "加急", "normal": "平件"}


def slip_for(case):
    """The slip's values from the case, its events, assignments and 传阅 tasks. The slip is
    an official form: its words are Chinese whatever the reader's language."""
    from .render.slip import Signed, Slip

    detail = case.incoming
    organization = getattr(case.owner_unit, "organization", None)
    proposal, given = _opinions(case)
    signed_proposal = []
    if proposal:
        text = proposal["text"]
        leaders = [str(u) for u, _done in _turns(case)]
        extra = []
        if leaders:
            extra.append("呈批：" + "→".join(leaders))
        if proposal["units"]:
            extra.append("拟承办：" + "、".join(proposal["units"]))
        signed_proposal.append(
            Signed(text, str(proposal["who"]), _day(proposal["at"]), "；".join(extra))
        )
    signed_instructions = []
    for row in given:
        notes = []
        if row["due_date"]:
            notes.append(f"办理期限：{row['due_date']}")
        if row["supervise"]:
            notes.append("列入督办")
        signed_instructions.append(
            Signed(row["text"], str(row["who"]), _day(row["at"]), "；".join(notes))
        )
    assignments = list(case.assignments.select_related("unit").prefetch_related("reports"))
    lead = [a.unit.name for a in assignments if a.role == "lead"]
    co = [a.unit.name for a in assignments if a.role != "lead"]
    units = []
    if lead:
        units.append("主办：" + "、".join(lead))
    if co:
        units.append("协办：" + "、".join(co))
    results = []
    for a in sorted(assignments, key=lambda a: (a.role != "lead", a.pk)):
        for report in a.reports.all():
            results.append(Signed(report.text, a.unit.name, _day(report.created_at)))
    readers = []
    for task in _readers(case):
        when = task.read_at or (task.completed_at if task.state == "done" else None)
        if when:
            at = timezone.localtime(when).strftime("%m-%d %H:%M")
            readers.append(f"{task.assignee}（已阅 {at}）")
        else:
            readers.append(f"{task.assignee}（未阅）")
    copies = f"{detail.copies}份"
    if detail.pages:
        copies += f"（每份{detail.pages}页）"
    secrecy = CLEARANCE_NAMES[case.sensitivity] if case.sensitivity >= Clearance.SECRET else "无"
    if detail.secrecy_period and case.sensitivity >= Clearance.SECRET:
        secrecy = f"{secrecy}★{detail.secrecy_period}"
    return Slip(
        organ=organization.name if organization else "",
        sender=detail.sender_name,
        sender_number=detail.sender_number,
        number=case.number,
        received_on=_day(detail.received_on),
        secrecy=str(secrecy),
        urgency=URGENCY_NAMES.get(case.urgency, ""),
        doc_type=detail.doc_type,
        copies=copies,
        title=case.title,
        proposal=signed_proposal,
        instructions=signed_instructions,
        units="；".join(units),
        results=results,
        readers=readers,
        remarks=detail.remarks,
        printed=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    )


@login_required
@require_GET
def slip_download(request, pk: int):
    """The 收文处理笺 as a PDF download, for whoever may read the case (the kernel's policy
    and `CaseAccess`; not the external units, who read only what is shared with them);
    every download is audited."""
    from zhengban.audit.services import audit_record
    from zhengban.cases import selectors
    from zhengban.cases.access import CaseAccess

    from .render.slip import render_slip

    case = selectors.case_for_page(request.user, pk)
    access = CaseAccess(request.user, case)
    if case.case_type != CASE_TYPE or not access.visible or access.external:
        raise Http404
    pdf = render_slip(slip_for(case))
    audit_record(
        actor=request.user,
        action="incoming.slip",
        target=case,
        summary=case.number,
        changes={"bytes": len(pdf)},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = quote(f"收文处理笺-{case.number}.pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class OriginalForm(forms.Form):
    scan = forms.FileField(label=_("原件扫描件（PDF）"))

    clean_scan = IncomingCreateForm.clean_scan


@login_required
@require_POST
def original_upload(request, pk: int):
    """The scan of the original, uploaded from the 收文 panel: a kernel attachment (who may
    attach, in which state, and the upload checks are the kernel's), named as the original.
    Like the kernel's own upload, it returns to the case page with the outcome."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from zhengban.cases import selectors
    from zhengban.cases.errors import CaseError

    case = selectors.case_for_page(request.user, pk)
    if case.case_type != CASE_TYPE:
        from zhengban.audit.services import audit_denied

        audit_denied(actor=request.user, action="incoming.original", target=case)
        raise Http404
    form = OriginalForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            attach_original(case=case, actor=request.user, uploaded_file=form.cleaned_data["scan"])
        except CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("原件扫描件已上传。"))
    return redirect("cases:detail", pk=case.pk)


def original_url(case) -> str:
    try:
        return reverse("documents:incoming_original", args=[case.pk])
    except NoReverseMatch:
        return ""


# Mounted by documents/urls.py (`urlpatterns += incoming.urlpatterns`).
urlpatterns = [
    path("incoming/<int:pk>/slip.pdf", slip_download, name="incoming_slip"),
    path("incoming/<int:pk>/original/", original_upload, name="incoming_original"),
]
