from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import ProtectedError

from zhengban.audit.chain import GENESIS_HASH, HASHED_FIELDS, record_hash
from zhengban.audit.context import reset_request_info, set_request_info
from zhengban.audit.models import AppendOnly, AuditChainHead, AuditRecord
from zhengban.audit.services import audit_denied, audit_read, audit_record
from zhengban.audit.verify import verify_chain

from .factories import make_chain, make_user, seqs


def _values(record):
    return {name: getattr(record, name) for name in HASHED_FIELDS}


@pytest.mark.django_db
def test_records_chain_to_each_other_from_the_genesis_hash():
    first, second = make_chain(2)

    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    stored = AuditRecord.objects.get(seq=2)
    assert record_hash(stored.prev_hash, _values(stored)) == stored.hash
    assert AuditChainHead.objects.get().last_seq == 2


@pytest.mark.django_db
def test_record_carries_actor_target_and_request_metadata(staff):
    token = set_request_info("10.8.0.12")
    try:
        record = audit_record(actor=staff, action="test.open", target=staff, summary="打开")
    finally:
        reset_request_info(token)

    record.refresh_from_db()
    assert record.actor_id == staff.pk
    assert record.actor_name == "科员乙"
    assert (record.object_type, record.object_id, record.object_repr) == (
        "accounts.user",
        str(staff.pk),
        "科员乙",
    )
    assert record.client_address == "10.8.0.12"
    assert len(record.request_id) == 32


@pytest.mark.django_db
def test_changes_with_dates_decimals_and_tuples_hash_as_stored():
    record = audit_record(
        actor=None,
        action="test.change",
        changes={"办结时限": date(2026, 12, 1), "金额": Decimal("1.50"), "范围": (1, 2)},
    )

    stored = AuditRecord.objects.get(pk=record.pk)
    assert stored.changes == {"办结时限": "2026-12-01", "金额": "1.50", "范围": [1, 2]}
    assert record_hash(stored.prev_hash, _values(stored)) == stored.hash
    assert verify_chain().ok


@pytest.mark.django_db
def test_record_rolls_back_with_the_callers_transaction():
    make_chain(2)

    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="test.lost")
        raise RuntimeError("the action failed")

    assert not AuditRecord.objects.filter(action="test.lost").exists()
    assert audit_record(actor=None, action="test.after").seq == 3
    assert verify_chain().ok


@pytest.mark.django_db
def test_missing_head_is_rebuilt_from_the_last_record_and_noted():
    make_chain(3)
    AuditChainHead.objects.all().delete()

    record = audit_record(actor=None, action="test.after_loss")

    assert record.seq == 5
    notice = AuditRecord.objects.get(seq=4)
    assert notice.action == "audit.head_restored"
    assert "第 3 条" in notice.summary
    assert verify_chain().ok


@pytest.mark.django_db
def test_records_cannot_be_changed_or_deleted_through_the_orm(staff):
    record = make_chain(1, actor=staff)[0]
    record.summary = "改过"

    with pytest.raises(AppendOnly):
        record.save()
    with pytest.raises(AppendOnly):
        record.delete()
    with pytest.raises(AppendOnly):
        AuditRecord.objects.filter(seq=record.seq).delete()
    # A user who appears in the chain cannot be deleted either (retention).
    with pytest.raises(ProtectedError):
        staff.delete()

    assert AuditRecord.objects.get(seq=record.seq).summary == "第1条测试记录"
    assert verify_chain().ok


@pytest.mark.django_db
def test_audit_read_records_the_reader_and_the_content(staff):
    target = make_user(username="mimi", display_name="内部材料持有人")

    record = audit_read(actor=staff, target=target, summary="下载附件")

    assert record.action == "audit.read"
    assert record.actor_id == staff.pk
    assert (record.object_type, record.object_id) == ("accounts.user", str(target.pk))
    assert record.summary == "下载附件"


@pytest.mark.django_db
def test_audit_denied_records_the_attempted_action(staff):
    record = audit_denied(actor=staff, action="cases.assign", target=staff, summary="非本单位")

    assert record.action == "audit.denied"
    assert record.actor_id == staff.pk
    assert record.changes == {"attempted": "cases.assign"}
    assert record.summary == "非本单位"


@pytest.mark.django_db
def test_audit_denied_names_an_anonymous_actor():
    record = audit_denied(actor=AnonymousUser(), action="audit.view")

    assert record.actor_id is None
    assert record.actor_name == "匿名用户"
    assert seqs() == [1]


@pytest.mark.django_db
def test_a_request_stamps_its_records_with_the_id_it_returns(client, audit_admin):
    client.force_login(audit_admin)
    make_chain(1)

    response = client.post("/audit/verify/", REMOTE_ADDR="10.1.2.3")

    verification = AuditRecord.objects.get(action="audit.verify")
    assert verification.client_address == "10.1.2.3"
    assert verification.request_id == response["X-Request-ID"]
