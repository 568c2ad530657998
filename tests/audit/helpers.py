"""Building chains and tampering with them directly in the database, for the audit tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from fazhan.audit.bypass import chain_bypass
from fazhan.audit.chain import NewEvent, append_event
from fazhan.audit.models import Event

T0 = datetime(2024, 3, 1, 8, 30, 0, 123456, tzinfo=UTC)
KINDS = ("S01", "S02", "N-TGT", "S07", "correct", "x-import", "notice.feedback.closed")


def sample_event(index: int) -> NewEvent:
    """A varied but deterministic event: some without a candidate, a date or a recorder."""
    return NewEvent(
        kind=KINDS[index % len(KINDS)],
        candidate_id=None if index % 5 == 4 else 100 + index % 3,
        happened_on=None if index % 6 == 5 else date(2023, 1, 1) + timedelta(days=index),
        payload={"n": index, "ids": [index, index + 1], "note": "支部大会"} if index % 2 else {},
        recorded_by_id=None if index % 4 == 3 else 7,
        recorded_at=T0 + timedelta(seconds=index, microseconds=index),
    )


def build_chain(count: int) -> list[Event]:
    """Append `count` events one by one through `append_event`; return them in order."""
    events = []
    with transaction.atomic():
        for index in range(count):
            new = sample_event(index)
            events.append(
                append_event(
                    kind=new.kind,
                    candidate_id=new.candidate_id,
                    happened_on=new.happened_on,
                    payload=new.payload,
                    recorded_by_id=new.recorded_by_id,
                    recorded_at=new.recorded_at,
                )
            )
    return events


def raw(sql: str, params: list[Any] | None = None) -> None:
    """Run SQL with the append-only triggers bypassed: what a DBA with the owner's rights can do."""
    with chain_bypass(connection), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def swap(first: int, second: int) -> None:
    """Exchange two events' places (each keeps its content, takes the other's seq)."""
    raw("UPDATE audit_event SET seq = -999 WHERE seq = %s", [first])
    raw("UPDATE audit_event SET seq = %s WHERE seq = %s", [first, second])
    raw("UPDATE audit_event SET seq = %s WHERE seq = -999", [second])


def sqlite_file_path(tmp_path: Path) -> Path:
    """Where the `sqlite_file_alias` fixture keeps its database."""
    return tmp_path / "chain.sqlite3"
