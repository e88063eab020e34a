"""The router page, its reusable fragment, and the API."""

import pytest
from django.urls import reverse

from zhengban.routing import selectors
from zhengban.routing.models import RoutingCorrection
from zhengban.routing.services import routing_confirm

from .factories import unit_named

TEXT = "关于做好今冬明春农村饮水安全工作的通知"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("get", "routing:ask", ()),
        ("get", "routing:suggest", ()),
        ("post", "routing:confirm", ()),
        ("post", "routing:undo", (1,)),
    ],
)
def test_pages_require_login(client, office, method, name, args):
    response = getattr(client, method)(reverse(name, args=args), {"text": TEXT})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not RoutingCorrection.objects.exists()


@pytest.mark.django_db
def test_api_requires_login(client, office):
    response = client.post(
        reverse("api-routing:route"), {"text": TEXT}, content_type="application/json"
    )
    assert response.status_code == 403
    response = client.post(
        reverse("api-routing:confirm"),
        {"text": TEXT, "chosen": f"u{unit_named('农经处').pk}"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not RoutingCorrection.objects.exists()


@pytest.mark.django_db
def test_ask_page_shows_ranked_units_with_the_duty_highlighted(client, office, clerk):
    client.force_login(clerk)
    response = client.get(reverse("routing:ask"), {"text": TEXT})
    assert response.status_code == 200
    html = response.content.decode()
    assert "农经处" in html
    assert "负责对农业、<mark>农村</mark>等方面工作" in html
    assert "确认由该单位办理" in html and "选择其他单位" in html


@pytest.mark.django_db
def test_suggest_fragment_for_other_forms(client, office, staff):
    client.force_login(staff)
    response = client.get(reverse("routing:suggest"), {"text": TEXT, "field": "lead_unit"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    key = f"u{unit_named('农经处').pk}"
    assert f'name="lead_unit" value="{key}" checked' in html
    assert "routing:confirm" not in html and "确认由该单位办理" not in html
    # A field name that is not an identifier is ignored, never echoed into the markup.
    response = client.get(reverse("routing:suggest"), {"text": TEXT, "field": '"><script>'})
    assert "<script>" not in response.content.decode()


@pytest.mark.django_db
def test_text_is_escaped(client, office, staff):
    client.force_login(staff)
    response = client.get(reverse("routing:suggest"), {"text": "<b>农村</b>饮水"})
    html = response.content.decode()
    assert "<b>农村</b>" not in html and "&lt;b&gt;" in html


@pytest.mark.django_db
def test_without_a_regulation_the_page_says_so(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("routing:ask"), {"text": TEXT})
    assert response.status_code == 200
    assert "尚未载入三定规定" in response.content.decode()
    response = client.post(
        reverse("api-routing:route"), {"text": TEXT}, content_type="application/json"
    )
    assert response.status_code == 503
    assert response.json()["code"] == "routing_unavailable"


@pytest.mark.django_db
def test_choosing_another_unit_records_a_correction(client, office, clerk):
    client.force_login(clerk)
    suggested = selectors.route_text(TEXT)[0].key
    chosen = f"u{unit_named('流通处').pk}"
    response = client.post(
        reverse("routing:confirm"),
        {"text": TEXT, "suggested": suggested, "chosen": chosen},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已改由流通处办理" in html
    assert 'hx-swap-oob="outerHTML"' in html
    correction = RoutingCorrection.objects.get()
    assert correction.actor == clerk and correction.chosen_name == "流通处"
    # Confirming the suggestion records no correction; without htmx the page comes back
    # with the same text.
    response = client.post(
        reverse("routing:confirm"),
        {"text": "关于春耕生产的报告", "suggested": suggested, "chosen": suggested},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("routing:ask") + "?text=")
    assert RoutingCorrection.objects.count() == 1


@pytest.mark.django_db
def test_bad_choice_is_refused_without_a_row(client, office, clerk):
    client.force_login(clerk)
    response = client.post(
        reverse("routing:confirm"), {"text": TEXT, "suggested": "", "chosen": "u0"}, **HTMX
    )
    assert response.status_code == 400
    assert "所选单位不存在" in response.content.decode()
    assert not RoutingCorrection.objects.exists()


@pytest.mark.django_db
def test_undo_from_the_page_and_denial_for_others(client, office, staff, other_staff):
    correction = routing_confirm(text=TEXT, suggested="", chosen=unit_named("流通处"), actor=staff)
    client.force_login(other_staff)
    response = client.post(reverse("routing:undo", args=[correction.pk]))
    assert response.status_code == 403
    correction.refresh_from_db()
    assert not correction.undone
    client.force_login(staff)
    response = client.post(reverse("routing:undo", args=[correction.pk]), **HTMX)
    assert response.status_code == 200
    assert "已撤销该分办纠正" in response.content.decode()
    correction.refresh_from_db()
    assert correction.undone
    assert client.post(reverse("routing:undo", args=[999999])).status_code == 404


def _corrections(n: int, actor) -> None:
    unit = unit_named("流通处")
    for i in range(n):
        routing_confirm(text=f"{TEXT}（{i}）", suggested="", chosen=unit, actor=actor)


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [5, 25])
def test_ask_page_queries_do_not_grow_with_corrections(
    client, office, clerk, rows, django_assert_num_queries
):
    _corrections(rows, clerk)
    client.force_login(clerk)
    client.get(reverse("routing:ask"), {"text": TEXT})  # builds and caches the index
    # session, user, roles (undo column), index fingerprint, corrections, unit memberships (the
    # sidebar's register entries), the bell; and the idle-timeout middleware's session write
    # (savepoint, update, release).
    with django_assert_num_queries(10):
        response = client.get(reverse("routing:ask"), {"text": TEXT})
    assert response.content.decode().count("撤销</button>") == min(rows, 20)


@pytest.mark.django_db
def test_api_route(client, office, staff, django_assert_num_queries):
    client.force_login(staff)
    url = reverse("api-routing:route")
    client.post(url, {"text": TEXT}, content_type="application/json")
    # session, user, index fingerprint, and the session write (savepoint, update, release)
    with django_assert_num_queries(6):
        response = client.post(url, {"text": TEXT, "top": 2}, content_type="application/json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 2
    assert results[0]["unit"] == "农经处"
    assert results[0]["key"] == f"u{unit_named('农经处').pk}"
    assert results[0]["because"][0] == "负责对农业、农村等方面工作进行综合、调研和协调督办"
    assert "农村" in results[0]["terms"]
    bad = client.post(url, {"text": TEXT, "top": 99}, content_type="application/json")
    assert bad.status_code == 400
    assert client.post(url, {}, content_type="application/json").status_code == 400


@pytest.mark.django_db
def test_api_confirm(client, office, clerk, sysadmin):
    url = reverse("api-routing:confirm")
    chosen = f"u{unit_named('流通处').pk}"
    client.force_login(sysadmin)
    response = client.post(url, {"text": TEXT, "chosen": chosen}, content_type="application/json")
    assert response.status_code == 403
    client.force_login(clerk)
    response = client.post(url, {"text": TEXT, "chosen": chosen}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["correction"] == RoutingCorrection.objects.get().pk
    response = client.post(url, {"text": TEXT, "chosen": "u0"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "unknown_unit"


@pytest.mark.django_db
def test_suggest_shows_the_internal_unit_and_the_handling_units_apart(client, office, staff):
    from .factories import make_external_unit

    make_external_unit("市人力资源和社会保障局", ["负责劳动保障监察工作"])
    selectors.invalidate()
    client.force_login(staff)
    text = "包工头跑了，工钱一分没拿到"
    html = client.get(reverse("routing:suggest"), {"text": text}, **HTMX).content.decode()
    internal, external = html.split('data-scope="external"')
    assert 'data-scope="internal"' in internal and "流通处" in internal
    assert "经由市人力资源和社会保障局" in internal
    assert "市人力资源和社会保障局" in external and "转办/交办单位" in internal
    only = client.get(reverse("routing:suggest"), {"text": text, "scope": "internal"}, **HTMX)
    assert 'data-scope="external"' not in only.content.decode()
    # An unknown scope falls back to both lists rather than failing.
    odd = client.get(reverse("routing:suggest"), {"text": text, "scope": "<x>"}, **HTMX)
    assert odd.status_code == 200 and 'data-scope="external"' in odd.content.decode()


@pytest.mark.django_db
def test_api_route_scopes(client, office, staff):
    from .factories import make_external_unit

    labour = make_external_unit("市人力资源和社会保障局", ["负责劳动保障监察工作"])
    selectors.invalidate()
    client.force_login(staff)
    url = reverse("api-routing:route")
    text = "包工头跑了，工钱一分没拿到"
    internal = client.post(
        url, {"text": text, "scope": "internal"}, content_type="application/json"
    )
    assert internal.status_code == 200
    first = internal.json()["results"][0]
    assert first["unit"] == "流通处" and first["via"] == "市人力资源和社会保障局"
    assert first["because"][1].startswith("市人力资源和社会保障局：")
    external = client.post(
        url, {"text": text, "scope": "external"}, content_type="application/json"
    )
    assert [r["key"] for r in external.json()["results"]] == [f"u{labour.pk}"]
    bad = client.post(url, {"text": text, "scope": "nowhere"}, content_type="application/json")
    assert bad.status_code == 400 and "scope" in bad.json()
