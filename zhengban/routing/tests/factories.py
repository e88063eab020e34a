"""Test data for the router, built through the services the application uses."""

import itertools
from functools import lru_cache
from pathlib import Path

from zhengban.accounts.services import user_create
from zhengban.org.models import Duty, Organization, Unit
from zhengban.org.services import regulation_load
from zhengban.routing.engine import RoutingIndex
from zhengban.routing.evaluation import load_fixture
from zhengban.routing.regulation import targets_from_structure

SEED = Path(__file__).resolve().parents[2] / "org" / "data" / "shenyang-general-office-2009.txt"
_numbers = itertools.count(1)


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def load_office() -> Organization:
    return regulation_load(
        text=seed_text(), title="沈阳市政府办公厅三定规定", actor=None
    ).organization


@lru_cache(maxsize=1)
def seed_index() -> RoutingIndex:
    """The router over the seed's units, from the JSON fixture (no database)."""
    targets, shared = targets_from_structure(load_fixture())
    return RoutingIndex.build(targets, shared=shared)


@lru_cache(maxsize=1)
def seed_index_with_departments() -> RoutingIndex:
    """The same, with the catalogue's city departments as external handling units."""
    targets, shared = targets_from_structure(load_fixture())
    return RoutingIndex.build(targets, shared=shared, department_targets=True)


def make_user(*roles, username=None, units=()):
    # No password: hashing is slow and the tests log in with force_login.
    return user_create(
        username=username or f"user{next(_numbers)}",
        password=None,
        roles=tuple(roles),
        units=tuple(units),
        validate_password=False,
    )


def unit_named(name: str) -> Unit:
    return Unit.objects.get(name=name, active=True)


def make_external_unit(name: str, duties: list[str]) -> Unit:
    # External handling units come from the directory import (a file) in the application;
    # here one row with its duty sentences is enough.
    unit = Unit.objects.create(name=name, kind="external", external_kind="department")
    Duty.objects.bulk_create(
        [Duty(unit=unit, kind="unit", text=text, order=i) for i, text in enumerate(duties)]
    )
    return unit
