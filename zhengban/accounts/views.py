from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import LoginForm


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_authenticate(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                otp=form.cleaned_data.get("otp", ""),
            )
        except services.LoginRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            login(request, user)
            next_url = request.GET.get("next", "")
            if next_url.startswith("/") and not next_url.startswith("//"):
                return redirect(next_url)
            return redirect("home")
    timeout = request.GET.get("timeout") == "1"
    return render(
        request,
        "accounts/login.html",
        {"form": form, "notice": _("长时间未操作，已自动退出。") if timeout else ""},
    )


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.user_logged_out(user=request.user)
    logout(request)
    return redirect("accounts:login")
