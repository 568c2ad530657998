"""Each tamper is done the way a DBA would: raw SQL with the triggers bypassed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction

from fazhan.audit.chain import GENESIS_HASH, append_event, event_hash, head_code, verify_chain
from fazhan.audit.models import Event
from tests.audit.helpers import build_chain, raw, swap

pytestmark = pytest.mark.django_db

CHANGED = "内容与哈希不符（记录被修改）"
RELINKED = "链接断裂：prev_hash 与上一事件不符（记录被删除或调换）"


def problem() -> tuple[int | None, str | None]:
    result = verify_chain()
    assert not result.ok
    return result.seq, result.problem


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("kind", "S99"),
        ("candidate_id", 999),
        ("candidate_id", None),
        ("recorded_by_id", 8),
        ("happened_on", "2019-01-01"),
        ("prev_hash", "f" * 64),
        ("hash", "e" * 64),
    ],
)
def test_it_names_an_edited_event(column: str, value: object) -> None:
    build_chain(8)
    raw(f"UPDATE audit_event SET {column} = %s WHERE seq = 6", [value])
    expected = RELINKED if column == "prev_hash" else CHANGED
    assert problem() == (6, expected)


def test_it_names_an_event_whose_payload_was_edited() -> None:
    build_chain(8)
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    raw(f"UPDATE audit_event SET payload = {cast} WHERE seq = 4", ['{"n": 4}'])
    assert problem() == (4, CHANGED)


def test_it_names_an_event_whose_recording_time_moved_by_a_microsecond() -> None:
    events = build_chain(8)
    moved = Event.objects.filter(seq=3).values_list("recorded_at", flat=True).get()
    assert moved == events[2].recorded_at
    with transaction.atomic():
        from fazhan.audit.bypass import chain_bypass

        with chain_bypass(connection):
            Event.objects.filter(seq=3).update(recorded_at=moved + timedelta(microseconds=1))
    assert problem() == (3, CHANGED)


def test_it_names_a_deleted_event_in_the_middle() -> None:
    build_chain(8)
    raw("DELETE FROM audit_event WHERE seq = 4")
    assert problem() == (4, "序号不连续：缺少 4（记录被删除）")


def test_it_names_several_deleted_events() -> None:
    build_chain(8)
    raw("DELETE FROM audit_event WHERE seq IN (4, 5, 6)")
    assert problem() == (4, "序号不连续：缺少 4–6（记录被删除）")


def test_it_names_a_deleted_first_event() -> None:
    build_chain(3)
    raw("DELETE FROM audit_event WHERE seq = 1")
    assert problem() == (1, "序号不连续：缺少 1（记录被删除）")


def test_it_names_a_renumbered_event() -> None:
    build_chain(5)
    raw("UPDATE audit_event SET seq = 0 WHERE seq = 3")
    assert problem() == (1, "序号不连续：此处应为 1，实为 0（序号被改动）")


def test_it_names_a_deleted_tail_through_the_head() -> None:
    build_chain(8)
    raw("DELETE FROM audit_event WHERE seq >= 7")
    assert problem() == (7, "链头记录到第 8 号，但事件只到第 6 号（末尾事件被删除）")


def test_it_names_every_event_deleted() -> None:
    build_chain(3)
    raw("DELETE FROM audit_event")
    assert problem() == (1, "链头记录到第 3 号，但事件只到第 0 号（末尾事件被删除）")


def test_it_names_a_swapped_pair() -> None:
    build_chain(8)
    swap(3, 4)
    assert problem() == (3, RELINKED)


def test_it_names_a_swap_of_distant_events() -> None:
    build_chain(8)
    swap(2, 7)
    assert problem() == (2, RELINKED)


def test_it_names_a_fake_tail_with_valid_hashes() -> None:
    events = build_chain(5)
    # A well-formed event added behind the appender's back: only the head shows it.
    fields: dict[str, Any] = {
        "seq": 6,
        "prev_hash": events[-1].hash,
        "candidate_id": 1,
        "kind": "S17",
        "happened_on": None,
        "recorded_at": events[-1].recorded_at,
        "recorded_by_id": None,
        "payload": {},
    }
    Event.objects.create(**fields, hash=event_hash(**fields))
    assert problem() == (6, "第 6–6 号事件在链头（第 5 号）之后（末尾被追加了事件）")


def test_it_names_a_cut_and_rewritten_tail() -> None:
    events = build_chain(5)
    raw("DELETE FROM audit_event WHERE seq = 5")
    fields: dict[str, Any] = {
        "seq": 5,
        "prev_hash": events[3].hash,
        "candidate_id": 1,
        "kind": "S17",
        "happened_on": None,
        "recorded_at": events[3].recorded_at,
        "recorded_by_id": None,
        "payload": {},
    }
    Event.objects.create(**fields, hash=event_hash(**fields))
    assert problem() == (5, "链头哈希与第 5 号事件不符（链头或末尾事件被改动）")


def test_it_names_a_deleted_head() -> None:
    build_chain(4)
    raw("DELETE FROM audit_chainhead")
    assert problem() == (1, "链头缺失：有 4 个事件，但没有链头记录（链头被删除）")


def test_it_names_a_head_without_events() -> None:
    build_chain(2)
    raw("DELETE FROM audit_event")
    raw("UPDATE audit_chainhead SET seq = 0, hash = %s", [GENESIS_HASH])
    assert verify_chain().ok
    raw("UPDATE audit_chainhead SET hash = %s", ["b" * 64])
    assert problem() == (1, "链头哈希与创世值不符（链头或末尾事件被改动）")


def test_it_shows_a_full_recompute_only_in_the_head_code() -> None:
    # The documented limit: a DBA who rewrites an event and recomputes every later hash and the
    # head leaves a chain that verifies. Only a head code kept outside (on paper) shows it.
    events = build_chain(4)
    printed = head_code(events[-1].hash)
    raw("DELETE FROM audit_event")
    raw("DELETE FROM audit_chainhead")
    with transaction.atomic():
        for event in events:
            append_event(
                kind="S99" if event.seq == 2 else event.kind,
                candidate_id=event.candidate_id,
                happened_on=event.happened_on,
                payload=event.payload,
                recorded_by_id=event.recorded_by_id,
                recorded_at=event.recorded_at,
            )
    result = verify_chain()
    assert result.ok
    assert result.head != printed
