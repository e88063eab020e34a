"""Recording routing decisions, learning from corrections, undoing them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhengban.accounts.choices import Role
from zhengban.audit.models import AuditRecord
from zhengban.org.models import Organization
from zhengban.routing import selectors
from zhengban.routing.models import RoutingCorrection
from zhengban.routing.services import routing_confirm, routing_correction_undo

from .factories import make_user, unit_named

TEXT = "关于市政府机关附属楼电梯更新的请示"


def first(text: str):
    return selectors.route_text(text)[0]


@pytest.mark.django_db
def test_confirming_the_suggestion_is_audited_but_teaches_nothing(office, clerk):
    suggestion = first(TEXT)
    result = routing_confirm(
        text=TEXT, suggested=suggestion.key, chosen=suggestion.key, actor=clerk
    )
    assert result is None
    assert not RoutingCorrection.objects.exists()
    record = AuditRecord.objects.get(action="routing.confirm")
    assert record.actor_id == clerk.pk and suggestion.name in record.summary


@pytest.mark.django_db
def test_a_correction_changes_a_later_answer_and_undo_restores_it(office, clerk):
    before = first(TEXT)
    target = unit_named("行政二处")
    assert before.key != f"u{target.pk}"

    correction = routing_confirm(text=TEXT, suggested=before.key, chosen=target, actor=clerk)

    assert correction.chosen_key == f"u{target.pk}" and correction.chosen_unit == target
    assert correction.suggested_name == before.name and correction.tokens
    assert AuditRecord.objects.filter(action="routing.correct", object_id=str(correction.pk))
    # The same text, and a similar one, now go to the chosen unit, with the reason shown.
    after = first(TEXT)
    assert after.key == f"u{target.pk}"
    assert after.because[0] == f"历史分办：{TEXT}"
    assert first("市政府机关附属楼电梯维修").key == f"u{target.pk}"

    routing_correction_undo(correction=correction, actor=clerk)

    correction.refresh_from_db()
    assert correction.undone and correction.undone_by == clerk
    assert first(TEXT).key == before.key
    assert AuditRecord.objects.filter(action="routing.correction_undo").count() == 1


@pytest.mark.django_db
def test_undo_twice_is_refused(office, clerk):
    correction = routing_confirm(
        text=TEXT, suggested=first(TEXT).key, chosen=unit_named("行政二处"), actor=clerk
    )
    stale = RoutingCorrection.objects.get(pk=correction.pk)
    routing_correction_undo(correction=correction, actor=clerk)
    with pytest.raises(ValidationError) as error:
        routing_correction_undo(correction=stale, actor=clerk)
    assert error.value.code == "already_undone"
    assert AuditRecord.objects.filter(action="routing.correction_undo").count() == 1


@pytest.mark.django_db
def test_only_the_author_or_the_routing_desk_may_undo(office, staff, other_staff, clerk):
    correction = routing_confirm(
        text=TEXT, suggested=first(TEXT).key, chosen=unit_named("行政二处"), actor=staff
    )
    with pytest.raises(PermissionDenied):
        routing_correction_undo(correction=correction, actor=other_staff)
    correction.refresh_from_db()
    assert not correction.undone
    assert not AuditRecord.objects.filter(action="routing.correction_undo").exists()
    routing_correction_undo(correction=correction, actor=clerk)  # 文书 may
    correction.refresh_from_db()
    assert correction.undone


@pytest.mark.django_db
def test_administrators_do_not_route_business(office, sysadmin):
    with pytest.raises(PermissionDenied):
        routing_confirm(
            text=TEXT, suggested=first(TEXT).key, chosen=unit_named("行政二处"), actor=sysadmin
        )
    assert not RoutingCorrection.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="routing.").exists()


@pytest.mark.django_db
def test_unknown_or_inactive_unit_and_empty_text_are_refused(office, clerk):
    gone = unit_named("行政二处")
    gone.active = False
    gone.save(update_fields=["active"])
    for chosen in ("u999999", gone, "nonsense"):
        with pytest.raises(ValidationError):
            routing_confirm(text=TEXT, suggested=first(TEXT).key, chosen=chosen, actor=clerk)
    with pytest.raises(ValidationError):
        routing_confirm(text="  ", suggested="", chosen=unit_named("人事处"), actor=clerk)
    assert not RoutingCorrection.objects.exists()


@pytest.mark.django_db
def test_an_attached_office_can_be_chosen_and_the_case_is_kept(office, clerk):
    emergency = Organization.objects.get(name="市政府应急管理办公室")
    case = make_user(Role.STAFF)  # any model instance stands in for a case here
    # Nothing in the duties covers 团雾/追尾: no suggestion, so the person decides.
    assert selectors.route_text("关于团雾多车追尾的报告") == []
    correction = routing_confirm(
        text="关于团雾多车追尾的报告",
        suggested="",
        chosen=emergency,
        actor=clerk,
        case=case,
    )
    assert correction.chosen_key == f"o{emergency.pk}" and correction.chosen_unit is None
    assert correction.case_id == str(case.pk) and correction.case_type.model == "user"
    assert first("团雾追尾").key == f"o{emergency.pk}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_undo_has_one_winner(clerk):
    import threading

    from django.db import connection

    from .factories import load_office

    load_office()
    correction = routing_confirm(
        text=TEXT, suggested="", chosen=unit_named("行政二处"), actor=clerk
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def undo():
        try:
            barrier.wait()
            routing_correction_undo(
                correction=RoutingCorrection.objects.get(pk=correction.pk), actor=clerk
            )
            outcomes.append("undone")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=undo) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_undone", "undone"]
    assert AuditRecord.objects.filter(action="routing.correction_undo").count() == 1
