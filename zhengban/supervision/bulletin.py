"""督查通报 (the monthly supervision bulletin): drafted from the month's statistics — which
units completed their items on time, which are overdue, with the items — as a 发文 draft in
the 通报 文种 when the 发文 case type is installed, otherwise as a PDF in the same layout."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.cases.casetypes import case_type_or_none

from . import selectors

LISTED = 30  # items named per list in the bulletin


def last_month(today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    first = today.replace(day=1) - datetime.timedelta(days=1)
    return f"{first.year}-{first.month:02d}"


def outgoing_available() -> bool:
    return case_type_or_none("outgoing") is not None


def bulletin_content(user, month: str, period: selectors.Period) -> dict:
    """The figures and the text; a fixed number of queries."""
    window = selectors.Window.now()
    items = selectors.items_visible_to(user)
    new = items.filter(period.q("assigned_on"))
    completed = items.filter(period.q("completed_on"))
    totals_new = selectors.totals(new, window)
    done = selectors.totals(completed, window)
    units = selectors.by_unit(completed, window)
    on_time_units = [r for r in units if r["done"] and r["on_time"] == r["done"]]
    late_units = [r for r in units if r["done"] > r["on_time"]]
    overdue = list(
        items.filter(closed=False, due_date__lt=window.today)
        .select_related("case", "lead_unit")
        .order_by("due_date", "pk")[:LISTED]
    )
    overdue_total = items.filter(closed=False, due_date__lt=window.today).count()
    year, number = month.split("-")
    title = _("关于%(y)s年%(m)d月份督查督办工作情况的通报") % {"y": year, "m": int(number)}
    paragraphs = [
        _(
            "%(y)s年%(m)d月，新交办督办事项%(new)d件；办结%(done)d件，其中按期办结%(on_time)d件，"
            "按期办结率%(rate)s。截至%(today)s，逾期未办结事项%(overdue)d件。现将有关情况通报如下。"
        )
        % {
            "y": year,
            "m": int(number),
            "new": totals_new["items"],
            "done": done["done"],
            "on_time": done["on_time"],
            "rate": f"{done['on_time_rate']}%" if done["on_time_rate"] is not None else "—",
            "today": f"{window.today.month}月{window.today.day}日",
            "overdue": overdue_total,
        },
        _("一、按期办结的单位"),
        "、".join(r["label"] for r in on_time_units[:LISTED]) + "。"
        if on_time_units
        else _("本月无全部按期办结的单位。"),
        _("二、未按期办结的单位"),
        "；".join(
            _("%(unit)s（办结%(done)d件，逾期办结%(late)d件）")
            % {"unit": r["label"], "done": r["done"], "late": r["done"] - r["on_time"]}
            for r in late_units[:LISTED]
        )
        + "。"
        if late_units
        else _("本月无逾期办结的单位。"),
        _("三、逾期未办结的事项"),
    ]
    if overdue:
        paragraphs += [
            f"{i}.{item.case.title}（{item.case.number}，"
            + _("主办单位：%(unit)s，办结期限：%(due)s）")
            % {
                "unit": item.lead_unit.name if item.lead_unit else "—",
                "due": item.case.due_date.isoformat() if item.case.due_date else "—",
            }
            for i, item in enumerate(overdue, 1)
        ]
    else:
        paragraphs.append(_("无。"))
    paragraphs.append(
        _(
            "请逾期未办结事项的承办单位认真分析原因，加快办理进度，于5个工作日内将办理情况报市政府督查室。"
        )
    )
    return {
        "title": title,
        "paragraphs": [str(p) for p in paragraphs],
        "new": totals_new,
        "done": done,
        "on_time_units": on_time_units,
        "late_units": late_units,
        "overdue": overdue,
        "overdue_total": overdue_total,
    }


def bulletin_draft(*, actor, content: dict):
    """The bulletin as a 发文 draft in the 通报 文种, owned by the actor's supervising unit."""
    from zhengban.cases.services import case_create

    from .services import default_supervisor

    return case_create(
        case_type="outgoing",
        title=content["title"],
        body="\n".join(content["paragraphs"]),
        owner_unit=default_supervisor(actor),
        actor=actor,
        detail={"doc_type": "通报"},
    )


def bulletin_pdf(unit, content: dict) -> bytes:
    from zhengban.documents.content import OfficialDocument, Paragraph, chinese_date
    from zhengban.documents.render import render_pdf

    office = unit.organization.name if unit.organization else unit.name
    return render_pdf(
        OfficialDocument(
            doc_type="通报",
            layout="信函",
            identifier=f"bulletin-{content['title']}",
            issuer_mark=office,
            title=content["title"],
            recipients=[_("各区、县（市）人民政府，市政府各部门")],
            body=[Paragraph(p) for p in content["paragraphs"]],
            signature=[unit.name],
            date_text=chinese_date(timezone.localdate()),
        )
    )
