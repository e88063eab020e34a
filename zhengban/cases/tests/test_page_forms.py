"""The case page builds the expected action's form only; the folded actions' and the
assignments' forms load when opened (htmx, ?form=<code>), or without JS by a link that
reloads the page with that form open."""

import re

from django.urls import reverse

from .test_kernel import new_case, perform, to_handling
from .test_views import login

HTMX = {"HX-Request": "true"}


def _reviewing(office):
    case = new_case(office)
    return perform(case, "submit", office.clerk)


def test_only_the_expected_actions_form_comes_with_the_page(client, office):
    case = _reviewing(office)
    login(client, office.head)
    url = reverse("cases:detail", args=[case.pk])
    html = client.get(url).content.decode()
    # 交办 is what the state waits for: open, its form on the page.
    assert re.search(r'<details data-action="assign" id="action-assign" open>', html)
    assert 'name="lead_unit"' in html
    # 会签 is folded: a placeholder that loads the form, and a link for browsers without JS.
    box = re.search(r'<details data-action="countersign"[^>]*>.*?</details>', html, re.S).group(0)
    assert f'hx-get="{url}?form=countersign#action-countersign"' in box
    assert f'href="{url}?form=countersign#action-countersign"' in box
    assert 'name="users"' not in html


def test_a_folded_form_loads_when_opened(client, office):
    case = _reviewing(office)
    login(client, office.head)
    url = reverse("cases:detail", args=[case.pk])
    fragment = client.get(url + "?form=countersign", headers=HTMX)
    body = fragment.content.decode()
    assert fragment.status_code == 200
    assert body.lstrip().startswith("<form") and "<html" not in body
    assert 'name="users"' in body and 'name="csrfmiddlewaretoken"' in body
    assert f'name="version" value="{case.version}"' in body
    # Without JS the link reloads the whole page with that form open.
    page = client.get(url + "?form=countersign").content.decode()
    assert re.search(r'<details data-action="countersign" id="action-countersign" open>', page)
    assert 'name="users"' in page


def test_only_offered_forms_load(client, office):
    case = _reviewing(office)
    url = reverse("cases:detail", args=[case.pk])
    login(client, office.head)
    assert client.get(url + "?form=nothing", headers=HTMX).status_code == 404
    # The drafter may not 交办: the form is not hers to load.
    login(client, office.clerk)
    assert client.get(url + "?form=countersign", headers=HTMX).status_code == 404
    # Nor may someone who cannot see the case load any of its forms.
    login(client, office.outsider)
    assert client.get(url + "?form=countersign", headers=HTMX).status_code == 404


def test_assignment_forms_load_when_opened(client, office):
    case = to_handling(office)
    lead = case.assignments.get(unit=office.nongjing)
    login(client, office.farmer)
    url = reverse("cases:detail", args=[case.pk])
    html = client.get(url).content.decode()
    code = f"a{lead.pk}-report"
    target = reverse("cases:assignment", args=[case.pk, lead.pk, "report"])
    assert f'hx-get="{url}?form={code}#{code}"' in html
    assert target not in html
    body = client.get(url + f"?form={code}", headers=HTMX).content.decode()
    assert f'action="{target}"' in body and f'name="a{lead.pk}report-report"' in body
    # Another unit's assignment offers the farmer no report form.
    co = case.assignments.get(unit=office.wenjiao)
    assert client.get(url + f"?form=a{co.pk}-report", headers=HTMX).status_code == 404
