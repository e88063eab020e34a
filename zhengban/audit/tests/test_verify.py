import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from zhengban.audit.choices import ProblemKind
from zhengban.audit.models import AuditChainHead, AuditRecord
from zhengban.audit.services import audit_record
from zhengban.audit.verify import verify_chain

from .factories import (
    make_chain,
    seqs,
    tamper_append_beyond_head,
    tamper_delete,
    tamper_edit,
    tamper_insert,
    tamper_rewrite,
    tamper_swap,
)

# Small batches make every scenario cross batch boundaries; the default is the real case.
BATCHES = [3, 5000]


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", BATCHES)
def test_untouched_chain_verifies(batch_size):
    records = make_chain(20)

    result = verify_chain(batch_size=batch_size)

    assert result.ok, result.message()
    assert result.checked == 20
    assert result.last_seq == 20
    assert result.last_hash == records[-1].hash == AuditChainHead.objects.get().last_hash


@pytest.mark.django_db
def test_empty_database_verifies():
    result = verify_chain()

    assert result.ok
    assert result.checked == 0


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", BATCHES)
def test_edited_record_is_named(batch_size):
    make_chain(20)
    tamper_edit(7)

    result = verify_chain(batch_size=batch_size)

    assert not result.ok
    assert (result.problem.seq, result.problem.kind) == (7, ProblemKind.TAMPERED)
    assert result.checked == 6
    assert "内容被篡改" in result.message()
    assert "第 7 条" in result.message()


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", BATCHES)
def test_deleted_record_is_named(batch_size):
    make_chain(20)
    tamper_delete(11)

    result = verify_chain(batch_size=batch_size)

    assert (result.problem.seq, result.problem.kind) == (11, ProblemKind.MISSING)
    assert "记录缺失" in result.message()


@pytest.mark.django_db
def test_deleted_first_record_is_named():
    make_chain(5)
    tamper_delete(1)

    result = verify_chain()

    assert (result.problem.seq, result.problem.kind) == (1, ProblemKind.MISSING)


@pytest.mark.django_db
def test_deleted_last_record_is_named_against_the_head():
    make_chain(5)
    tamper_delete(5)

    result = verify_chain()

    assert (result.problem.seq, result.problem.kind) == (5, ProblemKind.MISSING)
    assert result.checked == 4


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", BATCHES)
def test_inserted_record_is_named(batch_size):
    make_chain(20)
    forged = tamper_insert(9)
    assert seqs() == list(range(1, 22))  # the forger closed the gap in the numbering

    result = verify_chain(batch_size=batch_size)

    assert (result.problem.seq, result.problem.kind) == (9, ProblemKind.INSERTED)
    assert result.problem.seq == forged.seq
    assert "插入记录" in result.message()


@pytest.mark.django_db
def test_record_inserted_before_the_first_is_named():
    make_chain(5)
    tamper_insert(1)

    result = verify_chain()

    assert (result.problem.seq, result.problem.kind) == (1, ProblemKind.INSERTED)


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", BATCHES)
@pytest.mark.parametrize("pair", [(12, 13), (4, 15)])
def test_swapped_records_are_named(batch_size, pair):
    make_chain(20)
    tamper_swap(*pair)

    result = verify_chain(batch_size=batch_size)

    assert (result.problem.seq, result.problem.kind) == (pair[0], ProblemKind.BROKEN_LINK)
    assert "链接断裂" in result.message()


@pytest.mark.django_db
def test_rewritten_record_with_recomputed_hash_is_named():
    make_chain(10)
    tamper_rewrite(6)

    result = verify_chain()

    assert (result.problem.seq, result.problem.kind) == (6, ProblemKind.TAMPERED)


@pytest.mark.django_db
def test_rewritten_last_record_breaks_the_link_to_the_head():
    make_chain(10)
    tamper_rewrite(10)

    result = verify_chain()

    assert (result.problem.seq, result.problem.kind) == (10, ProblemKind.BROKEN_LINK)


@pytest.mark.django_db
def test_record_beyond_the_head_is_named():
    make_chain(10)
    tamper_append_beyond_head()

    result = verify_chain()

    assert (result.problem.seq, result.problem.kind) == (11, ProblemKind.INSERTED)


@pytest.mark.django_db
def test_missing_head_is_reported():
    make_chain(4)
    AuditChainHead.objects.all().delete()

    result = verify_chain()

    assert (result.problem.seq, result.problem.kind) == (4, ProblemKind.BROKEN_LINK)


@pytest.mark.django_db
def test_external_anchor_catches_a_fully_recomputed_chain():
    records = make_chain(10)
    anchors = {5: records[4].hash}
    assert verify_chain(anchors=anchors).ok
    # Rewrite record 3 and recompute every later hash and the head: internally consistent.
    tamper_rewrite(3)
    for seq in range(4, 11):
        previous = AuditRecord.objects.get(seq=seq - 1).hash
        AuditRecord.objects.filter(seq=seq).update(prev_hash=previous)
        tamper_rewrite(seq, summary=AuditRecord.objects.get(seq=seq).summary)
    AuditChainHead.objects.update(last_hash=AuditRecord.objects.get(seq=10).hash)
    assert verify_chain().ok

    result = verify_chain(anchors=anchors)

    assert (result.problem.seq, result.problem.kind) == (5, ProblemKind.TAMPERED)


@pytest.mark.django_db
def test_command_prints_count_and_exits_zero(capsys):
    make_chain(12)

    call_command("audit", "verify")

    out = capsys.readouterr().out
    assert "审计链完整：共 12 条记录" in out


@pytest.mark.django_db
def test_command_exits_one_naming_the_broken_record(capsys):
    make_chain(12)
    tamper_edit(4)

    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", "--batch-size", "5")

    assert failure.value.returncode == 1
    assert "第 4 条：内容被篡改" in str(failure.value)
    assert "第 4 条：内容被篡改" in capsys.readouterr().err


@pytest.mark.django_db
def test_command_checks_anchor(capsys):
    records = make_chain(3)

    call_command("audit", "verify", "--anchor", f"2:{records[1].hash}")
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--anchor", f"2:{'f' * 64}")


def _append_many(barrier, count, errors):
    try:
        barrier.wait()
        for index in range(count):
            with transaction.atomic():
                audit_record(actor=None, action="test.concurrent", summary=f"{index}")
    except Exception as exc:  # reported to the main thread
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_valid_chain():
    # Starts from an empty table: both threads also race to create the head row.
    assert not AuditChainHead.objects.exists()
    barrier, errors = threading.Barrier(2), []
    threads = [threading.Thread(target=_append_many, args=(barrier, 50, errors)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert seqs() == list(range(1, 101))
    result = verify_chain()
    assert result.ok, result.message()
    assert result.checked == 100


@pytest.mark.django_db
def test_archived_start_verifies_from_an_anchor_and_not_without():
    records = make_chain(8)
    for seq in (1, 2, 3):
        tamper_delete(seq)  # archived by the operator, outside the application

    assert (verify_chain().problem.seq, verify_chain().problem.kind) == (1, ProblemKind.MISSING)
    assert verify_chain(anchors={3: records[2].hash}).ok
    wrong = verify_chain(anchors={3: records[1].hash})
    assert (wrong.problem.seq, wrong.problem.kind) == (4, ProblemKind.BROKEN_LINK)
