"""`zhengban tick`: send today's deadline reminders and escalations (催办). Run it daily
from cron (e.g. `0 8 * * * zhengban tick`); running it again the same day sends nothing
twice."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from zhengban.cases.reminders import BATCH_SIZE, app_sweeps, tick


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from None


class Command(BaseCommand):
    help = "到期提醒与逾期催办：临期提醒承办人和承办单位，逾期报处室负责人，严重逾期报办公厅领导。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期运行（YYYY-MM-DD），用于测试或补发；默认今天")
        parser.add_argument(
            "--dry-run", action="store_true", help="只统计将发送的提醒，不写入、不发送"
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, date=None, dry_run=False, batch_size=BATCH_SIZE, **options):
        result = tick(today=_date(date) if date else None, dry_run=dry_run, batch_size=batch_size)
        mode = "（试运行，未写入、未发送）" if dry_run else ""
        lines = [
            f"催办提醒 {result.run_date.isoformat()}{mode}",
            f"  检查事项：{result.scanned}",
            f"  临期提醒：{result.stages['soon']}",
            f"  今日到期：{result.stages['today']}",
            f"  逾期催办：{result.stages['overdue']}",
            f"  报领导督办：{result.stages['leader']}",
            f"  新通知：{result.notifications}  邮件：{result.emails}  时间线记录：{result.events}",
            f"  用时：{result.elapsed:.2f} 秒",
        ]
        if not dry_run:  # the apps' sweeps have no dry run
            for name, counts in app_sweeps(result.run_date).items():
                figures = "  ".join(f"{k}：{v}" for k, v in counts.items())
                lines.append(f"  {name}：{figures}")
        self.stdout.write("\n".join(lines))
