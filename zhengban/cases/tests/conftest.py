"""Fixtures for kernel tests: a small office (three divisions and one external unit) and
people in every relation a case can have."""

from dataclasses import dataclass

import pytest

from zhengban.accounts.choices import Clearance, Role
from zhengban.accounts.services import user_create
from zhengban.org.choices import OrganizationKind, UnitKind
from zhengban.org.models import Organization, Regulation, Unit


@dataclass
class Office:
    duchashi: Unit  # owner of most test cases
    nongjing: Unit  # lead unit
    wenjiao: Unit  # co-unit
    education: Unit  # external handling unit
    clerk: object  # 督查室 staff, creates cases
    head: object  # 督查室 head
    leader: object  # office leader
    farmer: object  # 农经处 staff (lead unit)
    teacher: object  # 文教处 staff (co-unit)
    outsider: object  # another division, no relation
    low: object  # 督查室 staff cleared only for 公开
    sysadmin: object
    deputy: object  # leader 2, for countersign
    deputy2: object  # leader 3


def _user(name, units=(), roles=(), head_of=(), clearance=Clearance.INTERNAL):
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
    education = unit("市教育局", 5, kind=UnitKind.EXTERNAL, organization=None)
    return Office(
        duchashi=duchashi,
        nongjing=nongjing,
        wenjiao=wenjiao,
        education=education,
        clerk=_user("clerk", [duchashi], [Role.STAFF]),
        head=_user("head", [duchashi], [Role.DIVISION_HEAD], head_of=[duchashi]),
        leader=_user("leader", [], [Role.OFFICE_LEADER], clearance=Clearance.TOP_SECRET),
        farmer=_user("farmer", [nongjing], [Role.STAFF]),
        teacher=_user("teacher", [wenjiao], [Role.STAFF]),
        outsider=_user("outsider", [other], [Role.STAFF]),
        low=_user("low", [duchashi], [Role.STAFF], clearance=Clearance.PUBLIC),
        sysadmin=_user("sysadmin", [duchashi], [Role.SYSTEM_ADMIN]),
        deputy=_user("deputy", [], [Role.OFFICE_LEADER]),
        deputy2=_user("deputy2", [], [Role.OFFICE_LEADER]),
    )
