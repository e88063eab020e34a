"""Assigning a case to another unit than the router suggested teaches the router."""

from pathlib import Path

import pytest

from zhengban.accounts.choices import Role
from zhengban.accounts.services import user_create
from zhengban.cases import services
from zhengban.org.models import Unit
from zhengban.org.services import regulation_load
from zhengban.routing import selectors as routing
from zhengban.routing.models import RoutingCorrection

SAMPLE = Path(__file__).resolve().parents[2] / "org" / "data" / "shenyang-general-office-2009.txt"
TITLE = "关于做好今冬明春农村饮水安全工作的通知"


@pytest.fixture
def sample(db):
    routing.invalidate()
    regulation_load(text=SAMPLE.read_text(encoding="utf-8"), title="沈阳", actor=None)
    units = {u.name: u for u in Unit.objects.all()}
    owner = units["市政府督查室"]
    staff = user_create(
        username="s", password="x", roles=(Role.STAFF,), units=(owner,), validate_password=False
    )
    head = user_create(
        username="h",
        password="x",
        roles=(Role.DIVISION_HEAD,),
        units=(owner,),
        head_of=(owner,),
        validate_password=False,
    )
    yield units, owner, staff, head
    routing.invalidate()


def assign_to(sample, unit_name):
    units, owner, staff, head = sample
    case = services.case_create(
        case_type="assigned_task", title=TITLE, body="请抓好落实。", owner_unit=owner, actor=staff
    )
    case = services.case_perform(case=case, action_code="submit", actor=staff, version=case.version)
    return services.case_perform(
        case=case,
        action_code="assign",
        actor=head,
        version=case.version,
        params={"lead_unit": units[unit_name]},
    )


def test_assigning_the_suggested_unit_records_no_correction(sample):
    assert routing.route_text(TITLE, top=1)[0].name == "农经处"
    assign_to(sample, "农经处")
    assert not RoutingCorrection.objects.exists()


def test_assigning_another_unit_is_kept_as_a_correction(sample):
    case = assign_to(sample, "城建处")
    correction = RoutingCorrection.objects.get()
    assert correction.chosen_key == routing.unit_key(sample[0]["城建处"].pk)
    assert case.events.get(action="assign").data["routing_suggested"] == "农经处"
