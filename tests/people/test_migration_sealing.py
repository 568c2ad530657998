"""Migration people 0003 on rows written before it: the clear birth date becomes a token that reads
back as the same date, and the masked copies (people and import rows) keep the area code only."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fazhan.people.idnumber import make_demo_id

BEFORE = [("people", "0002_candidate_lates_candidate_le25_at_admission_and_more")]
AFTER = [("people", "0004_key_rotation"), ("imports", "0003_area_only_mask")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # The models as the database now is: the targets, every other app at its latest.
    moved = {app for app, _ in targets}
    others = [n for n in executor.loader.graph.leaf_nodes() if n[0] not in moved]
    return MigrationExecutor(connection).loader.project_state([*targets, *others]).apps


@pytest.mark.django_db(transaction=True)
def test_it_seals_the_birth_dates_and_shortens_the_masks_of_existing_rows():
    old = _migrate([*BEFORE, ("imports", "0001_initial")])
    born = date(1991, 2, 3)
    number = make_demo_id(born, "F", 42)
    Person = old.get_model("people", "Person")
    person = Person.objects.create(
        name="旧记录",
        sex="F",
        birth_date=born,
        birth_year=1991,
        id_number_masked=number[:6] + "********" + number[14:],
    )
    User = old.get_model("accounts", "User")
    Organization = old.get_model("orgs", "Organization")
    ImportBatch = old.get_model("imports", "ImportBatch")
    ImportRow = old.get_model("imports", "ImportRow")
    user = User.objects.create(username="m")
    org = Organization.objects.create(code="M1", name="区委", kind="district")
    batch = ImportBatch.objects.create(uploaded_by=user, org=org, kind="files")
    ImportRow.objects.create(
        batch=batch, number=1, data={"id": {"masked": number[:6] + "********" + number[14:]}}
    )
    try:
        new = _migrate(AFTER)
        with connection.cursor() as cursor:
            cursor.execute("SELECT birth_date FROM people_person WHERE id = %s", [person.pk])
            (stored,) = cursor.fetchone()
        assert "1991" not in stored
        fresh = new.get_model("people", "Person").objects.get(pk=person.pk)
        assert fresh.birth_date == born
        assert fresh.id_number_masked == "999999" + "*" * 12
        row = new.get_model("imports", "ImportRow").objects.get(batch_id=batch.pk)
        assert row.data["id"]["masked"] == "999999" + "*" * 12
    finally:
        _migrate(_latest())


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
