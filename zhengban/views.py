from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    """工作台: what waits for the user, next deadlines, latest notices."""
    from zhengban.cases.selectors import workbench

    bench = None if request.user.is_admin_role else workbench(request.user)
    return render(request, "home.html", {"bench": bench})
