"""`zhengban audit verify`, `zhengban audit check` (for cron) and `zhengban audit stats`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhengban.audit import alerts, storage
from zhengban.audit.retention import retention_cutoff, retention_days
from zhengban.audit.selectors import chain_stats
from zhengban.audit.verify import BATCH_SIZE, verify_chain


def _anchor(text: str) -> tuple[int, str]:
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise ValueError(text)
    return int(seq), digest.lower()


class Command(BaseCommand):
    help = "审计链：校验完整性（verify）或查看统计与留存（stats）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="重算全部 SM3 哈希并检查链接；发现问题时退出码为 1")
        verify.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        verify.add_argument(
            "--anchor",
            type=_anchor,
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="在库外保存的某条记录的哈希（可多次给出）",
        )
        check = sub.add_parser(
            "check",
            help="定期检查（供 cron 调用）：导入待存告警、校验审计链、检查存储用量；"
            "有问题时退出码为 1",
        )
        check.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        check.add_argument("--no-verify", action="store_true", help="不校验审计链，只检查存储")
        sub.add_parser("stats", help="记录数、最早与最新记录时间、留存期限")

    def handle(self, *args, subcommand, **options):
        if options.get("batch_size") is not None and options["batch_size"] < 1:
            raise CommandError("--batch-size 必须是正整数")
        if subcommand == "verify":
            self.verify(options["batch_size"], dict(options["anchor"]))
        elif subcommand == "check":
            self.periodic_check(options["batch_size"], verify=not options["no_verify"])
        else:
            self.stats()

    def verify(self, batch_size: int, anchors: dict[int, str]) -> None:
        result = verify_chain(batch_size=batch_size, anchors=anchors)
        timing = f"{result.elapsed:.2f} s, {result.rate:,.0f} 条/秒"
        if result.ok:
            self.stdout.write(f"{result.message()} ({timing})")
            return
        self.stderr.write(f"{result.message()} ({timing})")
        alerts.chain_broken(result)
        alerts.import_spool()
        raise CommandError(str(result.problem), returncode=1)

    def periodic_check(self, batch_size: int, *, verify: bool) -> None:
        """Every problem found is alerted (banner, bell, CRITICAL log); exit 1 if any."""
        problems = []
        imported = alerts.import_spool(stale=True)
        if imported:
            self.stdout.write(f"已导入待存告警 {imported} 条")
        if verify:
            result = verify_chain(batch_size=batch_size)
            if result.ok:
                self.stdout.write(result.message())
            else:
                alerts.chain_broken(result)
                problems.append(result.message())
        for item in storage.usage():
            what, unit = {"rows": ("记录数", "条"), "bytes": ("存储空间", "字节")}[item.what]
            limit = f"{item.limit:,} {unit}" if item.limit else "不限"
            self.stdout.write(f"{what}：{item.used:,} {unit}，上限 {limit}")
        for item in storage.check_storage():
            problems.append(item.message())
        alerts.import_spool()
        still_open = alerts.open_alerts().count()
        self.stdout.write(f"未确认的审计告警：{still_open} 条")
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError("审计检查发现问题，已向安全保密管理员和安全审计员告警", returncode=1)

    def stats(self) -> None:
        stats = chain_stats()
        local = timezone.localtime
        self.stdout.write(f"记录数：{stats['count']}")
        self.stdout.write(f"链头序号：{stats['head_seq']}")
        if stats["count"]:
            self.stdout.write(f"最早记录：{local(stats['oldest']):%Y-%m-%d %H:%M:%S}")
            self.stdout.write(f"最新记录：{local(stats['newest']):%Y-%m-%d %H:%M:%S}")
        self.stdout.write(
            f"留存期限：{retention_days()} 天"
            f"（{local(retention_cutoff()):%Y-%m-%d} 之后的记录必须保留；本系统不删除任何审计记录）"
        )
