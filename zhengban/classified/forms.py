"""Forms of the classified register: metadata fields only (there is no field for content)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengban.accounts.choices import ADMIN_ROLES
from zhengban.accounts.models import User
from zhengban.documents.numbers import NumberError, parse_number
from zhengban.org.choices import UnitKind
from zhengban.org.models import Unit

from .models import ClassifiedDocument, Level, Status
from .services import period_problem


def people():
    return (
        User.objects.filter(is_active=True)
        .exclude(role_grants__role__in=ADMIN_ROLES)
        .order_by("display_name", "username")
        .distinct()
    )


class RecordForm(forms.ModelForm):
    class Meta:
        model = ClassifiedDocument
        fields = [
            "sender",
            "sender_name",
            "sender_number",
            "title_classified",
            "title",
            "register_title",
            "level",
            "secrecy_period",
            "copy_number",
            "copies",
            "received_on",
            "holder",
            "location",
            "remarks",
        ]
        widgets = {"received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        f = self.fields
        f["sender"].queryset = Unit.objects.filter(kind=UnitKind.EXTERNAL).order_by("order", "name")
        f["sender"].help_text = _("从承办单位名录中选择，或在下栏直接填写来文机关名称。")
        f["sender_name"].required = False
        f["sender_number"].help_text = _("如：辽委办发〔2026〕3号")
        f["title_classified"].help_text = _(
            "标题本身属于国家秘密时勾选：不录入原标题，只录入登记标题。"
        )
        f["title"].help_text = _("标题不涉密时填写原标题。")
        f["register_title"].help_text = _("不反映涉密内容的称谓，如“省委办公厅来文（机密件）”。")
        f["secrecy_period"].help_text = _(
            "如：10年、6个月、长期；绝密≤30年，机密≤20年，秘密≤10年。"
        )
        f["copy_number"].help_text = _("文件左上角的份号，如 000012。")
        f["holder"].queryset = people()
        f["location"].help_text = _("如：机要室保密柜2号。")
        f["remarks"].help_text = _("只记管理事项，不得记录文件内容。")
        f["copies"].required = False
        if not self.instance.pk:
            f["received_on"].initial = timezone.localdate
            if user is not None:
                f["holder"].initial = user.pk

    def clean_sender_number(self) -> str:
        text = self.cleaned_data["sender_number"].strip()
        if not text:
            return ""
        try:
            number = parse_number(text, today=timezone.localdate())
        except NumberError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return number.text

    def clean_copies(self) -> int:
        value = self.cleaned_data["copies"]
        return 1 if value is None else value

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("收文日期不能晚于今天。"))
        return value

    def clean(self):
        data = super().clean()
        sender = data.get("sender")
        if sender is not None and not data.get("sender_name"):
            data["sender_name"] = sender.name
        if not data.get("sender_name") and "sender" not in self.errors:
            self.add_error("sender_name", _("请选择或填写来文机关。"))
        if data.get("title_classified"):
            if data.get("title"):
                self.add_error("title", _("标题本身涉密时不得录入原标题，请只填写登记标题。"))
            if not data.get("register_title"):
                self.add_error("register_title", _("标题本身涉密时请填写登记标题。"))
        elif not data.get("title") and not data.get("register_title"):
            self.add_error(
                "title", _("请填写文件标题（标题本身涉密时勾选上方选项并填写登记标题）。")
            )
        level = data.get("level")
        if level is not None and "secrecy_period" in data:
            problem = period_problem(level, data["secrecy_period"])
            if problem:
                self.add_error("secrecy_period", problem)
        return data


class FilterForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("密级"),
        choices=[("", _("全部")), *Level.choices],
        required=False,
        coerce=int,
        empty_value=None,
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *Status.choices], required=False
    )
    q = forms.CharField(label=_("查找"), required=False, max_length=100)


class CirculateForm(forms.Form):
    recipient = forms.ModelChoiceField(
        label=_("传阅对象"), queryset=User.objects.none(), required=False
    )
    recipient_name = forms.CharField(label=_("或填写姓名"), required=False, max_length=100)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = people()


class ReturnForm(forms.Form):
    returned_to = forms.CharField(label=_("退还至"), max_length=200)
    returned_on = forms.DateField(
        label=_("退还日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )


class DestructionRequestForm(forms.Form):
    reason = forms.CharField(label=_("销毁理由"), max_length=300)


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批"),
        choices=[("1", _("批准销毁")), ("0", _("不批准"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("审批意见"), max_length=300, required=False)


class DestroyedForm(forms.Form):
    destroyed_on = forms.DateField(
        label=_("销毁日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    witness = forms.CharField(label=_("监销人"), max_length=100)
