"""The system administrator's calendar forms: request input to values, nothing more (the
rules — supported years, lengths, who may — are the services')."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services

WORKDAY, REST = "workday", "rest"
# The wording of the service's own length check (services._check_length).
TOO_LONG = _("不能超过%(limit_value)d个字（现为%(show_value)d个字）。")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class OverrideForm(forms.Form):
    """Add a day's adjustment, or change the one the date already has."""

    date = forms.DateField(
        label=_("日期"),
        input_formats=["%Y-%m-%d"],
        widget=DateInput(
            attrs={
                "min": f"{services.FIRST_YEAR}-01-01",
                "max": f"{services.LAST_YEAR}-12-31",
            }
        ),
        error_messages={
            "required": _("请选择日期。"),
            "invalid": _("日期无效，应为有效的年-月-日（例如2027-02-06）。"),
        },
    )
    kind = forms.ChoiceField(
        label=_("调整为"),
        choices=[(WORKDAY, _("工作日（调休上班）")), (REST, _("休息日（放假）"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择调整为工作日还是休息日。"),
            "invalid_choice": _("请选择调整为工作日还是休息日。"),
        },
    )
    note = forms.CharField(
        label=_("调整原因"),
        max_length=services.NOTE_MAX_LENGTH,
        help_text=_("例如：2027年春节；地方性节日"),
        error_messages={"required": _("请填写调整原因。"), "max_length": TOO_LONG},
    )

    @property
    def is_workday(self) -> bool:
        return self.cleaned_data["kind"] == WORKDAY


class YearForm(forms.Form):
    """Whether a year's 国务院办公厅 notice is entered in full, and which notice."""

    # The supported years are checked by the service (one message for both forms).
    year = forms.IntegerField(
        label=_("年度"),
        widget=forms.NumberInput(attrs={"min": services.FIRST_YEAR, "max": services.LAST_YEAR}),
        error_messages={"required": _("请填写年度。"), "invalid": _("年度须为整数，例如2027。")},
    )
    complete = forms.BooleanField(label=_("该年节假日安排已完整录入"), required=False)
    source = forms.CharField(
        label=_("依据"),
        max_length=services.SOURCE_MAX_LENGTH,
        required=False,
        help_text=_("例如：国务院办公厅关于2027年部分节假日安排的通知"),
        error_messages={"max_length": TOO_LONG},
    )

    def clean(self):
        data = super().clean()
        if data.get("complete") and not (data.get("source") or "").strip():
            self.add_error("source", _("标记为已完整录入时须填写依据（通知名称）。"))
        return data
