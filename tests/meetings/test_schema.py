"""Unlinkability by schema (DESIGN principle 7; background §A.6 A3): no column, key or index of a
cast ballot or a ballot code links it to a member, a user, a session, the roll call, a written
opinion or a time; a ballot's key is random. Checked on the models and in the database catalog."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, models

from fazhan.meetings.models import AgendaItem, BallotCode, CastBallot

pytestmark = pytest.mark.django_db

# Tables whose rows say who a person is or when they did something.
PERSON_TABLES = {
    "accounts_user",
    "auth_user",
    "django_session",
    "orgs_member",
    "people_person",
    "people_candidate",
    "meetings_attendance",
    "meetings_electorateentry",
    "meetings_writtenopinion",
    "meetings_tellercount",
    "meetings_exclusion",
    "audit_event",
}
ALLOWED_COLUMNS = {
    CastBallot: {"id", "item_id", "choice"},
    BallotCode: {"id", "item_id", "code_hash", "used"},
}
TIME_FIELDS = (models.DateTimeField, models.DateField, models.TimeField, models.DurationField)


@pytest.mark.parametrize("model", [CastBallot, BallotCode])
def test_it_gives_ballots_and_codes_no_link_to_a_person_or_a_time(model):
    fields = model._meta.get_fields(include_hidden=True)
    concrete = {f.column for f in fields if getattr(f, "concrete", False)}
    assert concrete == ALLOWED_COLUMNS[model]
    for field in fields:
        assert not isinstance(field, TIME_FIELDS), field
        if field.is_relation:
            # The only relation: the motion (a candidate's agenda item), never a voter.
            assert field.related_model is AgendaItem and field.name == "item", field
            assert not field.auto_created or field.one_to_many, field
    assert not model._meta.unique_together
    for index in [*model._meta.indexes, *model._meta.constraints]:
        assert set(getattr(index, "fields", ())) <= {"item", "code_hash", "id"}, index


def test_it_keys_a_ballot_by_a_random_uuid():
    pk = CastBallot._meta.pk
    assert isinstance(pk, models.UUIDField) and pk.default is uuid.uuid4
    # No ballot is pointed at by anything either (no reverse relation into the ballot table).
    assert not [f for f in CastBallot._meta.get_fields() if f.auto_created and not f.concrete]


@pytest.mark.parametrize("model", [CastBallot, BallotCode])
def test_it_finds_no_such_link_in_the_database_catalog(model):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
        constraints = connection.introspection.get_constraints(cursor, table)
        relations = connection.introspection.get_relations(cursor, table)
    assert columns == ALLOWED_COLUMNS[model]
    assert {target for _, target in relations.values()} <= {"meetings_agendaitem"}, relations
    for name, info in constraints.items():
        foreign = info.get("foreign_key")
        if foreign:
            assert foreign[0] == "meetings_agendaitem", (name, info)
        assert set(info["columns"] or ()) <= ALLOWED_COLUMNS[model], (name, info)
    # And nothing in the database points into the ballot tables from a person's side.
    for other in connection.introspection.table_names():
        if other not in PERSON_TABLES:
            continue
        with connection.cursor() as cursor:
            targets = connection.introspection.get_relations(cursor, other).values()
        assert table not in {target for _, target in targets}, other
