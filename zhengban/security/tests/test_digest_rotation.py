"""Rotation of the digest key behind exact-match search of personal data: every keyed SM3
digest is recomputed under a new key in batches, resumably, with both keys accepted for
lookups meanwhile; audited; afterwards the old key finds nothing."""

import base64
import json
import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from zhengban.audit.models import AuditRecord
from zhengban.org.models import Person
from zhengban.security import crypto
from zhengban.security.fields import lookup_digest
from zhengban.security.keys import rotate_digest_key

pytestmark = pytest.mark.django_db

CONTEXT = "org.person.id_number"


def raw_digest(person, column="id_number_digest"):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM org_person WHERE id = %s", [person.pk])
        return cursor.fetchone()[0]


def people(count):
    return [
        Person.objects.create(
            name=f"人员{index}",
            staff_number=f"R{index:03d}",
            phone=f"1381234{index:04d}",
            id_number=f"1101011990010{index:04d}X"[:18],
        )
        for index in range(count)
    ]


def found(field, value):
    return list(Person.objects.filter(**{f"{field}_digest": lookup_digest(Person, field, value)}))


def old_key(key_file):
    return base64.b64decode(json.loads(key_file.read_text())["digest_key"])


def test_search_finds_every_person_after_rotation_and_the_old_key_finds_nobody(key_file):
    everyone = people(5)
    before = {p.pk: raw_digest(p) for p in everyone}
    retired = old_key(key_file)

    result = rotate_digest_key(batch=2)

    assert result.started and result.finished
    assert result.recomputed["org.person.id_number_digest"] == 5
    assert result.recomputed["org.person.phone_digest"] == 5
    for person in everyone:
        assert raw_digest(person) != before[person.pk]
        assert found("id_number", person.id_number) == [person]
        assert found("phone", person.phone) == [person]
        # A digest made with the retired key matches no row any more.
        stale = crypto.digest(person.id_number, context=CONTEXT, key=retired)
        assert stale == before[person.pk]
        assert not Person.objects.filter(id_number_digest=stale).exists()
    data = json.loads(key_file.read_text())
    assert "previous_digest_key" not in data
    assert base64.b64decode(data["digest_key"]) != retired
    assert crypto.keyring().digest_keys == (base64.b64decode(data["digest_key"]),)


def test_an_interrupted_rotation_accepts_both_keys_and_resumes(key_file):
    everyone = people(6)
    first = rotate_digest_key(batch=2, stop_after=1)  # interrupted after one batch

    assert first.started and not first.finished
    ring = crypto.keyring()
    assert ring.previous_digest_key is not None  # both keys in force
    # The first batch of the first digest column is recomputed, the rest is not yet.
    done = [
        (p, column)
        for p in everyone
        for column, source in (("phone_digest", "phone"), ("id_number_digest", "id_number"))
        if raw_digest(p, column)
        == crypto.digest(getattr(p, source), context=f"org.person.{source}")
    ]
    assert len(done) == 2
    # Recomputed or not, everybody is found; a new save digests under the new key.
    for person in everyone:
        assert found("id_number", person.id_number) == [person]
        assert found("phone", person.phone) == [person]
    newcomer = Person.objects.create(name="新人", staff_number="N1", id_number="110101200001011234")
    assert raw_digest(newcomer) == crypto.digest("110101200001011234", context=CONTEXT)

    second = rotate_digest_key(batch=2)  # run again: continues, no third key

    assert not second.started and second.finished
    assert crypto.keyring().digest_key == ring.digest_key
    assert crypto.keyring().previous_digest_key is None
    assert second.total < 2 * len(everyone)  # the first run's rows were skipped
    for person in [*everyone, newcomer]:
        assert found("id_number", person.id_number) == [person]
    # Once finished, a digest under the old key finds nobody.
    stale = crypto.digest(everyone[-1].id_number, context=CONTEXT, key=ring.previous_digest_key)
    assert not Person.objects.filter(id_number_digest=stale).exists()


def test_rotation_is_audited_at_start_and_end(key_file):
    people(2)
    rotate_digest_key(batch=1, stop_after=1)
    rotate_digest_key(batch=1)
    actions = list(
        AuditRecord.objects.filter(action__startswith="security.rotate_digest_key").values_list(
            "action", flat=True
        )
    )
    assert actions == ["security.rotate_digest_key_start", "security.rotate_digest_key"]
    end = AuditRecord.objects.get(action="security.rotate_digest_key")
    assert end.changes["resumed"] is True
    assert "检索摘要已全部改用新密钥" in end.summary


def test_empty_values_keep_an_empty_digest(key_file):
    person = Person.objects.create(name="无号", staff_number="E1")
    rotate_digest_key()
    assert raw_digest(person) == ""


def test_a_row_changed_during_the_rotation_keeps_its_own_new_digest(key_file, monkeypatch):
    (person,) = people(1)
    rotate_digest_key(batch=1, stop_after=0)  # begin only
    person.id_number = "110101198001011111"
    person.save()
    rotate_digest_key()
    assert found("id_number", "110101198001011111") == [person]


def test_the_command_rotates_and_key_status_reports_an_unfinished_rotation(key_file, capsys):
    (person,) = people(1)
    rotate_digest_key(batch=1, stop_after=0)
    call_command("security", "key-status")
    assert "轮换未完成" in capsys.readouterr().out

    call_command("security", "rotate-digest-key", "--batch-size", "10")
    out = capsys.readouterr().out
    assert "继续未完成的轮换" in out and "旧摘要密钥已删除" in out
    call_command("security", "key-status")
    assert "检索摘要密钥：正常" in capsys.readouterr().out
    assert found("id_number", person.id_number) == [person]


def test_from_the_environment_the_operator_supplies_both_keys(key_file, monkeypatch):
    (person,) = people(1)
    ring = crypto.keyring()
    old = base64.b64encode(ring.digest_key).decode()
    key = base64.b64encode(ring.keys[ring.current]).decode()
    monkeypatch.setenv("ZHENGBAN_PERSONAL_DATA_KEYS", f"{ring.current}:{key}")
    monkeypatch.setenv(
        "ZHENGBAN_PERSONAL_DATA_DIGEST_KEY", base64.b64encode(os.urandom(32)).decode()
    )
    with pytest.raises(ImproperlyConfigured):
        rotate_digest_key()  # the previous key must be named
    monkeypatch.setenv("ZHENGBAN_PERSONAL_DATA_PREVIOUS_DIGEST_KEY", old)
    assert found("id_number", person.id_number) == [person]  # by the previous key
    assert rotate_digest_key().finished
    monkeypatch.delenv("ZHENGBAN_PERSONAL_DATA_PREVIOUS_DIGEST_KEY")
    assert found("id_number", person.id_number) == [person]  # by the new key alone


def test_hr_search_through_the_api_finds_the_person_during_and_after_rotation(world, key_file):
    from rest_framework.test import APIClient

    person = Person.objects.create(name="王芳", staff_number="W1", id_number="11010119900101123X")
    api = APIClient()
    api.force_login(world.users["hr"])

    def search():
        response = api.get("/api/org/people/", {"id_number": "110101 19900101 123x"})
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    rotate_digest_key(batch=1, stop_after=0)  # begun: the row is still under the old key
    assert search() == [person.pk]
    rotate_digest_key()
    assert search() == [person.pk]
