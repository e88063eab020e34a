"""`zhengban supervision tick` — the daily sweep (schedules and report reminders);
`zhengban supervision bulletin --month 2026-11` — draft the monthly 督查通报."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "督查督办：每日报送提醒（tick）；月度督查通报（bulletin）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        tick = sub.add_parser("tick", help="重算报送日期并发送报送提醒")
        tick.add_argument("--date", help="按该日期运行（YYYY-MM-DD）")

    def handle(self, *args, **options):
        from zhengban.supervision.services import supervision_tick

        if options["command"] == "tick":
            try:
                day = datetime.date.fromisoformat(options["date"]) if options["date"] else None
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD") from None
            self.stdout.write(json.dumps(supervision_tick(today=day), ensure_ascii=False))
