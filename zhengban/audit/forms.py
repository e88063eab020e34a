from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from . import events


def _object_type_choices():
    models = sorted(apps.get_models(), key=lambda model: model._meta.label_lower)
    return [("", _("全部"))] + [
        (model._meta.label_lower, f"{model._meta.verbose_name}（{model._meta.label_lower}）")
        for model in models
        if not model._meta.label_lower.startswith(("contenttypes.", "sessions.", "admin."))
    ]


class AuditFilterForm(forms.Form):
    """Filters of the audit page; the export uses the same ones."""

    date_from = forms.DateField(label=_("起始日期"), required=False)
    date_to = forms.DateField(label=_("截止日期"), required=False)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.CharField(
        label=_("操作"),
        required=False,
        max_length=64,
        help_text=_("操作代码或其前缀，如 accounts."),
    )
    object_type = forms.ChoiceField(label=_("对象类型"), required=False, choices=())
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    text = forms.CharField(label=_("摘要包含"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = _object_type_choices()
        for name in ("date_from", "date_to"):
            self.fields[name].widget.input_type = "date"

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data

    def filters(self) -> dict:
        """The valid filters as keyword arguments of selectors.records_filtered (a field
        with an error is left out and its error shown)."""
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value}

    @staticmethod
    def action_suggestions():
        return [(event.code, event.label) for event in events.all_events()]


class AlertAcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("处理说明"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("如：已恢复数据库、已查明原因")}),
    )
