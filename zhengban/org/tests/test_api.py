import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from zhengban.org.models import Appointment, LeadershipPost, Organization

from .factories import appoint, make_person, unit_named
from .test_views import grow

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/org/organizations/",
    "/api/org/units/",
    "/api/org/duties/",
    "/api/org/quotas/",
    "/api/org/posts/",
    "/api/org/people/",
    "/api/org/appointments/",
]


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.parametrize("url", LISTS)
def test_anonymous_gets_403(api, main_org, url):
    response = api.get(url)
    assert response.status_code == 403


def test_units_filter_by_organization_and_kind(api, main_org, reader):
    api.force_authenticate(reader)
    response = api.get("/api/org/units/", {"organization": main_org.pk, "kind": "internal"})
    assert response.status_code == 200
    assert response.data["count"] == 26
    names = {u["name"] for u in response.data["results"]}
    assert "市政府督查室" in names and "机关党委" not in names
    extra = api.get("/api/org/units/", {"organization": main_org.pk, "kind": "extra"}).data
    assert extra["count"] == 4
    assert api.get("/api/org/units/", {"organization": "x"}).status_code == 400


def test_duties_filter_by_unit(api, main_org, reader):
    api.force_authenticate(reader)
    unit = unit_named("市政府督查室")
    data = api.get("/api/org/duties/", {"unit": unit.pk}).data
    assert data["count"] == 3
    assert all(d["unit"] == unit.pk for d in data["results"])
    assert data["results"][0]["source_label"] == "第三部分 内设机构 (十九)"


def test_quotas_and_posts_carry_filled_vacant_over(api, main_org, reader):
    post = LeadershipPost.objects.get(organization=main_org, title="主任")
    appoint(main_org, post=post, position="主任")
    appoint(main_org, unit_named("文电处"))
    api.force_authenticate(reader)
    quotas = api.get("/api/org/quotas/").data["results"]
    admin = next(
        q for q in quotas if q["organization"] == main_org.pk and q["category"] == "administrative"
    )
    assert (admin["approved"], admin["filled"], admin["vacant"], admin["over"]) == (148, 2, 146, 0)
    posts = api.get("/api/org/posts/").data["results"]
    director = next(p for p in posts if p["id"] == post.pk)
    assert (director["count"], director["filled"], director["vacant"]) == (1, 1, 0)


def test_people_personal_fields_follow_the_policy(api, main_org, reader, hr_user):
    person = appoint(
        main_org, unit_named("文电处"), person=make_person("孙丽", phone="024-3")
    ).person
    api.force_authenticate(reader)
    row = api.get(f"/api/org/people/{person.pk}/").data
    assert row["name"] == "孙丽" and row["phone"] is None and row["birth_year"] is None
    api.force_authenticate(hr_user)
    row = api.get(f"/api/org/people/{person.pk}/").data
    assert row["phone"] == "024-3" and row["birth_year"] == 1980


def test_appointment_create_through_the_api(api, main_org, hr_user):
    api.force_authenticate(hr_user)
    person = make_person()
    unit = unit_named("文电处")
    response = api.post(
        "/api/org/appointments/",
        {
            "person": person.pk,
            "organization": main_org.pk,
            "unit": unit.pk,
            "category": "administrative",
            "position": "一级主任科员",
            "start": "2024-03-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert Appointment.objects.get(pk=response.data["id"]).person == person


def test_appointment_over_quota_is_400_with_code(api, main_org, hr_user):
    office = Organization.objects.get(name="市政府参事室")
    appoint(office, category="logistics")
    api.force_authenticate(hr_user)
    response = api.post(
        "/api/org/appointments/",
        {
            "person": make_person().pk,
            "organization": office.pk,
            "category": "logistics",
            "position": "驾驶员",
            "start": "2024-03-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.data == {
        "detail": "工勤人员编制已满：核定1名，已用1名",
        "code": "quota_exceeded",
    }
    assert Appointment.objects.filter(organization=office).count() == 1


def test_appointment_create_and_end_are_refused_to_others(api, main_org, reader):
    existing = appoint(main_org, unit_named("文电处"))
    api.force_authenticate(reader)
    response = api.post(
        "/api/org/appointments/",
        {
            "person": make_person().pk,
            "organization": main_org.pk,
            "category": "administrative",
            "position": "科员",
            "start": "2024-03-01",
        },
        format="json",
    )
    assert response.status_code == 403
    response = api.post(f"/api/org/appointments/{existing.pk}/end/", {"end": "2024-05-01"})
    assert response.status_code == 403
    assert Appointment.objects.count() == 1
    existing.refresh_from_db()
    assert existing.end is None


def test_appointment_end_through_the_api(api, main_org, leader):
    existing = appoint(main_org, unit_named("文电处"))
    api.force_authenticate(leader)
    response = api.post(f"/api/org/appointments/{existing.pk}/end/", {"end": "2024-05-01"})
    assert response.status_code == 200 and response.data["end"] == "2024-05-01"
    again = api.post(f"/api/org/appointments/{existing.pk}/end/", {"end": "2024-05-02"})
    assert again.status_code == 400 and again.data["code"] == "invalid"


@pytest.mark.parametrize("url", LISTS)
def test_api_list_query_counts_do_not_grow(api, main_org, reader, url):
    api.force_authenticate(reader)
    appoint(main_org, unit_named("文电处"))
    api.get(url)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url).status_code == 200
        return len(queries)

    small = count()
    grow(main_org)
    assert count() == small
    # count + page, plus the user's role lookup where personal data is decided
    assert small <= 4


def test_schema_is_served(api, reader):
    api.force_authenticate(reader)
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/org/appointments/" in response.content
