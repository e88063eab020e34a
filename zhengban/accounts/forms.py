from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)
    otp = forms.CharField(
        label=_("动态口令"),
        max_length=6,
        required=False,
        help_text=_("领导和管理员账号须输入身份验证器上的6位动态口令。"),
    )
