"""The append-only triggers fire on the current database unless the test-only bypass is set."""

from __future__ import annotations

from typing import Any

import django.test.utils
import pytest
from django.db import IntegrityError, connection, transaction

from fazhan.audit.bypass import chain_bypass
from fazhan.audit.models import ChainHead, Event
from tests.audit.helpers import build_chain, raw

pytestmark = pytest.mark.django_db

EVENT_TRIGGERS = {
    "sqlite": {"audit_event_no_update", "audit_event_no_delete"},
    "postgresql": {"audit_event_no_update_delete", "audit_event_no_truncate"},
}
HEAD_TRIGGERS = {
    "sqlite": {"audit_chainhead_no_delete", "audit_chainhead_forward_only"},
    "postgresql": {"audit_chainhead_guard_row", "audit_chainhead_no_truncate"},
}


def refused(sql: str, params: list[Any] | None = None, match: str | None = None) -> None:
    # The savepoint keeps the test's transaction usable on PostgreSQL after the error.
    with (
        pytest.raises(IntegrityError, match=match),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params or [])


def installed_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}


def test_it_has_the_triggers_after_migrate() -> None:
    # A later migration that rebuilds the table on SQLite would drop them silently.
    vendor = connection.vendor
    assert EVENT_TRIGGERS[vendor] | HEAD_TRIGGERS[vendor] <= installed_triggers()


def test_it_refuses_update_of_an_event() -> None:
    build_chain(3)
    refused("UPDATE audit_event SET kind = 'S99' WHERE seq = 2", match="UPDATE refused")
    refused("UPDATE audit_event SET kind = kind", match="不能修改")
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(seq=1).update(candidate_id=5)
    assert list(Event.objects.values_list("kind", flat=True)) == ["S01", "S02", "N-TGT"]


def test_it_refuses_delete_of_an_event() -> None:
    build_chain(3)
    refused("DELETE FROM audit_event WHERE seq = 3", match="DELETE refused")
    refused("DELETE FROM audit_event", match="不能删除")
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.all().delete()
    assert Event.objects.count() == 3


def test_it_lets_the_appender_move_the_head_forward_only() -> None:
    events = build_chain(3)
    refused("DELETE FROM audit_chainhead", match="cannot be deleted")
    refused("UPDATE audit_chainhead SET seq = 2", match="only move forward")
    refused("UPDATE audit_chainhead SET hash = %s", ["a" * 64], match="只能前移")
    refused("UPDATE audit_chainhead SET id = 2")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_chainhead SET seq = 4, hash = %s", ["c" * 64])
        cursor.execute("UPDATE audit_chainhead SET seq = 4")
    assert ChainHead.objects.get().seq == 4
    assert events


def test_it_refuses_truncate_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; Django's flush there is DELETE, refused above")
    with connection.cursor() as cursor:
        # Empty: nothing is destroyed, so it is let through (other packages' flushes need it).
        cursor.execute("TRUNCATE audit_event, audit_chainhead")
    build_chain(2)
    refused("TRUNCATE audit_event", match="TRUNCATE")
    refused("TRUNCATE audit_chainhead", match="cannot be deleted")
    assert Event.objects.count() == 2


def test_it_allows_everything_under_the_bypass_and_rearms_after() -> None:
    build_chain(3)
    raw("UPDATE audit_event SET kind = 'S99' WHERE seq = 2")
    raw("DELETE FROM audit_event WHERE seq = 3")
    raw("DELETE FROM audit_chainhead")
    assert list(Event.objects.values_list("kind", flat=True)) == ["S01", "S99"]
    refused("DELETE FROM audit_event", match="DELETE refused")


def test_it_rearms_after_an_error_inside_the_bypass() -> None:
    build_chain(1)
    with pytest.raises(ZeroDivisionError), chain_bypass(connection):
        _ = 1 / 0
    refused("DELETE FROM audit_event")


def test_it_refuses_the_bypass_outside_the_test_environment(monkeypatch) -> None:
    monkeypatch.delattr(django.test.utils._TestState, "saved_data")
    with pytest.raises(RuntimeError, match="测试专用"), chain_bypass(connection):
        pass


@pytest.mark.django_db(transaction=True)
def test_it_lets_the_flush_after_a_transactional_test_through() -> None:
    # The events committed here are removed by pytest-django's flush, under the bypass.
    build_chain(3)
    assert Event.objects.count() == 3
    with pytest.raises(IntegrityError):
        Event.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_it_starts_the_next_transactional_test_empty() -> None:
    assert not Event.objects.exists()
    assert not ChainHead.objects.exists()
