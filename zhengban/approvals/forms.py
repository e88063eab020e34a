"""The 请示事项类别 page's forms: add (名称, 代码, 排序) and edit (名称, 排序, 在用 — the code is
fixed once created). The service validates again; the forms give the messages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApprovalCategory
from .services import ORDER_MAX

ERRORS = {
    "name": {
        "unique": _("已有同名的请示事项类别。"),
        "max_length": _("名称最多%(limit_value)d个字。"),
    },
    "code": {
        "unique": _("该代码已被其他类别使用。"),
        "invalid": _("代码只能由英文字母、数字、连字符（-）或下划线（_）组成。"),
        "max_length": _("代码最多%(limit_value)d个字符。"),
    },
}


class CategoryForm(forms.ModelForm):
    """A new category, in use from the start."""

    order = forms.IntegerField(
        label=_("排序"),
        min_value=0,
        max_value=ORDER_MAX,
        initial=0,
        help_text=_("数字小的排在前面。"),
        error_messages={
            "min_value": _("排序不能小于%(limit_value)s。"),
            "max_value": _("排序不能大于%(limit_value)s。"),
            "invalid": _("排序须为整数。"),
        },
    )

    class Meta:
        model = ApprovalCategory
        fields = ["name", "code", "order"]
        error_messages = ERRORS
        help_texts = {
            "code": _("英文字母、数字、连字符或下划线，如 foreign-affairs；创建后不可修改。"),
        }

    def clean_code(self):
        return self.cleaned_data["code"].strip().lower()


class CategoryEditForm(CategoryForm):
    """名称, 排序 and 在用 of an existing category; `original` names the values the form was
    rendered with, so a change made meanwhile by someone else is refused (409)."""

    original = forms.CharField(widget=forms.HiddenInput, max_length=64)

    class Meta(CategoryForm.Meta):
        fields = ["name", "order", "active"]
        help_texts = {
            "active": _("取消勾选即停用：新签报不再可选该类别，已有签报保留并照常显示。"),
        }
