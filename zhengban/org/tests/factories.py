"""Test data for the org app, built through the services the application uses."""

import itertools
from datetime import date
from pathlib import Path

from zhengban.accounts.services import user_create
from zhengban.org.models import Organization, Person, Unit
from zhengban.org.services import appointment_create, regulation_load

SAMPLE_PATH = Path(__file__).resolve().parents[1] / "data" / "shenyang-general-office-2009.txt"
MAIN_NAME = "沈阳市人民政府办公厅"
_numbers = itertools.count(1)


def sample_text() -> str:
    return SAMPLE_PATH.read_text(encoding="utf-8")


def load_sample() -> Organization:
    return regulation_load(
        text=sample_text(), title="沈阳市政府办公厅三定规定", actor=None
    ).organization


def make_user(*roles, username=None, units=(), head_of=(), person=None, password=None):
    # No password by default: hashing costs ~0.5 s per user; tests log in with force_login.
    return user_create(
        username=username or f"user{next(_numbers)}",
        password=password,
        roles=tuple(roles),
        units=tuple(units),
        head_of=tuple(head_of),
        person=person,
        validate_password=False,
    )


def make_person(name="张伟", **fields) -> Person:
    number = next(_numbers)
    defaults = {"staff_number": f"T{number:05d}", "birth_year": 1980, "phone": "024-22720000"}
    defaults.update(fields)
    return Person.objects.create(name=name, **defaults)


def appoint(
    organization,
    unit=None,
    *,
    category="administrative",
    post=None,
    person=None,
    position="科员",
    start=date(2020, 1, 1),
):
    return appointment_create(
        person=person or make_person(),
        organization=organization,
        unit=unit,
        category=category,
        post=post,
        position=position,
        start=start,
        actor=None,
    )


def unit_named(name: str) -> Unit:
    return Unit.objects.get(name=name, active=True)
