"""`zhengban calendar …`: working-day arithmetic and the deadline rules from the console.

    zhengban calendar add-workdays 2026-09-25 20     → 2026-10-29
    zhengban calendar is-workday 2026-10-10           → yes
    zhengban calendar rules
    zhengban calendar publish-year 2027 --source "…通知" \\
        --off 2027-01-01..2027-01-03 --off 2027-02-06..2027-02-13 --on 2027-01-04 …
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from zhengban.workcalendar import calendar, deadlines, services


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期无效：{value!r}（应为 YYYY-MM-DD）", returncode=2) from None


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise CommandError(f"工作日数无效：{value!r}（应为整数）", returncode=2) from None


def _days(values: list[str]) -> list[date]:
    """Dates and inclusive ranges written as FIRST..LAST."""
    out = []
    for value in values:
        first, _sep, last = value.partition("..")
        start, end = _date(first), _date(last or first)
        if end < start:
            raise CommandError(f"日期范围无效：{value!r}", returncode=2)
        out.extend(start + timedelta(days=i) for i in range((end - start).days + 1))
    return out


class Command(BaseCommand):
    help = "工作日历：按法定节假日和调休推算工作日，列出法定期限规则。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("add-workdays", help="起算日后第N个工作日（起算日不计入）")
        p.add_argument("start")
        p.add_argument("n")
        p = sub.add_parser("is-workday", help="是否工作日（yes/no）")
        p.add_argument("day")
        p = sub.add_parser("workdays-between", help="A之后至B（含）的工作日数")
        p.add_argument("a")
        p.add_argument("b")
        sub.add_parser("rules", help="列出法定期限规则及依据")
        p = sub.add_parser("publish-year", help="录入某年国务院办公厅节假日安排通知")
        p.add_argument("year", type=int)
        p.add_argument("--off", action="append", default=[], help="放假日期或范围 A..B")
        p.add_argument("--on", action="append", default=[], help="调休上班日期")
        p.add_argument("--source", required=True, help="通知名称及文号")
        p.add_argument("--note", default="", help="说明，例如“2027年节假日”")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "do_" + action.replace("-", "_"))(**options)
        except DatabaseError as error:
            # The override table lives in the database: say how to create it, no traceback.
            raise CommandError(
                f"无法读取工作日历数据（{error}）；请先运行 zhengban migrate。", returncode=2
            ) from None

    def _warn(self, result) -> None:
        for warning in result.warnings:
            self.stderr.write(f"警告：{warning}")

    def do_add_workdays(self, *, start, n, **_):
        start, n = _date(start), _int(n)
        result = calendar.add_workdays(start, n)
        self.stdout.write(result.date.isoformat())
        self._warn(result)

    def do_is_workday(self, *, day, **_):
        day = _date(day)
        cal = calendar.current_calendar()
        self.stdout.write("yes" if cal.is_workday(day) else "no")
        if not cal.is_known_year(day.year):
            self.stderr.write(f"警告：{calendar.provisional_warning(day.year)}")

    def do_workdays_between(self, *, a, b, **_):
        a, b = _date(a), _date(b)
        cal = calendar.current_calendar()
        self.stdout.write(str(cal.workdays_between(a, b)))
        for year in cal.provisional_years(a, b):
            self.stderr.write(f"警告：{calendar.provisional_warning(year)}")

    def do_rules(self, **_):
        for rule in deadlines.RULES.values():
            flag = "  〔待核实〕" if rule.unconfirmed else ""
            self.stdout.write(
                f"{rule.code}  {rule.title}：自{rule.from_event_label}起{rule.period_text}{flag}"
            )
            if rule.extension is not None:
                ext = rule.extension
                self.stdout.write(
                    f"    可延长{ext.max_times}次，"
                    f"每次不超过{deadlines.period_text(ext.amount, ext.unit)}，"
                    f"由{ext.approver_text or ext.approver_role}批准"
                )
            if rule.pause_reasons or rule.restart_reasons:
                labels = [deadlines._reason_label(r) for r in sorted(rule.pause_reasons)]
                labels += [
                    deadlines._reason_label(r) + "（重新起算）"
                    for r in sorted(rule.restart_reasons)
                ]
                self.stdout.write(f"    暂停计时：{'、'.join(labels)}")
            self.stdout.write(f"    依据：{rule.legal_basis}")

    def do_publish_year(self, *, year, off, on, source, note, **_):
        try:
            row = services.calendar_year_publish(
                year=year,
                rest_days=_days(off),
                workdays=_days(on),
                source=source,
                note=note,
                actor=None,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from None
        self.stdout.write(
            f"{row.year}年节假日安排已录入：放假{len(_days(off))}天，调休上班{len(_days(on))}天。"
        )
