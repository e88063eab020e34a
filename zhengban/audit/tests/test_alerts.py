"""Alerting on audit failure (等保 2.0 8.1.4.3 d): a business write whose audit record cannot
be written is refused, and the security and audit administrators are alerted (CRITICAL log,
a banner on their pages until acknowledged, a bell); so are a broken chain and audit storage
nearing its limit (`zhengban audit check`)."""

import contextlib
import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from zhengban.accounts.choices import Role
from zhengban.accounts.models import User
from zhengban.audit import alerts
from zhengban.audit.models import AlertKind, AuditAlert, AuditChainHead, AuditRecord
from zhengban.audit.services import AuditWriteFailed, audit_record
from zhengban.cases.models import Notification

from .factories import make_chain, make_user

pytestmark = pytest.mark.django_db

ALERTS = "/audit/alerts/"
BANNER = 'class="message error audit-alert"'


@pytest.fixture
def failing_audit():
    """Make every INSERT into the audit table fail in the database itself (a full disk, a
    revoked grant): the real error path, not a mock. Returns a function that heals it."""
    table = AuditRecord._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION zb_audit_fail() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'could not extend file: No space left on device'; END $$ "
                "LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER zb_audit_fail BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION zb_audit_fail()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER zb_audit_fail BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
            )

    def heal():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS zb_audit_fail ON {table}")
                cursor.execute("DROP FUNCTION IF EXISTS zb_audit_fail()")
            else:
                cursor.execute("DROP TRIGGER IF EXISTS zb_audit_fail")

    yield heal
    # Inside a test transaction the rollback removes it; a transaction=True test must not
    # leave it behind for the next test, whatever happened.
    with contextlib.suppress(DatabaseError):
        heal()


@pytest.fixture
def admins(db):
    return {
        "security_admin": make_user(Role.SECURITY_ADMIN, username="baomi"),
        "audit_admin": make_user(Role.AUDIT_ADMIN, username="shenji"),
        "system_admin": make_user(Role.SYSTEM_ADMIN, username="xitong"),
        "staff": make_user(Role.STAFF, username="keyuan"),
    }


def signed_in(client, user):
    client.force_login(user)
    return client


# --- a write whose audit record cannot be written -------------------------------------------


def test_the_business_write_rolls_back_when_its_audit_record_cannot_be_written(
    admins, failing_audit, caplog
):
    from zhengban.accounts.services import user_create

    records = AuditRecord.objects.count()
    with (
        caplog.at_level(logging.CRITICAL, logger="zhengban.audit.alerts"),
        pytest.raises(AuditWriteFailed),
    ):
        user_create(
            username="wangwu", password="x", actor=admins["system_admin"], validate_password=False
        )

    assert not User.objects.filter(username="wangwu").exists()  # rolled back with it
    assert AuditRecord.objects.count() == records
    assert any(r.levelname == "CRITICAL" and "write_failed" in r.message for r in caplog.records)
    # The failed transaction could not hold the alert: it waits in the spool until then.
    assert not AuditAlert.objects.exists()
    assert alerts.import_spool() == 1
    alert = AuditAlert.objects.get()
    assert alert.kind == AlertKind.WRITE_FAILED and alert.is_open
    assert "accounts.user_create" in alert.message
    assert alert.detail["action"] == "accounts.user_create"


def test_a_page_write_answers_503_and_alerts_both_administrators(client, admins, failing_audit):
    response = signed_in(client, admins["system_admin"]).post(
        "/accounts/users/new/", {"username": "wangwu", "display_name": "王五"}
    )

    assert response.status_code == 503
    assert "审计记录暂时无法写入，本次操作未执行" in response.content.decode()
    assert not User.objects.filter(username="wangwu").exists()
    # Stored by the middleware once the request's transaction had rolled back.
    alert = AuditAlert.objects.get()
    assert alert.kind == AlertKind.WRITE_FAILED
    bells = Notification.objects.filter(kind="audit_alert")
    assert {n.recipient.username for n in bells} == {"baomi", "shenji"}
    assert "审计记录写入失败" in bells.first().message


def test_an_api_request_whose_audit_write_failed_gets_a_503_json_answer(rf):
    from zhengban.security.middleware import GuardMiddleware

    response = GuardMiddleware(lambda request: None).process_exception(
        rf.post("/api/cases/"), AuditWriteFailed("disk full")
    )
    assert response.status_code == 503
    assert json.loads(response.content)["code"] == "audit_unavailable"


def test_repeated_failures_count_on_one_open_alert(admins, failing_audit):
    for _attempt in range(3):
        with pytest.raises(AuditWriteFailed), transaction.atomic():
            audit_record(actor=None, action="test.event")
        alerts.import_spool()
    alert = AuditAlert.objects.get()
    assert alert.occurrences == 3
    assert Notification.objects.filter(kind="audit_alert").count() == 2  # one bell each


def test_alerts_survive_a_database_that_cannot_store_them(admins, monkeypatch, alert_spool):
    def down(entries):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(alerts, "_store", down)
    alerts.raise_alert("write_failed", "数据库不可用", key="OperationalError")
    alerts.import_spool()
    assert not AuditAlert.objects.exists()
    assert json.loads(alert_spool.read_text().splitlines()[0])["message"] == "数据库不可用"

    monkeypatch.undo()
    assert alerts.import_spool() == 1
    assert AuditAlert.objects.get().message == "数据库不可用"
    assert not alert_spool.exists()


# --- the chain -------------------------------------------------------------------------------


def _tamper(sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_head_that_does_not_match_the_last_record_is_alerted_and_writing_goes_on(admins):
    tip = make_chain(3)[-1].seq
    _tamper("UPDATE audit_auditrecord SET hash = %s WHERE seq = %s", "f" * 64, tip)

    record = audit_record(actor=None, action="test.after")
    alerts.import_spool()

    assert record.seq == tip + 1  # appended, chained to the head
    alert = AuditAlert.objects.get()
    assert alert.kind == AlertKind.CHAIN_BROKEN
    assert f"第 {tip} 条记录的哈希与链头保存的哈希不符" in alert.message
    # The next write finds head and tip in agreement again: no second alert.
    audit_record(actor=None, action="test.after")
    alerts.import_spool()
    assert AuditAlert.objects.get().occurrences == 1


def test_a_record_beyond_the_head_stops_writing_and_is_alerted(admins):
    tip = make_chain(2)[-1].seq
    _tamper("UPDATE audit_auditchainhead SET last_seq = %s", tip - 1)

    with pytest.raises(AuditWriteFailed), transaction.atomic():
        audit_record(actor=None, action="test.after")
    alerts.import_spool()
    assert "其后存在未经审计链写入的记录" in AuditAlert.objects.get().message


def test_verify_command_alerts_a_broken_chain_once_per_break(admins, capsys):
    make_chain(4)
    _tamper("UPDATE audit_auditrecord SET summary = 'changed' WHERE seq = 2")

    for _run in range(2):
        with pytest.raises(CommandError):
            call_command("audit", "verify")
    alert = AuditAlert.objects.get()
    assert alert.kind == AlertKind.CHAIN_BROKEN
    assert "第 2 条" in alert.message and alert.occurrences == 2


def test_the_verify_button_alerts_a_broken_chain(client, admins):
    make_chain(3)
    _tamper("UPDATE audit_auditrecord SET summary = 'changed' WHERE seq = 1")
    signed_in(client, admins["audit_admin"]).post("/audit/verify/")
    assert AuditAlert.objects.filter(kind=AlertKind.CHAIN_BROKEN).count() == 1


# --- the periodic check ----------------------------------------------------------------------


def test_check_passes_an_intact_chain_within_its_limits(admins, capsys, settings):
    settings.AUDIT_STORAGE_MAX_ROWS = 1000
    make_chain(5)
    call_command("audit", "check")
    out = capsys.readouterr().out
    assert "审计链完整" in out and "未确认的审计告警：0 条" in out
    assert not AuditAlert.objects.exists()


def test_check_alerts_storage_nearing_its_row_limit(admins, capsys, settings):
    from zhengban.audit.storage import row_count

    settings.AUDIT_STORAGE_MAX_ROWS = 100
    settings.AUDIT_STORAGE_WARN_PERCENT = 80
    make_chain(79 - row_count())
    call_command("audit", "check")  # 79 %: below the threshold
    assert not AuditAlert.objects.exists()

    make_chain(1)
    with pytest.raises(CommandError):
        call_command("audit", "check")
    alert = AuditAlert.objects.get()
    assert alert.kind == AlertKind.STORAGE
    assert "审计记录已有 80 条，达到上限 100 条的 80%" in alert.message

    # Acknowledged, the same band does not come back at the next run; the next band does.
    alerts.acknowledge(alert.pk, actor=admins["security_admin"], note="已扩容")
    with pytest.raises(CommandError):
        call_command("audit", "check")
    assert AuditAlert.objects.count() == 1
    make_chain(90 - row_count())
    with pytest.raises(CommandError):
        call_command("audit", "check")
    assert AuditAlert.objects.filter(acknowledged_at__isnull=True).get().key == "rows:90"


def test_check_alerts_storage_nearing_its_size_limit(admins, settings):
    settings.AUDIT_STORAGE_MAX_BYTES = 1024  # any database is larger
    with pytest.raises(CommandError):
        call_command("audit", "check", "--no-verify")
    assert "审计存储已用" in AuditAlert.objects.get().message


def test_check_imports_alerts_spooled_while_the_database_was_down(admins, alert_spool):
    alert_spool.write_text(
        json.dumps(
            {
                "kind": "write_failed",
                "key": "OperationalError",
                "message": "审计记录无法写入（OperationalError）",
                "detail": {},
                "time": "2026-12-01T02:00:00+00:00",
            },
            ensure_ascii=False,
        )
        + "\n"
    )
    call_command("audit", "check")
    assert AuditAlert.objects.get().first_seen.isoformat().startswith("2026-12-01T02:00")


def test_check_runs_as_cron_runs_it_with_the_system_checks(admins, capsys):
    call_command("audit", "check", skip_checks=False)
    call_command("audit", "verify", skip_checks=False)
    assert "记录数" in capsys.readouterr().out


def test_check_refuses_a_bad_batch_size():
    with pytest.raises(CommandError):
        call_command("audit", "check", "--batch-size", "0")


# --- banner, page, acknowledgement -----------------------------------------------------------


@pytest.fixture
def open_alert(admins):
    alerts.raise_alert("write_failed", "审计记录无法写入（OperationalError）", key="x")
    alerts.import_spool()
    return AuditAlert.objects.get()


@pytest.mark.parametrize("who", ["security_admin", "audit_admin"])
def test_the_banner_shows_on_the_administrators_pages_until_acknowledged(
    client, admins, open_alert, who
):
    page = signed_in(client, admins[who]).get("/accounts/me/").content.decode()
    # The banner, not the sidebar's 审计告警 entry, which both administrators always have.
    assert BANNER in page and "审计记录无法写入（OperationalError）" in page
    assert "查看并确认告警" in page

    response = client.post(f"{ALERTS}{open_alert.pk}/acknowledge/", {"note": "已恢复数据库"})
    assert response.status_code == 302

    open_alert.refresh_from_db()
    assert open_alert.acknowledged_by == admins[who]
    assert open_alert.acknowledgement == "已恢复数据库"
    record = AuditRecord.objects.get(action="audit.alert_ack")
    assert record.actor_id == admins[who].pk and record.summary == "已恢复数据库"
    assert BANNER not in client.get("/accounts/me/").content.decode()
    # The bell of both administrators is read with it.
    assert not Notification.objects.filter(kind="audit_alert", read_at__isnull=True).exists()


@pytest.mark.parametrize("who", ["system_admin", "staff"])
def test_others_see_no_banner_and_may_not_acknowledge(client, admins, open_alert, who):
    signed_in(client, admins[who])
    assert "审计记录无法写入" not in client.get("/accounts/me/").content.decode()
    assert client.get(ALERTS).status_code == 403
    assert client.post(f"{ALERTS}{open_alert.pk}/acknowledge/").status_code == 403
    open_alert.refresh_from_db()
    assert open_alert.is_open
    assert AuditRecord.objects.filter(action="audit.denied", actor_id=admins[who].pk).count() == 2


def test_acknowledging_twice_records_once(client, admins, open_alert):
    signed_in(client, admins["audit_admin"])
    client.post(f"{ALERTS}{open_alert.pk}/acknowledge/")
    client.post(f"{ALERTS}{open_alert.pk}/acknowledge/")
    assert AuditRecord.objects.filter(action="audit.alert_ack").count() == 1
    assert client.post(f"{ALERTS}999999/acknowledge/").status_code == 404
    too_long = client.post(f"{ALERTS}{open_alert.pk}/acknowledge/", {"note": "x" * 501})
    assert too_long.status_code == 302


@pytest.mark.parametrize("pk", ["99999999999999999999999", "0"])
def test_ill_formed_alert_ids_are_client_errors(client, admins, pk):
    response = signed_in(client, admins["audit_admin"]).post(f"{ALERTS}{pk}/acknowledge/")
    assert response.status_code in (400, 404)


def test_a_denied_look_at_the_alerts_reads_well_in_the_log(client, admins):
    from zhengban.audit.events import describe

    signed_in(client, admins["system_admin"]).get(ALERTS)
    record = AuditRecord.objects.filter(action="audit.denied").last()
    assert describe(record) == "xitong 无权查看审计告警"


def test_no_acknowledgement_while_audit_records_cannot_be_written(
    client, admins, open_alert, failing_audit
):
    response = signed_in(client, admins["audit_admin"]).post(
        f"{ALERTS}{open_alert.pk}/acknowledge/"
    )
    assert response.status_code == 503
    open_alert.refresh_from_db()
    assert open_alert.is_open  # an unaudited acknowledgement does not happen


def test_the_alerts_page_lists_open_and_acknowledged_alerts(client, admins, open_alert):
    signed_in(client, admins["security_admin"])
    page = client.get(ALERTS).content.decode()
    assert "未确认的告警" in page and "审计记录写入失败" in page and "确认告警" in page
    alerts.acknowledge(open_alert.pk, actor=admins["audit_admin"], note="查明原因")
    page = client.get(ALERTS).content.decode()
    assert "没有未确认的告警" in page and "查明原因" in page


def test_the_head_stays_consistent_after_a_failed_write(admins, failing_audit):
    with pytest.raises(AuditWriteFailed), transaction.atomic():
        audit_record(actor=None, action="test.event")
    failing_audit()
    record = audit_record(actor=None, action="test.event")
    assert AuditChainHead.objects.get().last_seq == record.seq


@pytest.mark.django_db(transaction=True)
def test_outside_any_transaction_the_alert_is_stored_at_once(failing_audit):
    """A command or a view in autocommit (no transaction to wait for): no spool left."""
    with pytest.raises(AuditWriteFailed):
        audit_record(actor=None, action="test.event")
    assert not alerts.alert_pending()
    assert AuditAlert.objects.get().kind == AlertKind.WRITE_FAILED


@pytest.mark.django_db(transaction=True)
def test_nobody_signs_in_unaudited(client, admins, failing_audit):
    # transaction=True: accounts.services.user_login runs in autocommit, as in production.
    response = client.post(
        "/accounts/login/", {"username": "keyuan", "password": "Zhengban-Test-2026"}
    )
    assert response.status_code == 503
    assert "_auth_user_id" not in client.session
    assert AuditAlert.objects.get().detail["action"] == "accounts.login"
