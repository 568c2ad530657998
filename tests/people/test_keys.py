"""`fazhan keys rotate`: every encrypted field under the newest key, every blind index under the
new index key, in batches, resumable after an interruption (fazhan.people.keys)."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.test import override_settings

from fazhan.audit.chain import verify_chain
from fazhan.audit.models import Event
from fazhan.imports.models import ImportBatch, ImportRow
from fazhan.people import crypto, keys
from fazhan.people.idnumber import make_demo_id
from fazhan.people.models import KeyRotation, Person
from fazhan.testing.cast import build_cast
from fazhan.testing.factories import PersonFactory

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
OLD_INDEX, NEW_INDEX = "old-blind-index-key-" + "o" * 20, "new-blind-index-key-" + "n" * 20
BEFORE = {"FIELD_ENCRYPTION_KEYS": [OLD], "BLIND_INDEX_KEY": OLD_INDEX}
DURING = {
    "FIELD_ENCRYPTION_KEYS": [NEW, OLD],
    "BLIND_INDEX_KEY": NEW_INDEX,
    "BLIND_INDEX_KEY_OLD": OLD_INDEX,
}
AFTER = {"FIELD_ENCRYPTION_KEYS": [NEW], "BLIND_INDEX_KEY": NEW_INDEX, "BLIND_INDEX_KEY_OLD": ""}


def _numbers(count: int) -> list[tuple[date, str]]:
    return [
        (date(1990 + n, 1 + n % 12, 1 + n), make_demo_id(date(1990 + n, 1 + n % 12, 1 + n), "F", n))
        for n in range(count)
    ]


@pytest.fixture
def under_old_keys(db):
    cast = build_cast(with_candidates=False)  # no one encrypted under the default keys
    with override_settings(**BEFORE):
        people = [
            PersonFactory(birth_date=born, sex="F", id_number=number)
            for born, number in _numbers(7)
        ]
        people.append(PersonFactory(id_number=None))  # no number: its birth date still rotates
        batch = ImportBatch.objects.create(uploaded_by=cast.zhibu, org=cast.branch_a, kind="files")
        row = ImportRow.objects.create(
            batch=batch,
            number=1,
            data={
                "id": {"token": crypto.encrypt("999999199001010028"), "masked": "999999" + "*" * 12}
            },
        )
    return people, row


@pytest.mark.django_db
def test_it_rotates_every_field_and_index_and_resumes_after_an_interruption(under_old_keys):
    people, row = under_old_keys
    numbers = _numbers(7)
    with override_settings(**DURING):
        first = keys.rotate(batch=3, limit=2)  # interrupted after two batches of three
        assert first.rows == {"people.person": 6}
        assert KeyRotation.objects.get(table="people.person").last_pk == people[5].pk
        # Half way, every number is still found: rotated rows by the new index, the others by
        # the old one (BLIND_INDEX_KEY_OLD).
        for _, number in numbers:
            assert Person.objects.with_id_number(number).exists()
        out = StringIO()
        call_command("keys", "rotate", "--batch", "3", stdout=out)
        assert "继续" in out.getvalue()
        states = {s.table: s for s in KeyRotation.objects.all()}
        assert states["people.person"].rows == len(people)  # the first six were not redone
        assert states["imports.importrow"].rows == 1
        assert all(s.finished_at for s in states.values())
    with override_settings(**AFTER):
        # The old keys are gone from the environment: everything still opens and is found.
        for person, (born, number) in zip(people, numbers, strict=False):
            fresh = Person.objects.get(pk=person.pk)
            assert fresh.birth_date == born
            assert fresh.decrypt_id_number() == number
            assert Person.objects.with_id_number(number).get() == fresh
        assert Person.objects.get(pk=people[-1].pk).birth_date == people[-1].birth_date
        row.refresh_from_db()
        assert crypto.decrypt(row.data["id"]["token"]) == "999999199001010028"
        event = Event.objects.get(kind=keys.ROTATED_KIND)
        assert event.payload["rows"] == {"imports.importrow": 1, "people.person": len(people)}
        assert NEW not in str(event.payload) and NEW_INDEX not in str(event.payload)
        assert verify_chain().ok
        again = StringIO()
        call_command("keys", "rotate", stdout=again)
        assert "已经完成" in again.getvalue()
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]), pytest.raises(InvalidToken):
        Person.objects.get(pk=people[0].pk)  # the old key no longer opens anything


@pytest.mark.django_db
def test_it_starts_a_new_run_for_new_keys(under_old_keys):
    with override_settings(**DURING):
        keys.rotate()
    newer = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[newer, NEW], BLIND_INDEX_KEY=NEW_INDEX):
        outcome = keys.rotate()
        assert not outcome.already_done and not outcome.resumed
        assert outcome.rows["people.person"] == Person.objects.count()
    assert KeyRotation.objects.values("fingerprint").distinct().count() == 2
