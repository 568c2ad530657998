"""Two appenders at once never fork the chain: one waits for the other's head."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models.query import QuerySet

from fazhan.audit.chain import append_event, event_hash, verify_chain
from fazhan.audit.models import ChainHead, Event
from tests.audit.helpers import build_chain

APPENDS_PER_THREAD = 15


@pytest.mark.django_db
def test_it_refuses_a_second_event_with_the_same_seq() -> None:
    events = build_chain(2)
    fields: dict[str, Any] = {
        "seq": 2,
        "prev_hash": events[0].hash,
        "candidate_id": 1,
        "kind": "S02",
        "happened_on": None,
        "recorded_at": events[1].recorded_at,
        "recorded_by_id": None,
        "payload": {"fork": True},
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(**fields, hash=event_hash(**fields))
    assert verify_chain().ok


def hammer(using: str) -> list[BaseException]:
    """Two threads, each appending in its own transactions at the same time; their errors."""
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def appender(worker: int) -> None:
        try:
            start.wait()
            for index in range(APPENDS_PER_THREAD):
                with transaction.atomic(using=using):
                    append_event(
                        kind="S01",
                        candidate_id=worker,
                        happened_on=None,
                        payload={"i": index},
                        using=using,
                    )
        except BaseException as error:
            errors.append(error)
        finally:
            connections[using].close()

    threads = [threading.Thread(target=appender, args=(worker,)) for worker in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def assert_one_chain(using: str) -> None:
    result = verify_chain(using)
    assert (result.ok, result.events) == (True, 2 * APPENDS_PER_THREAD)
    workers = Event.objects.using(using).values_list("candidate_id", flat=True)
    assert sorted(worker or 0 for worker in workers) == sorted([1, 2] * APPENDS_PER_THREAD)


@pytest.mark.django_db(transaction=True)
def test_it_serialises_concurrent_appends() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        # The in-memory test database is one shared-cache database, whose table locks fail at
        # once (SQLITE_LOCKED) instead of waiting: the file database below stands in for it.
        pytest.skip("in-memory SQLite: see test_it_serialises_concurrent_appends_on_sqlite_file")
    assert hammer(DEFAULT_DB_ALIAS) == []
    assert_one_chain(DEFAULT_DB_ALIAS)


def test_it_serialises_concurrent_appends_on_sqlite_file(sqlite_file_alias: str) -> None:
    assert hammer(sqlite_file_alias) == []
    assert_one_chain(sqlite_file_alias)


@pytest.mark.django_db(transaction=True)
def test_a_first_append_committed_while_another_looks_for_the_head_is_no_damage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The window CI once hit: the second appender finds no head, the first commits the head and
    # seq 1, and only then does the second go on. Seeing events then must not read as a deleted
    # head. On SQLite an IMMEDIATE transaction holds the write lock throughout: no such window.
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises whole transactions")
    looker = threading.current_thread()
    first = QuerySet.first

    def append_one(worker: int) -> None:
        try:
            with transaction.atomic():
                append_event(kind="S01", candidate_id=worker, happened_on=None, payload={})
        finally:
            connection.close()

    def first_then_the_other_commits(queryset: QuerySet[Any]) -> Any:
        found = first(queryset)
        if queryset.model is ChainHead and found is None and threading.current_thread() is looker:
            other = threading.Thread(target=append_one, args=(1,))
            other.start()
            other.join()
        return found

    monkeypatch.setattr(QuerySet, "first", first_then_the_other_commits)
    with transaction.atomic():
        second = append_event(kind="S01", candidate_id=2, happened_on=None, payload={})
    assert second.seq == 2
    result = verify_chain()
    assert (result.ok, result.events) == (True, 2)
