import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from zhengban.audit.models import AuditRecord
from zhengban.org.models import Appointment, LeadershipPost, Organization, StaffingQuota
from zhengban.org.services import appointment_end

from .factories import appoint, load_sample, make_person, unit_named

pytestmark = pytest.mark.django_db


def fill(organization, category, n, unit=None):
    for _ in range(n):
        appoint(organization, unit, category=category)


def test_appointment_within_quota_is_recorded_and_audited(main_org):
    person = make_person("李明")
    appointment = appoint(main_org, unit_named("文电处"), person=person, position="一级主任科员")

    assert appointment.pk and appointment.end is None
    record = AuditRecord.objects.get(action="org.appointment_create")
    assert record.object_id == str(appointment.pk) and "李明" in record.summary


def test_appointment_beyond_the_category_quota_is_refused_with_the_numbers(main_org):
    office = Organization.objects.get(name="市政府参事室")
    fill(office, "administrative", 11)

    with pytest.raises(ValidationError) as refusal:
        appoint(office, category="administrative")

    assert refusal.value.code == "quota_exceeded"
    assert refusal.value.messages == ["行政编制已满：核定11名，已用11名"]
    assert Appointment.objects.filter(organization=office).count() == 11


def test_appointment_beyond_the_leadership_post_count_is_refused(main_org):
    post = LeadershipPost.objects.get(organization=main_org, title="副主任")
    for _ in range(3):
        appoint(main_org, post=post, position="副主任")

    with pytest.raises(ValidationError) as refusal:
        appoint(main_org, post=post, position="副主任")

    assert refusal.value.code == "quota_exceeded"
    assert refusal.value.messages == ["副主任职数已满：核定3名，已用3名"]
    assert Appointment.objects.filter(post=post).count() == 3


def test_a_category_without_approved_quota_is_refused(main_org):
    with pytest.raises(ValidationError) as refusal:
        appoint(main_org, category="public_institution")
    assert refusal.value.code == "quota_exceeded"
    assert "未核定事业编制" in refusal.value.messages[0]


def test_ending_an_appointment_frees_the_place(main_org):
    office = Organization.objects.get(name="市政府参事室")
    holder = appoint(office, category="logistics")
    with pytest.raises(ValidationError):
        appoint(office, category="logistics")

    appointment_end(appointment=holder, end=date(2024, 6, 30), actor=None)

    assert appoint(office, category="logistics").pk
    with pytest.raises(ValidationError):
        appointment_end(appointment=holder, end=date(2024, 7, 1), actor=None)


def test_one_person_holds_one_place(main_org):
    person = make_person()
    appoint(main_org, person=person)
    with pytest.raises(ValidationError) as refusal:
        appoint(main_org, person=person)
    assert refusal.value.code == "already_appointed"


def test_unit_and_post_must_belong_to_the_organization(main_org):
    office = Organization.objects.get(name="市政府参事室")
    with pytest.raises(ValidationError):
        appoint(office, unit_named("文电处"))
    with pytest.raises(ValidationError):
        appoint(office, post=LeadershipPost.objects.get(organization=main_org, title="主任"))
    assert not Appointment.objects.exists()


def test_end_before_start_is_refused(main_org):
    appointment = appoint(main_org, start=date(2020, 5, 1))
    with pytest.raises(ValidationError):
        appointment_end(appointment=appointment, end=date(2020, 4, 30), actor=None)


def _race(target_count: int, make_call) -> list:
    barrier = threading.Barrier(target_count)
    results: list = []

    def worker(index):
        try:
            barrier.wait(timeout=10)
            results.append(make_call(index))
        except ValidationError as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(target_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_appointments_racing_for_the_last_place_one_wins():
    load_sample()
    office = Organization.objects.get(name="市政府参事室")
    assert StaffingQuota.objects.get(organization=office, category="logistics").approved == 1
    people = [make_person(f"甲{i}") for i in range(2)]

    results = _race(2, lambda i: appoint(office, category="logistics", person=people[i]))

    assert sum(isinstance(r, Appointment) for r in results) == 1
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and refused[0].code == "quota_exceeded"
    assert Appointment.objects.filter(organization=office, category="logistics").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_appointments_racing_for_the_last_leadership_post_one_wins():
    main = load_sample()
    post = LeadershipPost.objects.get(organization=main, title="主任")
    people = [make_person(f"乙{i}") for i in range(2)]

    results = _race(2, lambda i: appoint(main, post=post, person=people[i], position="主任"))

    assert sum(isinstance(r, Appointment) for r in results) == 1
    assert Appointment.objects.filter(post=post).count() == 1
