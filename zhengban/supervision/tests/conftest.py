"""A small office for the supervision tests: 督查室, two divisions, an external bureau with
its contact, the office leader who is the 分管领导."""

from dataclasses import dataclass

import pytest

from zhengban.accounts.choices import Clearance, Role
from zhengban.accounts.services import user_create
from zhengban.org.choices import OrganizationKind, UnitKind
from zhengban.org.models import Organization, Regulation, Unit


@dataclass
class Office:
    duchashi: object
    nongjing: object
    wenjiao: object
    bureau: object  # 市交通运输局, external
    clerk: object  # 督查室 staff
    head: object  # 督查室 head
    leader: object  # office leader, the 分管领导
    farmer: object  # 农经处 staff
    teacher: object  # 文教处 staff
    contact: object  # the bureau's 联络员
    outsider: object  # 保卫处 staff


def make_user(name, units=(), roles=(), head_of=(), clearance=Clearance.INTERNAL):
    return user_create(
        username=name,
        password="x",
        display_name=name,
        roles=tuple(roles),
        units=tuple(units),
        head_of=tuple(head_of),
        clearance=clearance,
        validate_password=False,
    )


@pytest.fixture(autouse=True)
def _no_statistics_cache(settings):
    # Figures are cached per scope and day in production; tests change data between requests.
    settings.SUPERVISION_STATS_CACHE_SECONDS = 0


@pytest.fixture
def office(db) -> Office:
    regulation = Regulation.objects.create(title="t", source_text="t", sha256="0", parsed={})
    org = Organization.objects.create(
        name="测试市人民政府办公厅", kind=OrganizationKind.MAIN, regulation=regulation
    )

    def unit(name, order, kind=UnitKind.INTERNAL, organization=org):
        return Unit.objects.create(organization=organization, name=name, kind=kind, order=order)

    duchashi = unit("市政府督查室", 1)
    nongjing = unit("农经处", 2)
    wenjiao = unit("文教处", 3)
    other = unit("保卫处", 4)
    bureau = unit("市交通运输局", 5, kind=UnitKind.EXTERNAL, organization=None)
    return Office(
        duchashi=duchashi,
        nongjing=nongjing,
        wenjiao=wenjiao,
        bureau=bureau,
        clerk=make_user("clerk", [duchashi], [Role.STAFF]),
        head=make_user("head", [duchashi], [Role.DIVISION_HEAD], head_of=[duchashi]),
        leader=make_user("leader", [], [Role.OFFICE_LEADER], clearance=Clearance.TOP_SECRET),
        farmer=make_user("farmer", [nongjing], [Role.STAFF]),
        teacher=make_user("teacher", [wenjiao], [Role.STAFF]),
        contact=make_user("contact", [bureau], [Role.UNIT_CONTACT]),
        outsider=make_user("outsider", [other], [Role.STAFF]),
    )
