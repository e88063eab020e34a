import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhengban.accounts.choices import Role
from zhengban.audit.models import AuditRecord
from zhengban.audit.selectors import PAGE_SIZE
from zhengban.audit.services import audit_record

from .factories import make_chain, make_user, tamper_edit

LOG = reverse("audit:log")
EXPORT = reverse("audit:export")
VERIFY = reverse("audit:verify")


def _count(action: str) -> int:
    return AuditRecord.objects.filter(action=action).count()


def test_urls():
    assert LOG == "/audit/"
    assert reverse("audit:detail", args=[7]) == "/audit/7/"


# --- who may see it -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"), [("get", LOG), ("get", "/audit/1/"), ("get", EXPORT), ("post", VERIFY)]
)
def test_anonymous_is_sent_to_login_without_a_record(client, method, url):
    make_chain(1)
    before = AuditRecord.objects.count()

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert AuditRecord.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.STAFF, Role.CLERK])
@pytest.mark.parametrize(
    ("method", "url", "attempted"),
    [
        ("get", LOG, "audit.view"),
        ("get", "/audit/1/", "audit.view"),
        ("get", EXPORT, "audit.export"),
        ("post", VERIFY, "audit.verify"),
    ],
)
def test_everyone_but_the_audit_admin_is_refused_and_the_refusal_recorded(
    client, role, method, url, attempted
):
    user = make_user(role)
    make_chain(1)
    client.force_login(user)
    before = AuditRecord.objects.count()

    response = getattr(client, method)(url)

    assert response.status_code == 403
    assert "第1条测试记录" not in response.content.decode()
    denial = AuditRecord.objects.order_by("-seq").first()
    assert AuditRecord.objects.count() == before + 1
    assert (denial.action, denial.actor_id) == ("audit.denied", user.pk)
    assert denial.changes == {"attempted": attempted}
    assert _count("audit.export") == _count("audit.verify") == 0


@pytest.mark.django_db
def test_audit_admin_sees_the_log_newest_first(client, audit_admin):
    make_chain(3)
    client.force_login(audit_admin)

    response = client.get(LOG)

    assert response.status_code == 200
    seqs = [record.seq for record in response.context["page"].records]
    assert seqs == sorted(seqs, reverse=True)
    assert seqs[0] == AuditRecord.objects.order_by("-seq").first().seq
    html = response.content.decode()
    assert "系统 授予 审计员甲 安全审计员角色" in html  # described through the event registry
    assert _count("audit.denied") == 0


# --- filters and pages --------------------------------------------------------------------


def _shown(response) -> list[int]:
    return [record.seq for record in response.context["page"].records]


@pytest.fixture
def office_history(db):
    """Records of several kinds, actors, objects and days."""
    zhang = make_user(Role.STAFF, username="zhangsan", display_name="张三")
    li = make_user(Role.STAFF, username="lisi", display_name="李四")
    old = audit_record(actor=zhang, action="cases.assign", summary="去年的交办")
    AuditRecord.objects.filter(pk=old.pk).update(
        time=timezone.make_aware(datetime(2025, 3, 1, 23, 30))  # 2025-03-01 local
    )
    audit_record(actor=zhang, action="accounts.login", target=zhang)
    audit_record(actor=None, actor_name="zhangsan", action="accounts.login_failed")
    audit_record(actor=li, action="accounts.login", target=li)
    audit_record(actor=li, action="cases.assign", summary="交办市长信箱来信第12号")
    audit_record(actor=zhang, action="cases.close", summary="办结督办事项")
    return {"zhang": zhang, "li": li, "old": old}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "cases."}, ["cases.close", "cases.assign", "cases.assign"]),
        (
            {"action": "accounts.login"},
            ["accounts.login", "accounts.login_failed", "accounts.login"],
        ),
        ({"text": "市长信箱"}, ["cases.assign"]),
        ({"date_to": "2025-03-01"}, ["cases.assign"]),
        ({"date_from": "2025-03-02", "action": "cases.assign"}, ["cases.assign"]),
        ({"date_from": "2025-03-01", "date_to": "2025-03-01"}, ["cases.assign"]),
    ],
)
def test_filters(client, audit_admin, office_history, params, expected):
    client.force_login(audit_admin)

    response = client.get(LOG, params)

    assert [record.action for record in response.context["page"].records] == expected


@pytest.mark.django_db
def test_actor_filter_matches_login_name_display_name_and_typed_name(
    client, audit_admin, office_history
):
    client.force_login(audit_admin)
    zhang = office_history["zhang"]

    by_login = client.get(LOG, {"actor": "zhangsan"}).context["page"].records
    by_name = client.get(LOG, {"actor": "张三"}).context["page"].records

    # The typed name of a failed login has no user row: only the login name finds it.
    assert [r.action for r in by_login] == [
        "cases.close",
        "accounts.login_failed",
        "accounts.login",
        "cases.assign",
    ]
    assert [r.action for r in by_name] == [
        "cases.close",
        "accounts.login",
        "cases.assign",
    ]
    assert {r.actor_id for r in by_name} == {zhang.pk}


@pytest.mark.django_db
def test_object_type_filter(client, audit_admin, office_history):
    client.force_login(audit_admin)

    records = client.get(LOG, {"object_type": "accounts.user"}).context["page"].records

    assert records
    assert {r.object_type for r in records} == {"accounts.user"}


@pytest.mark.django_db
def test_invalid_filter_is_reported_and_ignored(client, audit_admin, office_history):
    client.force_login(audit_admin)

    response = client.get(LOG, {"date_from": "not-a-date", "action": "cases.close"})

    assert response.status_code == 200
    assert [r.action for r in response.context["page"].records] == ["cases.close"]
    assert "起始日期" in response.content.decode()


def test_odd_digits_in_a_page_cursor_are_a_400(client, audit_admin, office_history):
    client.force_login(audit_admin)
    for before in ("²", "9" * 5000, "99999999999999999999"):
        assert client.get(LOG, {"before": before}).status_code == 400


@pytest.mark.django_db
def test_pages_of_fifty_walk_back_and_forth(client, audit_admin):
    make_chain(120, action="test.paged")
    client.force_login(audit_admin)
    params = {"action": "test.paged"}

    first = client.get(LOG, params)
    second = client.get(LOG, {**params, "before": first.context["page"].older_than})
    third = client.get(LOG, {**params, "before": second.context["page"].older_than})
    back = client.get(LOG, {**params, "after": second.context["page"].newer_than})

    paged = list(
        AuditRecord.objects.filter(action="test.paged")
        .order_by("-seq")
        .values_list("seq", flat=True)
    )
    assert _shown(first) == paged[:50]
    assert _shown(second) == paged[50:100]
    assert _shown(third) == paged[100:]
    assert third.context["page"].older_than is None
    assert first.context["page"].newer_than is None
    assert _shown(back) == _shown(first)
    assert "before=" in first.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, PAGE_SIZE])
def test_log_page_runs_the_same_queries_whatever_the_size(
    client, audit_admin, django_assert_num_queries, count
):
    make_chain(count, action="test.bulk")
    audit_record(actor=audit_admin, action="audit.verify", changes={"ok": True, "last_seq": 1})
    client.force_login(audit_admin)

    # session, user, role grants, page of records, chain head, latest verification, and
    # the session save for the idle-timeout stamp (UPDATE inside a savepoint in tests), and
    # the open audit alerts for the administrators' banner.
    with django_assert_num_queries(11):
        response = client.get(LOG, {"action": "test."})

    assert len(response.context["page"].records) == count


# --- detail -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_detail_shows_changes_and_hash_state(client, audit_admin):
    record = audit_record(
        actor=None, action="cases.assign", changes={"主办单位": "文电处", "时限": "2026-12-01"}
    )
    client.force_login(audit_admin)

    html = client.get(reverse("audit:detail", args=[record.seq])).content.decode()
    assert "&quot;主办单位&quot;: &quot;文电处&quot;" in html
    assert "与内容一致" in html

    tamper_edit(record.seq)
    html = client.get(reverse("audit:detail", args=[record.seq])).content.decode()
    assert "与内容不符" in html


@pytest.mark.django_db
def test_detail_of_a_missing_record_is_404(client, audit_admin):
    client.force_login(audit_admin)

    assert client.get(reverse("audit:detail", args=[9999])).status_code == 404


# --- export -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_writes_the_filtered_records_and_is_audited(client, audit_admin, office_history):
    audit_record(actor=None, action="cases.note", summary='=HYPERLINK("http://x")\x07')
    client.force_login(audit_admin)

    response = client.get(EXPORT, {"action": "cases."})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("序号", "时间", "操作人", "被代理人", "操作代码")
    exported = [row[4] for row in rows[1:]]
    assert exported == ["cases.note", "cases.close", "cases.assign", "cases.assign"]
    assert [row[0] for row in rows[1:]] == sorted((row[0] for row in rows[1:]), reverse=True)
    assert isinstance(rows[1][1], datetime)
    # User text stays text: no formula, no control character.
    assert rows[1][9] == '=HYPERLINK("http://x")'
    assert sheet.cell(row=2, column=10).data_type == "s"
    export = AuditRecord.objects.get(action="audit.export")
    assert export.actor_id == audit_admin.pk
    assert export.changes == {"filters": {"action": "cases."}, "rows": 4, "truncated": False}


@pytest.mark.django_db
def test_export_stops_at_the_row_limit_and_says_so(audit_admin):
    from zhengban.audit.export import write_xlsx

    make_chain(7)
    output = io.BytesIO()

    rows, truncated = write_xlsx(AuditRecord.objects.all(), output, max_rows=5)

    assert (rows, truncated) == (5, True)
    sheet = load_workbook(io.BytesIO(output.getvalue())).active
    assert sheet.max_row == 6


# --- verification on demand ---------------------------------------------------------------


@pytest.mark.django_db
def test_verify_button_records_the_result_shown_in_the_status_box(client, audit_admin):
    make_chain(4)
    client.force_login(audit_admin)
    head = AuditRecord.objects.order_by("-seq").first().seq

    response = client.post(VERIFY, follow=True)

    verification = AuditRecord.objects.get(action="audit.verify")
    assert verification.actor_id == audit_admin.pk
    assert verification.changes["ok"] is True
    assert verification.changes["last_seq"] == head
    html = response.content.decode()
    assert f"已校验至第 {head} 条" in html
    assert "审计链完整" in html


@pytest.mark.django_db
def test_verify_button_reports_a_broken_chain(client, audit_admin):
    make_chain(6)
    tamper_edit(5)
    client.force_login(audit_admin)

    response = client.post(VERIFY, follow=True)

    verification = AuditRecord.objects.get(action="audit.verify")
    assert verification.changes["ok"] is False
    assert verification.changes["problem"]["seq"] == 5
    assert "第 5 条：内容被篡改" in response.content.decode()


@pytest.mark.django_db
def test_verify_needs_post(client, audit_admin):
    client.force_login(audit_admin)

    assert client.get(VERIFY).status_code == 405
    assert _count("audit.verify") == 0


@pytest.mark.django_db
def test_list_shows_summary_of_unregistered_codes_and_model_names(client, audit_admin, staff):
    audit_record(actor=staff, action="letters.reply", target=staff, summary="已答复来信人")
    client.force_login(audit_admin)

    html = client.get(LOG, {"action": "letters."}).content.decode()

    assert "已答复来信人" in html
    assert 'title="accounts.user">用户</span>' in html
