"""Personal data at rest: SM4 encryption with the key outside the database, rotation, keyed
SM3 digests for exact-match search, masking, need-to-know and audited full views."""

import base64
import hashlib
import importlib
import json
import os
import stat

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from zhengban.audit.models import AuditRecord
from zhengban.org.models import Person
from zhengban.security import crypto
from zhengban.security.fields import lookup_digest
from zhengban.security.masking import mask_address, mask_id_number, mask_phone

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010119900101123X"
MOBILE = "13812341234"
ADDRESS = "沈阳市和平区南京北街1号"


def raw(person, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM org_person WHERE id = %s", [person.pk])
        return cursor.fetchone()[0]


def make(name="李明", **fields):
    defaults = {"staff_number": f"P{Person.objects.count() + 100}", "phone": MOBILE}
    defaults.update(fields)
    return Person.objects.create(name=name, **defaults)


# --- at rest -------------------------------------------------------------------------------------


def test_values_are_sm4_encrypted_in_the_database_and_plain_in_python(key_file):
    person = make(id_number=ID_NUMBER, home_address=ADDRESS)
    ring = crypto.keyring()
    for column, plain in (("phone", MOBILE), ("id_number", ID_NUMBER), ("home_address", ADDRESS)):
        stored = raw(person, column)
        assert stored.startswith(f"sm4gcm:{ring.current}:"), stored
        assert plain not in stored and plain.encode().hex() not in stored
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.phone, fresh.id_number, fresh.home_address) == (MOBILE, ID_NUMBER, ADDRESS)
    # Two encryptions of one value differ (random nonce): equal values are not visible.
    other = make(id_number=ID_NUMBER)
    assert raw(other, "id_number") != raw(person, "id_number")


def test_the_key_lives_in_a_private_file_outside_the_database(key_file):
    make(id_number=ID_NUMBER)
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    data = json.loads(key_file.read_text())
    key = data["keys"][data["current"]]
    assert len(base64.b64decode(key)) == 16  # SM4: a 128-bit key
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        for table in tables:
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            text_columns = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {text_columns} FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                assert key not in " ".join(str(v) for v in row), table


def test_keys_from_the_environment_take_precedence(monkeypatch, key_file):
    key = base64.b64encode(os.urandom(16)).decode()
    monkeypatch.setenv("ZHENGBAN_PERSONAL_DATA_KEYS", f"envkey1:{key}")
    monkeypatch.setenv("ZHENGBAN_PERSONAL_DATA_DIGEST_KEY", base64.b64encode(b"d" * 32).decode())
    person = make(id_number=ID_NUMBER)
    assert raw(person, "id_number").startswith("sm4gcm:envkey1:")
    assert not key_file.exists()


def test_a_ciphertext_moved_to_another_column_or_tampered_does_not_decrypt():
    person = make(id_number=ID_NUMBER, home_address=ADDRESS)
    stolen = raw(person, "id_number")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE org_person SET home_address = %s WHERE id = %s", [stolen, person.pk])
    with pytest.raises(crypto.DecryptionFailed):
        Person.objects.get(pk=person.pk)
    prefix, key_id, payload = stolen.split(":", 2)
    flipped = base64.b64decode(payload)
    flipped = flipped[:-1] + bytes([flipped[-1] ^ 1])
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(
            f"{prefix}:{key_id}:{base64.b64encode(flipped).decode()}",
            context="org.person.id_number",
        )


def test_encrypted_columns_refuse_lookups():
    with pytest.raises(FieldError):
        list(Person.objects.filter(id_number=ID_NUMBER))
    with pytest.raises(FieldError):
        list(Person.objects.filter(phone__contains="138"))


# --- exact-match search --------------------------------------------------------------------------


def test_exact_match_search_through_the_keyed_sm3_digest():
    person = make(id_number=ID_NUMBER)
    make(name="别人", id_number="110101199001019999")
    for query in (
        ID_NUMBER,
        ID_NUMBER.lower(),
        "110101 19900101 123x",
        "１１０１０１１９９００１０１１２３Ｘ",
    ):
        found = Person.objects.filter(id_number_digest=lookup_digest(Person, "id_number", query))
        assert list(found) == [person], query
    stored = raw(person, "id_number_digest")
    assert len(stored) == 64
    # Keyed: not the bare SM3 of the value, which anyone could compute from a guess.
    assert stored != hashlib.new("sm3", ID_NUMBER.encode()).hexdigest()
    # Bound to its column: the same text as a phone number digests differently.
    assert lookup_digest(Person, "phone", ID_NUMBER) != stored


def test_the_digest_follows_the_value_on_save():
    person = make(phone="13800000000")
    person.phone = MOBILE
    person.save()
    found = Person.objects.filter(phone_digest=lookup_digest(Person, "phone", MOBILE))
    assert list(found) == [person]
    person.phone = ""
    person.save()
    assert raw(person, "phone_digest") == "" and raw(person, "phone") == ""


# --- rotation ------------------------------------------------------------------------------------


def test_rotate_key_reencrypts_every_value_and_keeps_them_readable(key_file, capsys):
    people = [make(name=f"人{i}", id_number=f"1101011990010100{i:02d}") for i in range(5)]
    old = crypto.keyring().current
    call_command("security", "rotate-key")
    new = crypto.keyring().current
    assert new != old
    out = capsys.readouterr().out
    assert "org.person.id_number：重新加密 5 项" in out
    for person in people:
        assert raw(person, "id_number").startswith(f"sm4gcm:{new}:")
        assert raw(person, "phone").startswith(f"sm4gcm:{new}:")
    assert [p.id_number for p in Person.objects.order_by("pk")] == [p.id_number for p in people]
    # The old key is kept until retired, then removed once no value uses it.
    assert old in json.loads(key_file.read_text())["keys"]
    call_command("security", "rotate-key", "--retire")
    assert old not in json.loads(key_file.read_text())["keys"]
    assert Person.objects.get(pk=people[0].pk).id_number == people[0].id_number
    record = AuditRecord.objects.filter(action="security.rotate_key").last()
    assert record is not None and record.changes["reencrypted"]["org.person.id_number"] == 5
    # Digests survive a rotation: search still finds.
    digest = lookup_digest(Person, "id_number", people[3].id_number)
    assert Person.objects.get(id_number_digest=digest) == people[3]


def test_init_keys_and_status(key_file, capsys):
    call_command("security", "init-keys")
    assert key_file.exists()
    make(id_number=ID_NUMBER)
    call_command("security", "key-status")
    assert "使用中" in capsys.readouterr().out


def test_the_migration_encrypts_phone_numbers_stored_in_clear():
    person = make()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE org_person SET phone = %s, phone_digest = '' WHERE id = %s",
            ["024-22720001", person.pk],
        )
    migration = importlib.import_module(
        "zhengban.org.migrations.0003_person_personal_data_encrypted"
    )

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.encrypt_phones(None, editor)
    assert raw(person, "phone").startswith("sm4gcm:")
    assert Person.objects.get(pk=person.pk).phone == "024-22720001"
    assert Person.objects.get(phone_digest=lookup_digest(Person, "phone", "02422720001")) == person
    migration.decrypt_phones(None, editor)
    assert raw(person, "phone") == "024-22720001"


# --- masking -------------------------------------------------------------------------------------


def test_masking():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("024-22720001") == "024-****0001"
    assert mask_id_number("110101199001011234") == "110***********1234"
    assert mask_address(ADDRESS) == "沈阳市和平区****"
    assert mask_phone("") == mask_id_number("") == mask_address("") == ""


# --- need-to-know --------------------------------------------------------------------------------


@pytest.fixture
def subject(world):
    person = world.person
    person.phone, person.id_number, person.home_address = MOBILE, ID_NUMBER, ADDRESS
    person.save()
    return person


def full_views(person):
    return AuditRecord.objects.filter(
        action="audit.read", object_type="org.person", object_id=str(person.pk)
    )


def page(client, user, person):
    client.force_login(user)
    return client.get(f"/org/people/{person.pk}/").content.decode()


def test_the_person_and_hr_see_everything_in_full_and_it_is_audited(client, world, subject):
    for who in ("clerk", "hr"):  # the clerk is this person
        before = full_views(subject).count()
        html = page(client, world.users[who], subject)
        assert ID_NUMBER in html and MOBILE in html and ADDRESS in html, who
        assert full_views(subject).count() == before + 1
        record = full_views(subject).last()
        assert record.actor_id == world.users[who].pk
        assert "身份证号码" in record.summary


def test_a_leader_sees_the_phone_in_full_and_the_rest_masked(client, world, subject):
    html = page(client, world.users["office_leader"], subject)
    assert MOBILE in html
    assert ID_NUMBER not in html and "110***********123X" in html
    assert ADDRESS not in html and "沈阳市和平区****" in html
    record = full_views(subject).last()
    assert "联系电话" in record.summary and "身份证号码" not in record.summary


@pytest.mark.parametrize(
    "who", ["staff", "other_unit", "security_admin", "system_admin", "external"]
)
def test_others_see_no_personal_data(client, world, subject, who):
    html = page(client, world.users[who], subject)
    for secret in (MOBILE, ID_NUMBER, ADDRESS, "138****1234", "110***"):
        assert secret not in html, (who, secret)
    assert not full_views(subject).exists()


def test_the_api_list_is_masked_and_the_detail_is_per_need_to_know(world, subject):
    api = APIClient()
    api.force_login(world.users["hr"])
    rows = api.get("/api/org/people/", {"limit": 50}).json()["results"]
    row = next(r for r in rows if r["id"] == subject.pk)
    assert row["phone"] == "138****1234" and row["id_number"] == "110***********123X"
    assert set(row["masked"]) == {"phone", "id_number", "home_address"}
    assert not full_views(subject).exists()  # masked values are not a full view
    detail = api.get(f"/api/org/people/{subject.pk}/").json()
    assert detail["id_number"] == ID_NUMBER and detail["masked"] == []
    assert full_views(subject).count() == 1
    api.force_login(world.users["staff"])
    detail = api.get(f"/api/org/people/{subject.pk}/").json()
    assert detail["phone"] is None and detail["id_number"] is None


def test_search_by_id_number_is_for_hr_only(world, subject):
    api = APIClient()
    api.force_login(world.users["hr"])
    found = api.get("/api/org/people/", {"id_number": "110101 19900101 123x"}).json()
    assert [r["id"] for r in found["results"]] == [subject.pk]
    assert api.get("/api/org/people/", {"phone": "13800000000"}).json()["results"] == []
    api.force_login(world.users["office_leader"])
    response = api.get("/api/org/people/", {"id_number": ID_NUMBER})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
