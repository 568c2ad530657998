"""B1 (background/ballots-audit-security.md): any single-row tamper is reported, 0 undetected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhan.audit.bypass import chain_bypass
from fazhan.audit.chain import NewEvent, append_events_bulk, event_hash, verify_chain
from fazhan.audit.models import Event
from tests.audit.helpers import raw, swap

FIELDS = (
    "seq",
    "candidate_id",
    "kind",
    "happened_on",
    "recorded_at",
    "recorded_by_id",
    "payload",
    "prev_hash",
    "hash",
)

# What the appender accepts: no NUL (jsonb), no lone surrogates (not UTF-8).
text = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
ids = st.none() | st.integers(min_value=1, max_value=2**40)
payloads = st.dictionaries(
    st.sampled_from(["n", "meeting_id", "result", "ids", "备注"]),
    st.integers(-5, 10**6) | st.text(text, max_size=6) | st.lists(st.integers(0, 99), max_size=3),
    max_size=3,
)
new_events = st.builds(
    NewEvent,
    kind=st.sampled_from(["S01", "S07", "N-TGT", "correct", "x-demo", "notice.feedback.closed"]),
    candidate_id=ids,
    happened_on=st.none() | st.dates(date(2014, 1, 1), date(2030, 12, 31)),
    payload=payloads,
    recorded_by_id=ids,
    recorded_at=st.datetimes(
        datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive; zone given below
        datetime(2030, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
)


@dataclass(frozen=True)
class Tamper:
    op: str  # edit, delete, swap, append
    seq: int  # the first seq touched
    other: int = 0
    field: str = ""
    variant: int = 0


@st.composite
def tampers(draw: st.DrawFn, length: int) -> Tamper:
    op = draw(st.sampled_from(["edit", "edit", "edit", "delete", "swap", "append"]))
    if op == "append":
        return Tamper(op, length + 1)
    seq = draw(st.integers(1, length))
    if op == "swap":
        if length < 2:
            return Tamper("delete", seq)
        other = draw(st.integers(1, length).filter(lambda value: value != seq))
        return Tamper(op, min(seq, other), max(seq, other))
    if op == "delete":
        return Tamper(op, seq)
    return Tamper(op, seq, field=draw(st.sampled_from(FIELDS)), variant=draw(st.integers(0, 2)))


def changed_value(event: dict[str, Any], field: str, variant: int, length: int) -> Any:
    """A value different from the stored one, of the column's type."""
    old = event[field]
    if field == "seq":
        return [0, -1, length + 1 + variant][variant]
    if field in {"candidate_id", "recorded_by_id"}:
        return 1 if old is None else [old + 1, None, -old][variant]
    if field == "kind":
        return old + "X" if variant else ("S02" if old != "S02" else "S03")
    if field == "happened_on":
        if old is None:
            return date(2020, 1, 1)
        return [old + timedelta(days=1), None, old - timedelta(days=365)][variant]
    if field == "recorded_at":
        return old + [timedelta(microseconds=1), timedelta(seconds=1), -timedelta(days=1)][variant]
    if field == "payload":
        return [{**old, "tampered": 1}, {"wrapped": old}, {} if old else {"x": 0}][variant]
    flipped = "0" if old[variant] != "0" else "1"
    return old[:variant] + flipped + old[variant + 1 :]


def apply(tamper: Tamper, length: int) -> None:
    if tamper.op == "delete":
        raw("DELETE FROM audit_event WHERE seq = %s", [tamper.seq])
    elif tamper.op == "swap":
        swap(tamper.seq, tamper.other)
    elif tamper.op == "append":
        last = Event.objects.get(seq=length)
        fields: dict[str, Any] = {
            "seq": length + 1,
            "prev_hash": last.hash,
            "candidate_id": last.candidate_id,
            "kind": "S17",
            "happened_on": last.happened_on,
            "recorded_at": last.recorded_at,
            "recorded_by_id": last.recorded_by_id,
            "payload": {},
        }
        Event.objects.create(**fields, hash=event_hash(**fields))
    else:
        event = Event.objects.filter(seq=tamper.seq).values(*FIELDS).get()
        value = changed_value(event, tamper.field, tamper.variant, length)
        assert value != event[tamper.field]
        with chain_bypass(connection):
            Event.objects.filter(seq=tamper.seq).update(**{tamper.field: value})


@pytest.mark.django_db
@settings(max_examples=300, deadline=None)
@given(st.data())
def test_it_reports_every_single_tamper_at_or_before_it(data: st.DataObject) -> None:
    chain = data.draw(st.lists(new_events, min_size=1, max_size=12), label="chain")
    tamper = data.draw(tampers(len(chain)), label="tamper")
    with transaction.atomic():
        append_events_bulk(chain)
        assert verify_chain().ok
        apply(tamper, len(chain))
        result = verify_chain()
        # Each example starts from an empty chain.
        transaction.set_rollback(True)
    assert not result.ok, tamper
    assert result.seq is not None
    assert 1 <= result.seq <= tamper.seq, (tamper, result)
    assert result.problem
