"""Integrity of access-control data (GB/T 39786-2021 8.4 b/c; 等保 2.0 8.1.4.2): role grants
and clearances carry HMAC-SM3 tags under a key outside the database; a row changed behind
the application's back (a DBA's UPDATE) is not honoured and alerts the security and audit
administrators once per row."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengban.accounts import integrity, services
from zhengban.accounts.choices import Clearance, Role
from zhengban.accounts.models import RoleGrant, User
from zhengban.audit.alerts import alerted_users, import_spool
from zhengban.audit.models import AlertKind, AuditAlert, AuditRecord
from zhengban.security import crypto
from zhengban.security.keys import rotate_digest_key

from .conftest import make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("key_file")]


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def raw_grant_tag(user, role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tag FROM accounts_rolegrant WHERE user_id = %s AND role = %s", [user.pk, role]
        )
        return cursor.fetchone()[0]


def integrity_alerts():
    # Raised inside the test's transaction, an alert waits in the spool (as it would for the
    # end of a request); take it in.
    import_spool()
    return AuditAlert.objects.filter(kind=AlertKind.INTEGRITY)


def test_services_write_tags_that_verify(secadmin, clerk):
    assert integrity.failures(alert=False) == []
    services.role_grant(user=clerk, role=Role.STAFF, actor=secadmin, reason="调整分工")
    services.clearance_set(user=clerk, clearance=Clearance.PUBLIC, actor=secadmin, reason="调岗")
    fresh = User.objects.get(pk=clerk.pk)
    assert fresh.clearance_verified and fresh.clearance == Clearance.PUBLIC
    assert fresh.role_set == {Role.CLERK, Role.STAFF}
    assert len(raw_grant_tag(clerk, Role.STAFF)) == 64
    services.role_revoke(user=clerk, role=Role.STAFF, actor=secadmin, reason="调回")
    assert integrity.failures(alert=False) == []
    assert not integrity_alerts().exists()


def test_a_role_granted_by_raw_sql_is_not_honoured_and_alerts_once(client, clerk, secadmin):
    auditor = make("auditor", Role.AUDIT_ADMIN)
    # A DBA makes the clerk an office leader: the row, but no valid tag.
    raw(
        "INSERT INTO accounts_rolegrant (user_id, role, granted_at, tag) VALUES (%s, %s, "
        "CURRENT_TIMESTAMP, %s)",
        [clerk.pk, Role.OFFICE_LEADER, "0" * 64],
    )
    user = User.objects.get(pk=clerk.pk)
    assert user.role_set == {Role.CLERK}
    assert not user.has_role(Role.OFFICE_LEADER)
    alert = integrity_alerts().get()
    assert "办公厅领导" in alert.message and alert.detail["user_id"] == clerk.pk
    # Read again and again (other requests): still one alert, not counted again.
    for _n in range(3):
        assert not User.objects.get(pk=clerk.pk).has_role(Role.OFFICE_LEADER)
    assert integrity_alerts().count() == 1 and integrity_alerts().get().occurrences == 1
    # Both administrators see it; the clerk's pages do not open to a leader's rights.
    assert {u.username for u in alerted_users()} == {"secadmin", auditor.username}


def test_a_grant_whose_role_a_dba_changed_is_not_honoured(client, clerk):
    raw(
        "UPDATE accounts_rolegrant SET role = %s WHERE user_id = %s",
        [Role.SECURITY_ADMIN, clerk.pk],
    )
    client.force_login(clerk)
    assert client.get(reverse("accounts:security")).status_code == 403
    assert integrity_alerts().count() == 1


def test_a_tag_copied_from_another_users_grant_does_not_verify(clerk, secadmin):
    tag = raw_grant_tag(secadmin, Role.SECURITY_ADMIN)
    raw(
        "UPDATE accounts_rolegrant SET role = %s, tag = %s WHERE user_id = %s",
        [Role.SECURITY_ADMIN, tag, clerk.pk],
    )
    assert not User.objects.get(pk=clerk.pk).has_role(Role.SECURITY_ADMIN)


def test_a_clearance_raised_by_raw_sql_is_not_honoured(clerk, settings):
    settings.CLASSIFIED_SYSTEM_LEVEL = Clearance.SECRET
    raw("UPDATE accounts_user SET clearance = %s WHERE id = %s", [Clearance.SECRET, clerk.pk])
    user = User.objects.get(pk=clerk.pk)
    assert user.clearance == Clearance.PUBLIC  # the lowest, not even the 内部 it had
    assert user.stored_clearance == Clearance.SECRET and not user.clearance_verified
    alert = integrity_alerts().get()
    assert "知悉范围" in alert.message and alert.detail["clearance"] == Clearance.SECRET
    User.objects.get(pk=clerk.pk)
    assert integrity_alerts().count() == 1


def test_the_request_user_gets_the_lowest_clearance(client, clerk):
    raw("UPDATE accounts_user SET clearance = %s WHERE id = %s", [Clearance.CONFIDENTIAL, clerk.pk])
    client.force_login(clerk)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert response.wsgi_request.user.clearance == Clearance.PUBLIC


def test_the_security_administrator_sees_the_failing_rows_and_resets_them(client, clerk, secadmin):
    raw(
        "INSERT INTO accounts_rolegrant (user_id, role, granted_at, tag) VALUES (%s, %s, "
        "CURRENT_TIMESTAMP, '')",
        [clerk.pk, Role.STAFF],
    )
    raw("UPDATE accounts_user SET clearance = %s WHERE id = %s", [Clearance.PUBLIC, clerk.pk])
    client.force_login(secadmin)
    listing = client.get(reverse("accounts:security")).content.decode()
    assert 'data-testid="grant-unverified"' in listing
    assert 'data-testid="clearance-unverified"' in listing
    page = client.get(reverse("accounts:security_user", args=[clerk.pk])).content.decode()
    assert 'data-testid="unverified-roles"' in page
    # Setting the clearance again tags it; revoking removes the foreign row.
    act = "accounts:security_user_act"
    client.post(
        reverse(act, args=[clerk.pk, "clearance"]),
        {"clearance": Clearance.INTERNAL, "reason": "核实后恢复"},
    )
    client.post(reverse(act, args=[clerk.pk, "revoke"]), {"role": Role.STAFF, "reason": "非授权"})
    assert integrity.failures(alert=False) == []
    record = AuditRecord.objects.filter(action="accounts.clearance_set").latest("seq")
    assert record.changes["replaced_unverified_clearance"] == Clearance.PUBLIC
    assert User.objects.get(pk=clerk.pk).clearance == Clearance.INTERNAL


def test_granting_a_role_whose_row_failed_tags_it_again(clerk, secadmin):
    services.role_grant(user=clerk, role=Role.STAFF, actor=secadmin, reason="分工")
    raw("UPDATE accounts_rolegrant SET tag = '' WHERE role = %s", [Role.STAFF])
    assert not User.objects.get(pk=clerk.pk).has_role(Role.STAFF)
    services.role_grant(user=clerk, role=Role.STAFF, actor=secadmin, reason="核实后重新授予")
    assert User.objects.get(pk=clerk.pk).has_role(Role.STAFF)
    record = AuditRecord.objects.filter(action="accounts.role_grant").latest("seq")
    assert "replaced_unverified_grant" in record.changes


def test_an_admin_role_inserted_by_raw_sql_does_not_block_separation_checks(clerk, secadmin):
    raw(
        "INSERT INTO accounts_rolegrant (user_id, role, granted_at, tag) VALUES (%s, %s, "
        "CURRENT_TIMESTAMP, '')",
        [clerk.pk, Role.AUDIT_ADMIN],
    )
    # The forged 审计员 row is not held, so a business role may still be granted.
    services.role_grant(user=clerk, role=Role.STAFF, actor=secadmin, reason="分工")
    assert User.objects.get(pk=clerk.pk).role_set == {Role.CLERK, Role.STAFF}


def test_verify_grants_reports_every_failing_row(clerk, leader, secadmin):
    raw("UPDATE accounts_rolegrant SET role = %s WHERE user_id = %s", [Role.STAFF, clerk.pk])
    raw("UPDATE accounts_user SET clearance = %s WHERE id = %s", [Clearance.PUBLIC, leader.pk])
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 条"):
        call_command("security", "verify-grants", stdout=out)
    text = out.getvalue()
    assert "clerk" in text and "处室工作人员" in text and "leader" in text and "公开" in text
    assert integrity_alerts().count() == 2
    # Run again: the same rows, no new alerts.
    with pytest.raises(CommandError):
        call_command("security", "verify-grants", stdout=out)
    assert integrity_alerts().count() == 2


def test_verify_grants_passes_when_all_tags_verify(clerk, secadmin):
    out = io.StringIO()
    call_command("security", "verify-grants", stdout=out)
    assert "全部校验通过" in out.getvalue()


def test_the_daily_sweep_checks_the_tags():
    from zhengban.cases.reminders import _SWEEPS

    assert _SWEEPS["权限数据完整性校验"] is integrity.daily_check


def test_digest_key_rotation_retags_and_keeps_every_tag_valid(clerk, secadmin, leader):
    services.clearance_set(user=clerk, clearance=Clearance.PUBLIC, actor=secadmin, reason="调岗")
    before = raw_grant_tag(clerk, Role.CLERK)
    result = rotate_digest_key()
    assert result.finished
    assert result.recomputed["accounts.rolegrant.tag"] == 3
    assert result.recomputed["accounts.user.clearance_tag"] == 3
    assert raw_grant_tag(clerk, Role.CLERK) != before
    assert integrity.failures(alert=False) == []
    assert User.objects.get(pk=clerk.pk).clearance == Clearance.PUBLIC
    assert User.objects.get(pk=leader.pk).role_set == {Role.OFFICE_LEADER}
    # The old key is gone: a tag made under it no longer verifies.
    raw("UPDATE accounts_rolegrant SET tag = %s WHERE user_id = %s", [before, clerk.pk])
    assert not User.objects.get(pk=clerk.pk).has_role(Role.CLERK)


def test_an_interrupted_rotation_accepts_both_keys_and_never_validates_a_forged_row(
    clerk, secadmin
):
    from zhengban.org.models import Person

    Person.objects.create(name="人员", staff_number="R1", phone="13812340000")
    raw("UPDATE accounts_user SET clearance = %s WHERE id = %s", [Clearance.TOP_SECRET, clerk.pk])
    rotate_digest_key(batch=1, stop_after=1)
    assert crypto.keyring().previous_digest_key is not None
    # Mid-rotation the old tags still verify.
    assert User.objects.get(pk=secadmin.pk).has_role(Role.SECURITY_ADMIN)
    call_command("security", "rotate-digest-key", stdout=io.StringIO())
    assert User.objects.get(pk=secadmin.pk).has_role(Role.SECURITY_ADMIN)
    # The forged clearance was not re-tagged by the rotation.
    assert User.objects.get(pk=clerk.pk).clearance == Clearance.PUBLIC
    assert [f.kind for f in integrity.failures(alert=False)] == ["clearance"]


def test_verification_adds_no_query(client, clerk, secadmin):
    """The tags come with the rows the page loads anyway: a user with more grants costs the
    same queries, and the count is what the page cost before tags existed."""

    def count(user):
        client.force_login(user)
        client.get(reverse("accounts:profile"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("accounts:profile")).status_code == 200
        return len(queries)

    one = count(clerk)
    for role in (Role.STAFF, Role.DUTY_OFFICER, Role.DIVISION_HEAD):
        services.role_grant(user=clerk, role=role, actor=None)
    assert count(clerk) == one


@pytest.mark.django_db(transaction=True)
def test_the_migration_tags_the_rows_already_there():
    before = [("accounts", "0004_user_totp_secret_encrypted")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before[0]).apps
    user = old.get_model("accounts", "User").objects.create(username="old", clearance=2)
    old.get_model("accounts", "RoleGrant").objects.create(user_id=user.pk, role=Role.STAFF)
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        crypto.reset_cache()
    migrated = User.objects.get(pk=user.pk)
    assert migrated.clearance_verified and migrated.clearance == 2
    assert migrated.role_set == {Role.STAFF}
    assert RoleGrant.objects.get(user=migrated).tag == integrity.grant_tag(user.pk, Role.STAFF)
