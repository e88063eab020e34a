"""Forms of the meetings pages: input validation only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhengban.cases.selectors import creatable_units

from . import selectors
from .choices import AttendanceResponse
from .models import AgendaItem

DATETIME = {"type": "datetime-local"}


class _LeaderChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


class MeetingForm(forms.Form):
    meeting_type = forms.ModelChoiceField(label=_("会议类型"), queryset=None)
    session = forms.CharField(
        label=_("届次/期次"),
        max_length=40,
        required=False,
        help_text=_("如：第12次；会议名称为“第12次常务会议”。"),
    )
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=forms.DateTimeInput(attrs=DATETIME))
    ends_at = forms.DateTimeField(
        label=_("结束时间"), required=False, widget=forms.DateTimeInput(attrs=DATETIME)
    )
    venue = forms.CharField(label=_("会议地点"), max_length=100)
    chair = _LeaderChoice(label=_("主持人"), queryset=None, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("出席领导"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("主持人自动列为出席领导。"),
    )
    observers = forms.ModelMultipleChoiceField(
        label=_("列席单位"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("按住 Ctrl 键可选择多个单位。"),
    )
    notice_text = forms.CharField(
        label=_("通知事项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：请提前15分钟到会；着正装。"),
    )

    def __init__(self, *args, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting_type"].queryset = types
        people = selectors.leaders()
        self.fields["chair"].queryset = people
        self.fields["attendees"].queryset = people
        self.fields["observers"].queryset = selectors.units_for_meetings()

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("结束时间须晚于开始时间。"))
        return data


class AgendaForm(forms.Form):
    title = forms.CharField(label=_("议题名称"), max_length=300)
    owner_unit = forms.ModelChoiceField(label=_("提交单位"), queryset=None)
    presenter = forms.CharField(label=_("汇报人"), max_length=60, required=False)
    body = forms.CharField(
        label=_("议题说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("提请审议的事项、依据、征求意见及协调情况；材料可在提交后作为附件上传。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = creatable_units(user)
        self.fields["owner_unit"].queryset = units
        if units.count() == 1:
            self.fields["owner_unit"].initial = units.first()


class AttendanceForm(forms.Form):
    response = forms.ChoiceField(
        label=_("参会情况"),
        choices=[c for c in AttendanceResponse.choices if c[0] != AttendanceResponse.PENDING],
        widget=forms.RadioSelect,
    )
    attendee_name = forms.CharField(label=_("列席人员"), max_length=60, required=False)
    substitute = forms.CharField(label=_("代会人员"), max_length=60, required=False)
    reason = forms.CharField(label=_("事由"), max_length=200, required=False)


class MinutesForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 12})
    )


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("议定事项"), widget=forms.Textarea(attrs={"rows": 3}))
    agenda_item = forms.ModelChoiceField(label=_("所属议题"), queryset=None, required=False)
    lead_unit = forms.ModelChoiceField(label=_("牵头单位"), queryset=None)
    co_units = forms.ModelMultipleChoiceField(
        label=_("配合单位"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("按住 Ctrl 键可选择多个单位。"),
    )
    due_date = forms.DateField(
        label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        units = selectors.units_for_meetings()
        self.fields["lead_unit"].queryset = units
        self.fields["co_units"].queryset = units
        self.fields["agenda_item"].queryset = AgendaItem.objects.filter(
            meeting=meeting, case__state__in=["accepted", "discussed"]
        ).select_related("case")


class ActivityForm(forms.Form):
    leader = _LeaderChoice(label=_("领导"), queryset=None)
    title = forms.CharField(label=_("活动内容"), max_length=200)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=forms.DateTimeInput(attrs=DATETIME))
    ends_at = forms.DateTimeField(
        label=_("结束时间"), required=False, widget=forms.DateTimeInput(attrs=DATETIME)
    )
    place = forms.CharField(label=_("地点"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = selectors.leaders()


class MeetingTypeForm(forms.Form):
    name = forms.CharField(label=_("会议类型"), max_length=40)
    organiser = forms.ModelChoiceField(label=_("承办处室"), queryset=None)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        from zhengban.org.models import Unit

        self.fields["organiser"].queryset = Unit.objects.filter(
            organization=organization, active=True
        ).order_by("order", "pk")
