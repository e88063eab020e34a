"""Forms of 批示: giving one on a case (the panel), recording one stand-alone from a paper
呈批件, and the 台账's filters. Units come in two groups — the office's divisions and the
external handling units — loaded once per form."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengban.accounts.choices import Clearance

from . import policies, selectors
from .choices import Handling

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _unit_groups() -> tuple[list, dict]:
    from zhengban.org.choices import UnitKind
    from zhengban.org.models import Unit

    units = {str(u.pk): u for u in Unit.objects.filter(active=True).order_by("order", "pk")}
    internal = [(k, u.name) for k, u in units.items() if u.kind != UnitKind.EXTERNAL]
    external = [(k, u.name) for k, u in units.items() if u.kind == UnitKind.EXTERNAL]
    groups = []
    if internal:
        groups.append((_("内设处室"), internal))
    if external:
        groups.append((_("承办单位（市直部门、区县政府）"), external))
    return groups, units


class InstructionForm(forms.Form):
    """A 批示: by the user themself when a leader, else (代录) for the leader chosen."""

    leader = forms.TypedChoiceField(label=_("批示领导"), coerce=int, required=False)
    text = forms.CharField(
        label=_("批示内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20000
    )
    given_on = forms.DateField(label=_("批示日期"), widget=DATE)
    lead_unit = forms.ChoiceField(label=_("牵头单位"), required=False)
    co_units = forms.MultipleChoiceField(
        label=_("配合单位"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
    )
    due_date = forms.DateField(label=_("办理时限"), required=False, widget=DATE)
    supervise = forms.BooleanField(
        label=_("列入督办（由督查室立项跟踪，直至办结）"), required=False
    )

    def __init__(self, *args, user, standalone: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.standalone = standalone
        self.fields["given_on"].initial = timezone.localdate
        groups, self.units = _unit_groups()
        self.fields["lead_unit"].choices = [("", "—"), *groups]
        self.fields["co_units"].choices = groups
        if policies.may_record_for_others(user):
            choices = selectors.leaders_choices(user)
            self.fields["leader"].choices = [("", "—"), *choices]
            self.fields["leader"].required = not policies.is_leader(user)
            self.fields["leader"].help_text = (
                _("代录领导的纸质批示时选择；本人批示可不选。")
                if policies.is_leader(user)
                else _("代录领导的纸质批示：选择作出批示的领导，记录为代录。")
            )
        else:
            del self.fields["leader"]
        if standalone:
            self.fields["source_title"] = forms.CharField(label=_("呈批件标题"), max_length=300)
            self.fields["source_number"] = forms.CharField(
                label=_("呈批件编号"), max_length=60, required=False
            )
            self.fields["sensitivity"] = forms.TypedChoiceField(
                label=_("密级"),
                coerce=int,
                choices=[(v, label) for v, label in Clearance.choices if v <= user.clearance],
                initial=Clearance.PUBLIC,
            )
            self.order_fields(
                ["leader", "source_title", "source_number", "sensitivity", "text", "given_on"]
            )

    def clean_given_on(self):
        value = self.cleaned_data["given_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("批示日期不能晚于今天。"))
        return value

    def clean(self):
        data = super().clean()
        if data.get("supervise") and not data.get("lead_unit"):
            self.add_error("lead_unit", _("列入督办须指明牵头单位。"))
        due, given = data.get("due_date"), data.get("given_on")
        if due and given and due < given:
            self.add_error("due_date", _("办理时限不能早于批示日期。"))
        return data

    def leader_user(self):
        from zhengban.accounts.models import User

        chosen = self.cleaned_data.get("leader")
        if chosen and chosen != self.user.pk:
            return User.objects.get(pk=chosen)
        return self.user

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        lead = self.units.get(data.get("lead_unit") or "")
        co = [self.units[k] for k in data.get("co_units") or [] if k in self.units]
        units = ([lead] if lead else []) + [u for u in co if u != lead]
        values = {
            "leader": self.leader_user(),
            "text": data["text"],
            "given_on": data["given_on"],
            "units": units,
            "lead_unit": lead,
            "due_date": data.get("due_date"),
            "supervise": bool(data.get("supervise")),
        }
        if self.standalone:
            values["source_title"] = data["source_title"]
            values["source_number"] = data.get("source_number", "")
            values["sensitivity"] = data["sensitivity"]
        return values


class LedgerFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    leader = forms.TypedChoiceField(label=_("批示领导"), coerce=int, required=False)
    given_from = forms.DateField(label=_("批示日期自"), required=False, widget=DATE)
    given_to = forms.DateField(label=_("至"), required=False, widget=DATE)
    status = forms.ChoiceField(
        label=_("办理状态"), required=False, choices=[("", _("全部")), *Handling.choices]
    )
    supervise = forms.ChoiceField(
        label=_("列入督办"),
        required=False,
        choices=[("", _("全部")), ("yes", _("已列入督办")), ("no", _("未列入督办"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].choices = [("", _("全部")), *selectors.leaders_choices(user)]

    def clean(self):
        data = super().clean()
        start, end = data.get("given_from"), data.get("given_to")
        if start and end and start > end:
            self.add_error("given_to", _("结束日期不能早于开始日期。"))
        return data

    def filters(self) -> selectors.LedgerFilters:
        data = self.cleaned_data
        return selectors.LedgerFilters(
            leader=data.get("leader") or None,
            given_from=data.get("given_from"),
            given_to=data.get("given_to"),
            status=data.get("status") or "",
            supervise=data.get("supervise") or "",
            q=(data.get("q") or "").strip(),
        )
