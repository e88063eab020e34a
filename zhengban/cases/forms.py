"""Forms of the case pages. The API validates action parameters with the same forms, so a
unit id means the same thing in a browser and in a script."""

from __future__ import annotations

import datetime
from functools import cached_property

from django import forms
from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengban.accounts.choices import Clearance
from zhengban.security.validation import parse_id
from zhengban.workcalendar.choices import PauseReason
from zhengban.workcalendar.deadlines import get_rule

from . import selectors
from .casetypes import case_type_or_none
from .choices import Audience, Opinion, ReportKind, TaskKind, Urgency
from .workflow import Action, Param, all_workflows

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class Pickers:
    """Unit and people choices for the forms of one page, each loaded once (a page shows
    several forms with the same pickers).

    The people listed are those near the work: members of `unit_ids` (the case's owner and
    assigned units, the user's own) and the leaders; an office has thousands of people, too
    many for one list. Any other active person cleared for the case is still accepted by id
    (the API, or a list a later page narrows by search)."""

    def __init__(self, min_clearance: int = Clearance.PUBLIC, unit_ids=None, *, closed=False):
        self.min_clearance = min_clearance
        self.unit_ids = None if unit_ids is None else set(unit_ids)
        # Closed: only the listed people, no leaders, nobody else by id (external contacts).
        self.closed = closed
        self._extra: dict[str, object] = {}

    @classmethod
    def for_case(cls, case, user) -> Pickers:
        from .access import acts_externally

        if acts_externally(user):
            # A handling unit's contact reaches its own people and the owner unit's.
            return cls(case.sensitivity, {case.owner_unit_id, *user.unit_ids}, closed=True)
        assigned = {
            a.unit_id
            for a in case.assignments.all()
            if a.status in ("open", "reported", "returned")
        }
        return cls(case.sensitivity, {case.owner_unit_id, *assigned, *user.unit_ids})

    @cached_property
    def units(self) -> dict[str, object]:
        return {str(u.pk): u for u in selectors.unit_choices_queryset()}

    @cached_property
    def unit_choices(self) -> list:
        from zhengban.org.choices import UnitKind

        internal = [(k, u.name) for k, u in self.units.items() if u.kind != UnitKind.EXTERNAL]
        external = [(k, u.name) for k, u in self.units.items() if u.kind == UnitKind.EXTERNAL]
        groups = [(_("本机关处室"), internal)]
        if external:
            groups.append((_("承办单位"), external))
        return groups

    def _people(self):
        from zhengban.accounts.models import UnitMembership

        first_unit = UnitMembership.objects.filter(user=OuterRef("pk")).order_by("pk")
        return selectors.people_queryset(self.min_clearance).annotate(
            unit_name=Subquery(first_unit.values("unit__name")[:1])
        )

    @cached_property
    def people(self) -> dict[str, object]:
        rows = self._people()
        if self.unit_ids is not None:
            from zhengban.accounts.choices import LEADER_ROLES

            near = Q(memberships__unit_id__in=self.unit_ids)
            if not self.closed:
                near |= Q(role_grants__role__in=LEADER_ROLES)
            rows = rows.filter(near).distinct()
        return {str(u.pk): u for u in rows}

    def person(self, key) -> object | None:
        """A listed person, or any other active person cleared for the case."""
        key = str(key)
        if key in self.people or self.closed:
            return self.people.get(key)
        if key not in self._extra:
            pk = parse_id(key, name="person") if key.isascii() and key.isdigit() else None
            found = self._people().filter(pk=pk).first() if pk else None
            self._extra[key] = found
        return self._extra[key]

    @cached_property
    def people_choices(self) -> list:
        return [
            (k, f"{u}（{u.unit_name}）" if u.unit_name else str(u)) for k, u in self.people.items()
        ]

    def holders(self, roles) -> dict[str, object]:
        """The people holding one of `roles` (leaders for a 批示), loaded once per role set."""
        key = frozenset(roles)
        cache = self.__dict__.setdefault("_holders", {})
        if key not in cache:
            rows = self._people().filter(role_grants__role__in=key).distinct()
            cache[key] = {str(u.pk): u for u in rows}
        return cache[key]

    def holder_choices(self, roles) -> list:
        return [
            (k, f"{u}（{u.unit_name}）" if u.unit_name else str(u))
            for k, u in self.holders(roles).items()
        ]


class PersonField(forms.ChoiceField):
    def __init__(self, *args, pickers: Pickers, roles=frozenset(), **kwargs):
        self.pickers, self.roles = pickers, roles
        choices = pickers.holder_choices(roles) if roles else pickers.people_choices
        super().__init__(*args, choices=_blank(choices), **kwargs)

    def valid_value(self, value) -> bool:
        if self.roles:
            return str(value) in self.pickers.holders(self.roles)
        return self.pickers.person(value) is not None


class PeopleField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, *args, pickers: Pickers, roles=frozenset(), **kwargs):
        self.pickers, self.roles = pickers, roles
        choices = pickers.holder_choices(roles) if roles else pickers.people_choices
        super().__init__(*args, choices=choices, **kwargs)

    def valid_value(self, value) -> bool:
        if self.roles:
            return str(value) in self.pickers.holders(self.roles)
        return self.pickers.person(value) is not None


def _blank(choices, label="—"):
    return [("", label), *choices]


# --- inbox filters -------------------------------------------------------------------------


class InboxFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=200)
    case_type = forms.ChoiceField(label=_("事项类型"), required=False)
    state = forms.ChoiceField(label=_("状态"), required=False)
    urgency = forms.ChoiceField(
        label=_("紧急程度"), required=False, choices=_blank(Urgency.choices, _("全部"))
    )
    sensitivity = forms.TypedChoiceField(
        label=_("密级"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_blank(Clearance.choices, _("全部")),
    )
    unit = forms.TypedChoiceField(label=_("单位"), required=False, coerce=int, empty_value=None)
    created_from = forms.DateField(label=_("创建自"), required=False, widget=DATE)
    created_to = forms.DateField(label=_("创建至"), required=False, widget=DATE)
    due_from = forms.DateField(label=_("期限自"), required=False, widget=DATE)
    due_to = forms.DateField(label=_("期限至"), required=False, widget=DATE)
    sort = forms.ChoiceField(
        label=_("排序"), required=False, choices=_blank(list(selectors.SORTS.items()), _("默认"))
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        workflows = sorted(all_workflows(), key=lambda w: w.case_type)
        self.fields["case_type"].choices = _blank(
            [(w.case_type, w.label) for w in workflows], _("全部")
        )
        states: dict[str, str] = {}
        for w in workflows:
            for s in w.states:
                states.setdefault(s.code, str(s.label))
        self.fields["state"].choices = _blank(list(states.items()), _("全部"))
        self.fields["unit"].choices = _blank([(u.pk, u.name) for u in units], _("全部"))
        # The selected type's own filters (x_<name>), offered only with that type.
        self.case_type = case_type_or_none(self.data.get("case_type", "")) if self.data else None
        for spec in self.case_type.filters if self.case_type else ():
            if spec.choices:
                field = forms.ChoiceField(
                    label=spec.label, required=False, choices=_blank(spec.choices, _("全部"))
                )
            else:
                field = forms.CharField(label=spec.label, required=False, max_length=100)
            self.fields[f"x_{spec.name}"] = field

    def to_filters(self) -> selectors.InboxFilters:
        # An invalid field (a stale link, a unit no longer mine) is ignored, not the rest.
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return selectors.InboxFilters(
            case_type=data.get("case_type") or "",
            state=data.get("state") or "",
            urgency=data.get("urgency") or "",
            sensitivity=data.get("sensitivity"),
            unit=data.get("unit"),
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
            q=data.get("q") or "",
            sort=data.get("sort") or "",
            extra={
                name[2:]: value
                for name, value in data.items()
                if name.startswith("x_") and value not in ("", None)
            },
        )


# --- creating ------------------------------------------------------------------------------


def sensitivity_choices(user) -> list[tuple[int, str]]:
    """The 密级 the user may give: 无 (not a state secret — 内部 for office staff, 公开 for
    someone cleared only for public content), or 秘密/机密/绝密 within their clearance and
    what the deployment may hold (an ordinary system registers classified paper only as
    metadata). 公开 is not a 密级: 公开属性 is a field of the documents that need it."""
    top = min(user.clearance, max(Clearance.INTERNAL, settings.CLASSIFIED_SYSTEM_LEVEL))
    plain = Clearance.INTERNAL if top >= Clearance.INTERNAL else Clearance.PUBLIC
    secret = [(v, label) for v, label in Clearance.choices if Clearance.SECRET <= v <= top]
    return [(plain, _("无")), *secret]


class CaseCreateForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=300)
    body = forms.CharField(label=_("事项内容"), required=False, widget=forms.Textarea)
    urgency = forms.ChoiceField(
        label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    sensitivity = forms.TypedChoiceField(label=_("密级"), coerce=int, initial=Clearance.PUBLIC)
    owner_unit = forms.ChoiceField(label=_("主责处室"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sensitivity"].choices = sensitivity_choices(user)
        self.fields["sensitivity"].initial = self.fields["sensitivity"].choices[0][0]
        self.units = {str(u.pk): u for u in selectors.creatable_units(user)}
        self.fields["owner_unit"].choices = [(k, u.name) for k, u in self.units.items()]
        if len(self.units) == 1:
            self.fields["owner_unit"].initial = next(iter(self.units))

    def clean_owner_unit(self):
        return self.units[self.cleaned_data["owner_unit"]]


class CaseEditForm(forms.Form):
    """Edit the text where the state allows it; fields the state freezes are shown disabled."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("标题"), max_length=300)
    body = forms.CharField(label=_("事项内容"), required=False, widget=forms.Textarea)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)

    def __init__(self, *args, case, editable, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "version": case.version,
                "title": case.title,
                "body": case.body,
                "urgency": case.urgency,
            },
        )
        super().__init__(*args, **kwargs)
        for name in ("title", "body", "urgency"):
            if name not in editable:
                self.fields[name].disabled = True


# --- declared actions ----------------------------------------------------------------------


def choice_options(case, action: Action, param: Param) -> list[tuple[str, str]]:
    """Choices of a "choice" parameter: a pause reason comes from the case's deadline rule;
    other choices are declared in the workflow's `extra["choices"][param]`."""
    if param.name == "reason" and action.code == "pause" and case.deadline_rule:
        rule = get_rule(case.deadline_rule)
        codes = sorted(rule.pause_reasons | rule.restart_reasons)
        return [(c, PauseReason(c).label if c in PauseReason.values else c) for c in codes]
    if param.choices is not None:
        return [(str(v), str(label)) for v, label in param.choices(case)]
    workflow = selectors.workflow_or_none(case.case_type)
    declared = (workflow.extra.get("choices", {}) if workflow else {}).get(param.name, [])
    return [(str(v), str(label)) for v, label in declared]


# The form fields a 常用意见 may fill: picked from a list, or typed.
PHRASE_TARGETS = ("text", "comment", "reason")


class PhraseMixin:
    """Adds a 常用意见 picker to a form's opinion field: with scripts it fills the text box;
    without, a picked phrase stands in for an empty text."""

    def add_phrase_field(self):
        target = next((n for n in PHRASE_TARGETS if n in self.fields), None)
        if target is None:
            return
        self.phrase_target = target
        self.fields["phrase"] = forms.CharField(
            label=_("常用意见"), required=False, max_length=200, widget=forms.Select
        )
        order = list(self.fields)
        order.remove("phrase")
        order.insert(order.index(target), "phrase")
        self.order_fields(order)

    def offer(self, phrases) -> None:
        if "phrase" in self.fields:
            widget = self.fields["phrase"].widget
            widget.choices = [("", _("选择常用意见…")), *((p, p) for p in phrases)]
            widget.attrs["data-phrase-for"] = self[self.phrase_target].auto_id

    def clean(self):
        cleaned = super().clean()
        target = getattr(self, "phrase_target", None)
        if target and not (cleaned.get(target) or "").strip() and cleaned.get("phrase"):
            cleaned[target] = cleaned["phrase"]
            self.errors.pop(target, None)
        return cleaned


class VersionedForm(forms.Form):
    """Carries the case version the page was rendered with: a stale form is a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ActionForm(PhraseMixin, VersionedForm):
    """A declared workflow action: one field per `Action.params`, plus the comment."""

    RESERVED = {"version", "comment"}

    def __init__(self, *args, case, action: Action, pickers: Pickers, **kwargs):
        super().__init__(*args, **kwargs)
        self.case, self.action, self.pickers = case, action, pickers
        self.fields["version"].initial = case.version
        for param in action.params:
            name = param.name if param.name not in self.RESERVED else f"p_{param.name}"
            self.fields[name] = self._field(param)
        self.fields["comment"] = forms.CharField(
            label=action.comment_label
            or (_("理由") if action.comment_required else _("意见或说明")),
            required=action.comment_required,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.add_phrase_field()

    def _field(self, param: Param) -> forms.Field:
        label, required = param.label, param.required
        if param.kind == "unit":
            return forms.ChoiceField(
                label=label, required=required, choices=_blank(self.pickers.unit_choices)
            )
        if param.kind == "units":
            return forms.MultipleChoiceField(
                label=label,
                required=required,
                choices=self.pickers.unit_choices,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
            )
        if param.kind == "user":
            return PersonField(
                label=label, required=required, pickers=self.pickers, roles=param.roles
            )
        if param.kind == "users":
            return PeopleField(
                label=label, required=required, pickers=self.pickers, roles=param.roles
            )
        if param.kind == "date":
            return forms.DateField(label=label, required=required, widget=DATE)
        if param.kind == "choice":
            options = choice_options(self.case, self.action, param)
            return forms.ChoiceField(label=label, required=required, choices=_blank(options))
        if param.kind == "flag":  # a yes/no the actor ticks (列入督办)
            return forms.BooleanField(label=label, required=False)
        return forms.CharField(
            label=label, required=required, widget=forms.Textarea(attrs={"rows": 2})
        )

    def params(self) -> dict:
        """Cleaned parameters as the service takes them (model instances for pickers)."""
        values = {}
        for param in self.action.params:
            name = param.name if param.name not in self.RESERVED else f"p_{param.name}"
            value = self.cleaned_data.get(name)
            if param.kind == "unit":
                value = self.pickers.units.get(value) if value else None
            elif param.kind == "units":
                value = [self.pickers.units[v] for v in value or []]
            elif param.kind == "user":
                value = self._person(param, value) if value else None
            elif param.kind == "users":
                value = [self._person(param, v) for v in value or []]
            if value not in (None, "", []):
                values[param.name] = value
        return values

    def _person(self, param: Param, key):
        if param.roles:
            return self.pickers.holders(param.roles).get(str(key))
        return self.pickers.person(key)


# --- kernel actions: 加签, 传阅, 转办, 撤回 ---------------------------------------------------

KERNEL_ACTIONS = {
    "consult": _("加签"),
    "circulate": _("传阅"),
    "transfer": _("转办"),
    "withdraw": _("撤回"),
}


class KernelActionForm(VersionedForm):
    def __init__(self, *args, code: str, case, pickers: Pickers, **kwargs):
        super().__init__(*args, **kwargs)
        self.code, self.case, self.pickers = code, case, pickers
        self.label = KERNEL_ACTIONS[code]
        self.fields["version"].initial = case.version
        if code in ("consult", "circulate"):
            self.fields["users"] = PeopleField(
                label=_("征求意见人") if code == "consult" else _("传阅人"), pickers=pickers
            )
            self.fields["comment"] = forms.CharField(
                label=_("说明"),
                required=code == "consult",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        elif code == "transfer":
            self.fields["to_user"] = PersonField(label=_("转交给"), pickers=pickers)
            self.fields["comment"] = forms.CharField(
                label=_("转办理由"), widget=forms.Textarea(attrs={"rows": 2})
            )

    def users(self) -> list:
        return [self.pickers.person(v) for v in self.cleaned_data.get("users") or []]

    def to_user(self):
        return self.pickers.person(self.cleaned_data.get("to_user") or "")


# --- tasks and assignments -----------------------------------------------------------------

OPINIONS_BY_KIND = {
    TaskKind.COUNTERSIGN: (Opinion.AGREE, Opinion.DISAGREE),
    TaskKind.CONSULT: (Opinion.COMMENT, Opinion.AGREE, Opinion.DISAGREE),
    TaskKind.CIRCULATE: (Opinion.READ,),
    TaskKind.HANDLE: (Opinion.COMMENT,),
}


class OpinionForm(PhraseMixin, forms.Form):
    opinion = forms.ChoiceField(label=_("意见"), widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("意见内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = OPINIONS_BY_KIND.get(task.kind, tuple(Opinion))
        self.fields["opinion"].choices = [(o.value, o.label) for o in allowed]
        self.fields["opinion"].initial = allowed[0].value
        self.add_phrase_field()


class ReportForm(forms.Form):
    # Without a kind (the API of before) a report is the unit's final one.
    kind = forms.ChoiceField(
        label=_("类别"),
        choices=ReportKind.choices,
        initial=ReportKind.PROGRESS,
        widget=forms.RadioSelect,
        required=False,
    )
    report = forms.CharField(label=_("办理情况"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionRequestForm(forms.Form):
    new_due = forms.DateField(label=_("申请延至"), widget=DATE)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class UrgeForm(forms.Form):
    message = forms.CharField(
        label=_("催办内容"),
        initial=_("请抓紧办理，按期反馈办理情况。"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExtensionDecisionForm(PhraseMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审批"),
        choices=[("approve", _("同意延期")), ("refuse", _("不同意"))],
        widget=forms.RadioSelect,
        initial="approve",
    )
    reason = forms.CharField(label=_("审批意见"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_phrase_field()


class HandForm(forms.Form):
    """处内分办: the unit head hands the unit's task to one of its people."""

    to_user = forms.ChoiceField(label=_("分办给"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(u.pk): u for u in members}
        self.fields["to_user"].choices = _blank([(k, str(u)) for k, u in self.members.items()])

    def clean_to_user(self):
        return self.members[self.cleaned_data["to_user"]]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ReassignForm(ReasonForm):
    unit = forms.ChoiceField(label=_("改派给"))

    def __init__(self, *args, pickers: Pickers, **kwargs):
        super().__init__(*args, **kwargs)
        self.pickers = pickers
        self.fields["unit"].choices = _blank(pickers.unit_choices)
        self.order_fields(["unit", "reason"])

    def clean_unit(self):
        return self.pickers.units[self.cleaned_data["unit"]]


ASSIGNMENT_VERBS = {
    "report": (ReportForm, _("反馈办理情况")),
    "record": (ReportForm, _("代录反馈")),
    "extend": (ExtensionRequestForm, _("申请延期")),
    "return": (ReasonForm, _("退回")),
    "urge": (UrgeForm, _("催办")),
    "waive": (ReasonForm, _("免除反馈")),
    "reassign": (ReassignForm, _("改派")),
}


def assignment_form(verb: str, assignment, data=None, *, pickers: Pickers | None = None):
    """The form of one assignment verb; the prefix keeps several on one page apart."""
    form_class = ASSIGNMENT_VERBS[verb][0]
    kwargs = {"prefix": f"a{assignment.pk}{verb}"}
    if form_class is ReassignForm:
        kwargs["pickers"] = pickers or Pickers()
    return form_class(data, **kwargs)


class ReportReviewForm(forms.Form):
    """采纳 or 退回 a unit's report (退回 with a reason)."""

    decision = forms.ChoiceField(
        label=_("审核"), choices=(("accept", _("采纳")), ("return", _("退回")))
    )
    reason = forms.CharField(
        label=_("退回理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("退回反馈须填写理由。"))
        return cleaned


class CommentForm(forms.Form):
    text = forms.CharField(label=_("留言"), widget=forms.Textarea(attrs={"rows": 3}))
    # Not offered to external contacts: what they write is for the owner (the service says so).
    audience = forms.ChoiceField(
        label=_("可见范围"), choices=Audience.choices, initial=Audience.INTERNAL, required=False
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件"))
    audience = forms.ChoiceField(
        label=_("可见范围"), choices=Audience.choices, initial=Audience.INTERNAL, required=False
    )


# --- delegations ---------------------------------------------------------------------------


class DelegationForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=DATE)
    end = forms.DateField(label=_("结束日期"), widget=DATE)
    reason = forms.CharField(label=_("事由"), max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.pickers = Pickers(unit_ids=user.unit_ids)
        self.fields["delegate"] = PersonField(label=_("受托人"), pickers=self.pickers)
        self.fields["delegate"].choices = [
            (k, label) for k, label in self.fields["delegate"].choices if k != str(user.pk)
        ]
        self.fields["case_types"] = forms.MultipleChoiceField(
            label=_("委托事项类型"),
            required=False,
            help_text=_("不选即委托全部事项。"),
            choices=[(w.case_type, w.label) for w in selectors.workflows_sorted()],
            widget=forms.CheckboxSelectMultiple,
        )
        self.order_fields(["delegate", "start", "end", "case_types", "reason"])
        today = timezone.localdate()
        self.fields["start"].initial = today
        self.fields["end"].initial = today + datetime.timedelta(days=6)

    def clean_delegate(self):
        return self.pickers.person(self.cleaned_data["delegate"])


# --- messages ----------------------------------------------------------------------------------


def errors_text(form) -> str:
    parts = []
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = "；".join(str(e) for e in messages)
        parts.append(f"{label}：{text}" if label else text)
    return "；".join(parts)
