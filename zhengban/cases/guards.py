"""The guards a workflow action may declare: conditions checked before anything is written."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .choices import AssignmentRole, AssignmentStatus
from .models import Assignment, Attachment
from .workflow import Guard


def required_fields(*names: str, labels: dict[str, str] | None = None) -> Guard:
    labels = labels or {}

    def check(ctx) -> bool:
        return all(str(getattr(ctx.case, name, "") or "").strip() for name in names)

    listed = format_lazy("{}" + "、{}" * (len(names) - 1), *(labels.get(n, n) for n in names))
    return Guard(check, format_lazy(_("请先填写：{fields}。"), fields=listed))


def has_attachment() -> Guard:
    return Guard(
        lambda ctx: Attachment.objects.filter(case=ctx.case).exists(),
        _("请先上传附件。"),
    )


def co_units_reported() -> Guard:
    """The lead may not close while a co-unit (协办) is still working, unless a leader waived it."""

    def check(ctx) -> bool:
        # The case page has the assignments already; the service asks the database.
        rows = getattr(ctx.case, "_prefetched_objects_cache", {}).get("assignments")
        if rows is None:
            rows = Assignment.objects.filter(case=ctx.case, role=AssignmentRole.CO)
        return not any(
            a.role == AssignmentRole.CO and a.status == AssignmentStatus.OPEN for a in rows
        )

    return Guard(check, _("协办单位尚未全部反馈，不能办结（可由领导免除协办反馈）。"))


def final_reports_accepted() -> Guard:
    """Where reports are reviewed: every co-unit that has finished has its 办结报告 accepted
    (the lead's is accepted by the closing act itself: `effects.accept_final_reports`)."""

    def check(ctx) -> bool:
        from .choices import ReportKind, ReportReview

        return not (
            Assignment.objects.filter(
                case=ctx.case, role=AssignmentRole.CO, status=AssignmentStatus.REPORTED
            )
            .exclude(reports__kind=ReportKind.FINAL, reports__review=ReportReview.ACCEPTED)
            .exists()
        )

    return Guard(check, _("尚有协办单位的办结报告未经审核采纳。"))
