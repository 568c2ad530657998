"""Keeping the register in step with the engine's findings (issue 15 item 1).

Called with the files whose projection was just saved (each recording, an import, the daily
sweep), inside the same transaction: a finding seen for the first time opens a row; a row whose
finding is no longer found is closed with that reason, never deleted. Two queries per call, not
per file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import DateField

from fazhan.accountability.models import REGISTERED, ClosedBecause, Irregularity, State
from fazhan.core.dates import today

Key = tuple[str, str, str]


def registered_findings(projection: Mapping[str, Any]) -> dict[Key, Mapping[str, Any]]:
    """The findings of a projection that belong in the register, by key: violations and late
    findings, import gaps excluded (issue 12 item 6)."""
    found: dict[Key, Mapping[str, Any]] = {}
    for item in projection.get("findings", ()) or ():
        if item.get("severity") not in REGISTERED or item.get("gap"):
            continue
        key = (str(item["id"]), str(item.get("step") or ""), str(item["date"]))
        found[key] = item
    return found


def sync_register(candidates: Sequence[Any], on: date | None = None) -> tuple[int, int]:
    """Open rows for new findings and close the rows of vanished ones; returns (opened, closed)."""
    if not candidates:
        return (0, 0)
    day = on or today()
    by_id = {candidate.pk: candidate for candidate in candidates}
    live: dict[int, dict[Key, Irregularity]] = {}
    for row in Irregularity.objects.live().filter(candidate_id__in=list(by_id)):
        live.setdefault(row.candidate_id, {})[row.key] = row
    opening: list[tuple[Any, ...]] = []
    closing: list[Irregularity] = []
    moving: list[Irregularity] = []
    for candidate_id, candidate in by_id.items():
        now = registered_findings(candidate.projection or {})
        rows = live.get(candidate_id, {})
        new = {key: item for key, item in now.items() if key not in rows}
        gone = [row for key, row in rows.items() if key not in now]
        for row in gone:
            # The same breach seen on another date (an overdue talk, then the talk recorded late):
            # one row that follows it, not a closed row and a new one.
            same = next((k for k in new if k[:2] == row.key[:2]), None)
            if same is not None:
                item = new.pop(same)
                row.finding_date = date.fromisoformat(same[2])
                row.message = str(item.get("message") or "")
                moving.append(row)
                continue
            row.state = State.CLOSED
            row.closed_on = day
            row.closed_because = ClosedBecause.GONE
            closing.append(row)
        opening.extend(_new_row(candidate, item, day) for item in new.values())
    if moving:
        Irregularity.objects.bulk_update(moving, ["finding_date", "message"])
    if closing:
        Irregularity.objects.bulk_update(closing, ["state", "closed_on", "closed_because"])
    _insert_open(opening)
    return (len(opening), len(closing))


# The columns a new row is given (`_new_row`, in this order); every other column takes its
# model default. Rows go in as plain tuples: an import opens thousands at once, inside the
# transaction holding the write lock, where a model instance per row cost more than the insert.
_GIVEN = (
    "candidate",
    "org",
    "finding",
    "severity",
    "step",
    "finding_date",
    "basis",
    "message",
    "found_on",
)


def _new_row(candidate: Any, item: Mapping[str, Any], day: date) -> tuple[Any, ...]:
    return (
        candidate.pk,
        candidate.org_id,
        str(item["id"]),
        str(item["severity"]),
        str(item.get("step") or ""),
        date.fromisoformat(str(item["date"])),
        str(item.get("basis") or "")[:255],
        str(item.get("message") or ""),
        day,
    )


def _insert_open(rows: list[tuple[Any, ...]]) -> None:
    """Insert new open rows (`_new_row`) with the model's defaults for the other columns."""
    if not rows:
        return
    meta = Irregularity._meta
    fields = {field.name: field for field in meta.concrete_fields if not field.primary_key}
    given = [fields.pop(name) for name in _GIVEN]
    rest = list(fields.values())
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    dates = {at for at, field in enumerate(given) if isinstance(field, DateField)}
    adapt = connection.ops.adapt_datefield_value
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in (*given, *rest))
    marks = ", ".join(["%s"] * (len(given) + len(rest)))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})",
            [
                (*(adapt(v) if at in dates else v for at, v in enumerate(row)), *defaults)
                for row in rows
            ],
        )


def sync_all(candidates: Iterable[Any], batch: int = 500) -> tuple[int, int]:
    """The whole register against the stored projections (after a migration, or by hand)."""
    opened = closed = 0
    chunk: list[Any] = []
    for candidate in candidates:
        chunk.append(candidate)
        if len(chunk) >= batch:
            a, b = sync_register(chunk)
            opened, closed, chunk = opened + a, closed + b, []
    a, b = sync_register(chunk)
    return (opened + a, closed + b)
