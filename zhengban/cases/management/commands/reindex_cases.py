"""`zhengban reindex_cases`: rebuild the full-text index of every case, e.g. after an
upgrade that changes tokenization. Safe to run while the office works: each batch locks
its cases briefly and commits on its own."""

import time

from django.core.management.base import BaseCommand

from zhengban.cases.search import reindex


class Command(BaseCommand):
    help = "重建事项全文检索索引（分词规则变化后运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size=500, **options):
        started = time.perf_counter()

        def progress(done: int) -> None:
            if done % (batch_size * 20) == 0:
                self.stdout.write(f"  已索引 {done} 件")

        total = reindex(batch_size=batch_size, progress=progress)
        self.stdout.write(
            f"全文检索索引已重建：{total} 件，用时 {time.perf_counter() - started:.1f} 秒"
        )
