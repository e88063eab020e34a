from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from . import deadlines, selectors


def _month(value: str | None, today: date) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if 1900 <= year <= 2200 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


@login_required
def index(request):
    today = timezone.localdate()
    year, month = _month(request.GET.get("month"), today)
    return render(
        request,
        "workcalendar/index.html",
        {
            "grid": selectors.month_grid(year, month, today=today),
            "rules": list(deadlines.RULES.values()),
            "years": selectors.calendar_years(),
            "package_range": selectors.package_range(),
        },
    )
