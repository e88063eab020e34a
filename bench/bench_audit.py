"""Audit chain throughput: append N records through `audit_record`, then verify the chain.

    .venv/bin/python bench/bench_audit.py [-n 100000] [--per-transaction 1]

Uses a throwaway database: a fresh SQLite file in a temporary directory (the embedded
default, WAL), or, when DATABASE_URL points at PostgreSQL, a test database created next
to it and dropped afterwards. Prints records/s for appending, for verification and for the
Excel export of the whole chain.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000, help="records to append")
    parser.add_argument(
        "--per-transaction",
        type=int,
        default=1,
        help="records per transaction (1 = every action commits on its own, the usual case)",
    )
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory(prefix="zhengban-bench-audit-")
    postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    if not postgres:
        os.environ.pop("DATABASE_URL", None)
        os.environ["ZHENGBAN_VAR_DIR"] = scratch.name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengban.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False  # DEBUG keeps a log of every query, which is not what we measure
    from django.db import connection, transaction

    if postgres:
        test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        call_command("migrate", verbosity=0)
    try:
        run(args.n, args.per_transaction, connection, transaction)
    finally:
        if postgres:
            connection.creation.destroy_test_db(test_name, verbosity=0)
        scratch.cleanup()


def run(n: int, per_transaction: int, connection, transaction) -> None:
    from zhengban.accounts.services import user_create
    from zhengban.audit.context import reset_request_info, set_request_info
    from zhengban.audit.export import write_xlsx
    from zhengban.audit.models import AuditRecord
    from zhengban.audit.services import audit_record
    from zhengban.audit.verify import verify_chain

    actor = user_create(
        username="bench", password="x", display_name="测试员", validate_password=False
    )
    start_seq = AuditRecord.objects.count()
    token = set_request_info("10.20.30.40")
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        for first in range(0, n, per_transaction):
            with transaction.atomic():
                for index in range(first, min(first + per_transaction, n)):
                    audit_record(
                        actor=actor,
                        action="bench.case_update",
                        target=actor,
                        summary=f"办理第 {index} 号督办事项，意见：同意",
                        changes={"state": ["办理中", "已办结"], "index": index},
                    )
        append_seconds = time.perf_counter() - started
        append_cpu = time.process_time() - cpu_started
    finally:
        reset_request_info(token)

    cpu_started = time.process_time()
    result = verify_chain()
    verify_cpu = time.process_time() - cpu_started
    assert result.ok, result.message()
    assert result.checked == start_seq + n

    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        exported, _truncated = write_xlsx(AuditRecord.objects.all(), output)
        export_seconds = time.perf_counter() - started
        export_bytes = output.tell()

    # Wall-clock rates, and rates per CPU second of this process (steadier on a busy machine).
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(
        f"append:  {n:,} records via audit_record, {per_transaction} per transaction: "
        f"{append_seconds:.1f} s, {n / append_seconds:,.0f} records/s "
        f"({n / append_cpu:,.0f} records per CPU second)"
    )
    print(
        f"verify:  {result.checked:,} records: {result.elapsed:.2f} s, "
        f"{result.rate:,.0f} records/s ({result.checked / verify_cpu:,.0f} records per CPU second)"
    )
    print(
        f"export:  {exported:,} records to Excel: {export_seconds:.1f} s, "
        f"{exported / export_seconds:,.0f} records/s, {export_bytes / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
