import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengban.accounts.choices import Role
from zhengban.org.models import Duty, LeadershipPost, Organization, Person, Unit

from .factories import appoint, make_person, make_user, unit_named

pytestmark = pytest.mark.django_db


def grow(organization, units=30, people=100):
    """More units (with duties) and more people, to show query counts do not depend on size."""
    created = Unit.objects.bulk_create(
        [
            Unit(organization=organization, name=f"新增处{i}", kind="internal", order=100 + i)
            for i in range(units)
        ]
    )
    Duty.objects.bulk_create(
        [
            Duty(organization=organization, unit=u, kind="unit", text=f"负责{u.name}的工作")
            for u in created
        ]
    )
    target = unit_named("文电处")
    for i in range(people):
        appoint(
            organization,
            target if i % 2 else created[i % units],
            category="logistics" if i % 3 else "administrative",
        )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(queries)


PAGES = ["org:chart", "org:staffing", "org:external"]


@pytest.mark.parametrize("name", PAGES)
def test_pages_redirect_anonymous_users_to_login(client, main_org, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unit_person_regulation_pages_redirect_anonymous(client, main_org):
    person = appoint(main_org, unit_named("文电处")).person
    for url in (
        reverse("org:unit", args=[unit_named("文电处").pk]),
        reverse("org:person", args=[person.pk]),
        reverse("org:regulation", args=[main_org.regulation_id]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url


def test_chart_shows_the_structure_with_duty_sources(client, main_org, reader):
    client.force_login(reader)
    response = client.get(reverse("org:chart"))
    html = response.content.decode()
    assert 'data-testid="counted-count">26<' in html
    assert "市政府督查室" in html and "机关党委" in html and "不计入内设机构数" in html
    assert "市政府参事室" in html and "指挥联络处" in html
    assert "三定规定 第三部分 内设机构 (十九)" in html
    duty = Duty.objects.filter(unit__name="市政府督查室").first()
    assert f"{reverse('org:regulation', args=[duty.regulation_id])}#duty-{duty.pk}" in html
    assert "合署办公" in html


def test_regulation_page_anchors_each_duty_in_the_source_text(client, main_org, reader):
    client.force_login(reader)
    duty = Duty.objects.filter(unit__name="市政府督查室").first()
    html = client.get(reverse("org:regulation", args=[duty.regulation_id])).content.decode()
    assert f'id="duty-{duty.pk}"' in html
    assert f'id="duty-{duty.pk}" title="市政府督查室">{duty.text}</span>' in html
    assert "六、附则" in html
    # 纪检组 and 监察处 share one sentence: both duties have an anchor.
    for shared in Duty.objects.filter(text="负责纪检和行政监察工作"):
        assert f'id="duty-{shared.pk}"' in html


def test_unit_page_shows_duties_people_head_and_contacts(client, main_org, reader):
    unit = unit_named("市政府督查室")
    post = LeadershipPost.objects.get(organization=main_org, grade="正处级")
    head = appoint(main_org, unit, post=post, person=make_person("王督查"), position="主任")
    appoint(main_org, unit, person=make_person("赵科员"), position="一级主任科员")
    client.force_login(reader)
    html = client.get(reverse("org:unit", args=[unit.pk])).content.decode()
    assert "负责市政府领导批示及交办事项的督促检查" in html
    assert "王督查" in html and "赵科员" in html
    assert f'<a href="{reverse("org:person", args=[head.person.pk])}">王督查</a> 主任' in html


def test_staffing_page_shows_approved_filled_vacant_over_and_chart_data(client, main_org, reader):
    appoint(main_org, unit_named("文电处"))
    client.force_login(reader)
    response = client.get(reverse("org:staffing"))
    rows = {(r["organization"].name, r["label"]): r for r in response.context["rows"]}
    row = rows[("沈阳市人民政府办公厅", "行政编制")]
    assert (row["approved"], row["filled"], row["vacant"], row["over"]) == (148, 1, 147, 0)
    html = response.content.decode()
    assert 'id="staffing-data"' in html and "vendor/echarts/dist/echarts.min.js" in html


def test_staffing_page_marks_over_quota(client, main_org, reader):
    office = Organization.objects.get(name="市政府参事室")
    appoint(office, category="logistics")
    office.quotas.filter(category="logistics").update(approved=0)
    client.force_login(reader)
    rows = client.get(reverse("org:staffing")).context["rows"]
    row = next(r for r in rows if r["organization"] == office and r["label"] == "工勤人员编制")
    assert (row["filled"], row["vacant"], row["over"]) == (1, 0, 1)


@pytest.mark.parametrize(
    ("url_name", "args"),
    [("org:chart", False), ("org:staffing", False), ("org:unit", True)],
)
def test_query_counts_do_not_grow_with_units_and_people(client, main_org, reader, url_name, args):
    client.force_login(reader)
    unit = unit_named("文电处")
    url = reverse(url_name, args=[unit.pk] if args else [])
    appoint(main_org, unit)
    client.get(url)  # session and caches warm
    small = count_queries(client, url)
    grow(main_org)
    large = count_queries(client, url)
    assert small == large
    assert small <= 13


def test_exact_query_count_of_the_chart(client, main_org, reader, django_assert_num_queries):
    client.force_login(reader)
    client.get(reverse("org:chart"))
    # session, user, organizations, units, 合署 links, duties, roles and unit memberships
    # (navigation), the bell's unread count, and the idle-timeout middleware saving the
    # session (savepoint, update, release)
    with django_assert_num_queries(12):
        client.get(reverse("org:chart"))


def test_personal_data_is_shown_to_the_person_hr_and_leaders_only(
    client, main_org, hr_user, leader
):
    person = appoint(
        main_org, unit_named("文电处"), person=make_person("钱明", phone="024-11112222")
    ).person
    url = reverse("org:person", args=[person.pk])
    someone = make_user(Role.STAFF, units=[unit_named("文电处")])  # same unit, still not allowed
    client.force_login(someone)
    html = client.get(url).content.decode()
    assert "024-11112222" not in html and "1980" not in html and "仅本人" in html

    self_user = make_user(Role.STAFF, person=person)
    for user in (self_user, hr_user, leader):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert "024-11112222" in html and "1980" in html, user.username


def test_external_directory_search(client, main_org, reader):
    from zhengban.org.services import external_units_import

    external_units_import(
        file="名称,类别,联络员,电话\n市教育局,市直部门,李晓琳,024-1\n和平区人民政府,区县政府,朱晨,024-2\n".encode(),
        actor=None,
    )
    client.force_login(reader)
    html = client.get(reverse("org:external"), {"q": "教育"}).content.decode()
    assert "市教育局" in html and "李晓琳" in html and "和平区人民政府" not in html
    assert "导入承办单位" not in html  # the form is for the system administrator


def test_only_the_system_administrator_may_import_external_units(
    client, main_org, reader, sysadmin
):
    upload = io.BytesIO("名称,类别\n市教育局,市直部门\n".encode())
    upload.name = "units.csv"
    client.force_login(reader)
    assert client.post(reverse("org:external"), {"file": upload}).status_code == 403
    assert not Unit.objects.filter(kind="external").exists()

    upload.seek(0)
    client.force_login(sysadmin)
    response = client.post(reverse("org:external"), {"file": upload})
    assert response.status_code == 302
    assert Unit.objects.filter(name="市教育局", kind="external").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00IHDR", "不是CSV或Excel"),
        (b"PK\x03\x04fake", "不是有效的Excel"),
        (b"a" * (5 * 1024 * 1024 + 10), "超过5 MB"),
        ("名称,类别\n市公安局,公安\n".encode(), "第2行"),
    ],
)
def test_disguised_oversized_or_bad_uploads_are_refused(
    client, main_org, sysadmin, content, message
):
    upload = io.BytesIO(content)
    upload.name = "units.xlsx"
    client.force_login(sysadmin)
    response = client.post(reverse("org:external"), {"file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Unit.objects.filter(kind="external").exists()


def test_missing_objects_are_404(client, main_org, reader):
    client.force_login(reader)
    assert client.get(reverse("org:unit", args=[999999])).status_code == 404
    assert client.get(reverse("org:person", args=[999999])).status_code == 404
    assert not Person.objects.filter(pk=999999).exists()
