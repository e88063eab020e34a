import pytest
from django.core.exceptions import ImproperlyConfigured

from zhengban.accounts.choices import Role
from zhengban.audit import events
from zhengban.audit.models import AuditRecord
from zhengban.audit.services import audit_denied, audit_record

from .factories import make_user

ALREADY_USED = [
    "accounts.login",
    "accounts.login_failed",
    "accounts.login_locked",
    "accounts.logout",
    "accounts.user_create",
    "accounts.role_grant",
    "accounts.role_revoke",
    "audit.read",
    "audit.denied",
    "audit.export",
    "audit.verify",
    "audit.head_restored",
]


@pytest.fixture
def registry():
    """Restore the registry after a test registers codes of its own."""
    saved = dict(events._registry), dict(events._defaults)
    yield events
    events._registry.clear()
    events._registry.update(saved[0])
    events._defaults.clear()
    events._defaults.update(saved[1])


@pytest.mark.parametrize("code", ALREADY_USED)
def test_codes_in_use_are_registered(code):
    assert events.get(code) is not None
    assert events.label(code) != code


@pytest.mark.django_db
def test_role_grant_reads_as_a_sentence_with_the_role_label():
    make_user(Role.AUDIT_ADMIN, username="wang", display_name="王审计")

    record = AuditRecord.objects.get(action="accounts.role_grant")

    assert events.describe(record) == "系统 授予 王审计 安全审计员角色"


@pytest.mark.django_db
def test_failed_login_shows_the_typed_name_and_summary():
    record = audit_record(
        actor=None, actor_name="zhangsan", action="accounts.login_failed", summary="连续失败5次"
    )

    assert events.describe(record) == "zhangsan 登录失败（连续失败5次）"


@pytest.mark.django_db
def test_delegated_actor_is_shown_with_the_principal(staff):
    principal = make_user(username="chuzhang", display_name="李处长")

    record = audit_record(actor=staff, action="accounts.logout", on_behalf_of=principal)

    assert events.describe(record) == "科员乙（代李处长） 退出登录"


@pytest.mark.django_db
def test_denial_names_the_attempted_action(staff):
    record = audit_denied(actor=staff, action="audit.export")

    assert events.describe(record) == "科员乙 无权导出审计记录"


@pytest.mark.django_db
def test_unknown_code_displays_as_the_code():
    record = audit_record(actor=None, action="letters.reply", summary="已答复")

    assert events.describe(record) == "letters.reply"


@pytest.mark.django_db
def test_a_template_that_does_not_fit_falls_back_to_code_and_summary(registry):
    registry.register("test.bad", "{actor} 把 {changes[unit]} 交办")
    record = audit_record(actor=None, action="test.bad", summary="摘要")

    assert events.describe(record) == "test.bad 摘要"


@pytest.mark.django_db
def test_fields_function_feeds_the_template(registry):
    registry.register(
        "test.assign",
        "{actor} 将 {object} 交办给 {unit}",
        fields=lambda record, changes: {"unit": changes["unit"]},
    )
    target = make_user(username="case", display_name="督办事项1号")
    record = audit_record(
        actor=None, action="test.assign", target=target, changes={"unit": "文电处"}
    )

    assert events.describe(record) == "系统 将 督办事项1号 交办给 文电处"


def test_registering_a_code_twice_with_another_meaning_fails(registry):
    registry.register("test.once", "{actor} 做了一件事")
    registry.register("test.once", "{actor} 做了一件事")  # the same declaration again is fine

    with pytest.raises(ImproperlyConfigured):
        registry.register("test.once", "{actor} 做了另一件事")


def test_an_apps_own_registration_replaces_the_default(registry):
    registry.register_default("test.moved", "默认")
    registry.register("test.moved", "本应用的")

    assert events.get("test.moved").template == "本应用的"
    assert [event.code for event in events.all_events()].count("test.moved") == 1
