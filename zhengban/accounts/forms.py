from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from .choices import ADMIN_ROLES, Clearance, role_choices


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, max_length=256)
    otp = forms.CharField(
        label=_("动态口令"),
        max_length=20,
        required=False,
        help_text=_("领导和管理员账号须输入身份验证器上的6位动态口令，或一个恢复码。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class TotpConfirmForm(forms.Form):
    code = forms.RegexField(
        label=_("动态口令"),
        regex=r"^[0-9]{6}$",
        max_length=6,
        error_messages={"invalid": _("请输入身份验证器上显示的6位数字。")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("原密码"), widget=forms.PasswordInput, max_length=256)
    new_password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, max_length=256)
    new_password_again = forms.CharField(
        label=_("再次输入新密码"), widget=forms.PasswordInput, max_length=256
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("原密码不正确。"), code="wrong_password")
        return value

    def clean(self):
        data = super().clean()
        new, again = data.get("new_password"), data.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", _("两次输入的新密码不一致。"))
        elif new:
            try:
                validate_password(new, self.user)
            except forms.ValidationError as error:
                self.add_error("new_password", error)
        return data


def _units():
    from zhengban.org.models import Unit

    return Unit.objects.filter(active=True).order_by("kind", "organization_id", "order", "pk")


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_.-]{2,40}$",
        max_length=40,
        help_text=_("2至40位字母、数字或 _ . -，每人一个账号，不得共用。"),
        error_messages={"invalid": _("用户名只能包含字母、数字和 _ . -，2至40位。")},
    )
    display_name = forms.CharField(label=_("姓名"), max_length=40)
    units = UnitChoiceField(label=_("所属单位"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _units()

    def clean_username(self):
        from .models import User

        value = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=value).exists():
            raise forms.ValidationError(_("该用户名已被使用。"), code="taken")
        return value


class UserEditForm(forms.Form):
    display_name = forms.CharField(label=_("姓名"), max_length=40)
    is_active = forms.BooleanField(label=_("启用"), required=False)
    units = UnitChoiceField(label=_("所属单位"), queryset=None, required=False)
    head_of = UnitChoiceField(label=_("担任负责人的单位"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _units()
        self.fields["head_of"].queryset = _units()

    def clean(self):
        data = super().clean()
        units, heads = data.get("units"), data.get("head_of")
        if units is not None and heads is not None and not set(heads) <= set(units):
            self.add_error("head_of", _("只能在所属单位中担任负责人。"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200)


class RoleGrantForm(ReasonForm):
    role = forms.ChoiceField(label=_("角色"), choices=role_choices)
    field_order = ["role", "reason"]


class RoleRevokeForm(ReasonForm):
    role = forms.ChoiceField(choices=role_choices, widget=forms.HiddenInput)


class ClearanceForm(ReasonForm):
    clearance = forms.TypedChoiceField(label=_("知悉范围"), choices=Clearance.choices, coerce=int)
    field_order = ["clearance", "reason"]


class AddressUnblockForm(ReasonForm):
    address = forms.CharField(max_length=64, widget=forms.HiddenInput)


class SecurityPolicyForm(forms.Form):
    """The values the standard leaves open, with the ranges an assessor would accept."""

    password_min_length = forms.IntegerField(label=_("密码最短长度"), min_value=8, max_value=32)
    password_min_classes = forms.IntegerField(
        label=_("密码至少包含的字符类别数"),
        min_value=2,
        max_value=4,
        help_text=_("大写字母、小写字母、数字、符号四类中的几类。"),
    )
    password_history = forms.IntegerField(
        label=_("不得与最近几次密码相同"), min_value=1, max_value=24
    )
    password_max_age_days = forms.IntegerField(
        label=_("密码有效期（天，0为不过期）"), min_value=0, max_value=365
    )
    login_max_failures = forms.IntegerField(
        label=_("账号连续登录失败锁定次数"), min_value=3, max_value=10
    )
    address_max_failures = forms.IntegerField(
        label=_("同一地址登录失败锁定次数"), min_value=5, max_value=200
    )
    lockout_minutes = forms.IntegerField(label=_("锁定时长（分钟）"), min_value=1, max_value=1440)
    idle_timeout_minutes = forms.IntegerField(
        label=_("无操作自动退出（分钟）"), min_value=1, max_value=240
    )
    session_max_hours = forms.IntegerField(
        label=_("会话最长有效期（小时）"), min_value=1, max_value=24
    )
    single_session = forms.BooleanField(label=_("每个账号只允许一个会话"), required=False)
    totp_roles = forms.MultipleChoiceField(
        label=_("须使用动态口令的角色"),
        choices=role_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("三员必须使用动态口令。"),
    )
    audit_max_rows = forms.IntegerField(
        label=_("审计记录条数上限（0为不限）"), min_value=0, max_value=10**12
    )
    audit_max_mib = forms.IntegerField(
        label=_("审计存储容量上限（MiB，0为不限）"),
        min_value=0,
        max_value=10**8,
        help_text=_("SQLite 部署计整个数据库文件，PostgreSQL 部署计审计表及其索引。"),
    )
    audit_warn_percent = forms.IntegerField(
        label=_("审计存储告警阈值（%）"),
        min_value=50,
        max_value=95,
        help_text=_("用量达到任一上限的该比例时，告警安全管理员和审计管理员。"),
    )
    dormant_days = forms.IntegerField(
        label=_("长期未登录自动停用（天，0为不停用）"),
        min_value=0,
        max_value=365,
        help_text=_(
            "超过该天数未登录的账号由每日任务自动停用（从未登录的账号自创建时起算），"
            "系统管理员可重新启用；三员各自最后一个可用账号不会被停用。取值0或30至365。"
        ),
    )
    reason = forms.CharField(label=_("理由"), max_length=200)

    def clean_dormant_days(self):
        days = self.cleaned_data["dormant_days"]
        if 0 < days < 30:
            raise forms.ValidationError(
                _("请填写0（不停用）或30至365之间的天数。"), code="dormant_days_range"
            )
        return days

    def clean_totp_roles(self):
        roles = set(self.cleaned_data["totp_roles"])
        if not roles >= ADMIN_ROLES:
            raise forms.ValidationError(_("三员必须使用动态口令。"), code="admins_need_totp")
        return sorted(roles)
