"""The counts summary the projection keeps (issue 13 item 5): each file's part in the counts of
contracts.md §8 for every date at once, as rows of `CountSpan` (fazhan.policy.spans), so that the
counts of a subtree at a date are one aggregate query (fazhan.people.counts.report_counts).

Every saved projection reaches `sync_summary` (a projection listener: `project`, the bulk import's
`_write`, the daily sweep): the files' rows are replaced in the same transaction, judged from the
record exactly as the full recount judges it (`fazhan.people.counts.file_counts`, kept as the
reference): corrections, back-dated events and transfers included. `rebuild_summary` (the
`summarize` command) makes every row again, after an upgrade or a load that bypassed the
projection. Rows carry ids, dates and 0/1 flags only (DESIGN principle 8).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Q

from fazhan.audit.models import Event as ChainEvent
from fazhan.people.attributes import changes_by_person
from fazhan.people.counts import (
    _PERSON_COLUMNS,
    CHUNK,
    FLAG_COLUMNS,
    OPENED,
    RECORD_KINDS,
    UNREADABLE,
    OrgIndex,
    _document,
    _origin,
)
from fazhan.people.models import Candidate, CountSpan
from fazhan.policy.counts import static_attributes
from fazhan.policy.model import EVENT_TYPES
from fazhan.policy.parse import Unreadable, parse_document
from fazhan.policy.spans import NO_BOUND, OPEN_END, Approval, Span, file_spans
from fazhan.policy.targets import COUNT_KEYS

_FLAG_INDEX = [COUNT_KEYS.index(key) for key in FLAG_COLUMNS]

Events = dict[int, list[tuple[int, str, date | None, dict[str, Any]]]]


def _events_of(ids: Sequence[int]) -> Events:
    rows = (
        ChainEvent.objects.filter(candidate_id__in=list(ids))
        .filter(Q(kind__in=RECORD_KINDS) | Q(kind=OPENED))
        .order_by("candidate_id", "seq")
        .values_list("candidate_id", "seq", "kind", "happened_on", "payload")
    )
    found: Events = {}
    for candidate_id, seq, kind, happened_on, payload in rows:
        if candidate_id is not None:
            found.setdefault(candidate_id, []).append((seq, kind, happened_on, payload))
    return found


# CountSpan's columns as `summarize` writes them (one INSERT for many rows: at a bulk import's
# scale, model instances cost more than judging the files).
COLUMNS = (
    "candidate_id",
    "org_id",
    "valid_from",
    "valid_to",
    "stage",
    "approved_on",
    "after",
    *FLAG_COLUMNS,
)
Row = tuple[Any, ...]
_NO_FLAGS = (0,) * len(FLAG_COLUMNS)


def _row(candidate_id: int, span: Span, approval: Approval | None, stage: str) -> Row:
    head = (candidate_id, span.org, span.valid_from, span.valid_to, stage)
    if approval is None:
        return (*head, None, NO_BOUND, *_NO_FLAGS)
    flags = tuple(approval.flags[index] for index in _FLAG_INDEX)
    return (*head, approval.approved_on, approval.after, *flags)


def span_rows(candidate_id: int, spans: Iterable[Span]) -> Iterator[Row]:
    """A file's spans as rows (COLUMNS): the first approval on the stage's row, any other on a
    row of its own with no stage (counted in the figures, not again in the stages)."""
    for span in spans:
        first, *others = span.approvals or (None,)
        yield _row(candidate_id, span, first, span.stage)
        for approval in others:
            yield _row(candidate_id, span, approval, "")


def _file_rows(
    row: tuple[Any, ...],
    mine: list[tuple[int, str, date | None, dict[str, Any]]],
    changes: Sequence[Any],
    orgs: OrgIndex,
) -> Iterator[Row]:
    dated = [day for _s, kind, day, _p in mine if kind in EVENT_TYPES and day is not None]
    if not dated:
        return
    origin = _origin(row, mine, orgs)
    try:
        parsed = parse_document(_document(row, mine, changes))
    except Unreadable:
        # Counted nowhere; listed from its first dated event on, as the recount lists it.
        yield (row[0], None, min(dated), OPEN_END, UNREADABLE, None, NO_BOUND, *_NO_FLAGS)
        return
    spans = file_spans(
        parsed,
        org=origin,
        destination=orgs.destination,
        attributes=static_attributes(parsed.person),
    )
    yield from span_rows(row[0], spans)


def _insert(rows: list[Row]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(CountSpan._meta.db_table)
    names = ", ".join(quote(column) for column in COLUMNS)
    marks = ", ".join(["%s"] * len(COLUMNS))
    with connection.cursor() as cursor:
        for at in range(0, len(rows), 1000):
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",
                rows[at : at + 1000],
            )


def summarize(candidate_ids: Iterable[int], chunk: int = CHUNK) -> int:
    """Replace the summary rows of these files (call inside the transaction that saved their
    projections). Returns how many rows were written."""
    ids = sorted(set(candidate_ids))
    written = 0
    for at in range(0, len(ids), chunk):
        part = ids[at : at + chunk]
        rows = list(Candidate.objects.filter(pk__in=part).values_list(*_PERSON_COLUMNS))
        events = _events_of(part)
        changes = changes_by_person({row[3] for row in rows})
        orgs = OrgIndex.covering(events.values())
        new: list[Row] = []
        for row in rows:
            new.extend(_file_rows(row, events.get(row[0], []), changes.get(row[3], ()), orgs))
        CountSpan.objects.filter(candidate_id__in=part).delete()
        _insert(new)
        written += len(new)
    return written


def sync_summary(candidates: Sequence[Any]) -> None:
    """The projection listener (fazhan.people.record.register_projection_listener); files whose
    rows the caller has just written from its plan (`rows_written`) are left as they are."""
    given = _WRITTEN.get()
    summarize(c.pk for c in candidates if c.pk is not None and c.pk not in given)


def rebuild_summary(chunk: int = CHUNK) -> tuple[int, int]:
    """Every file's rows made again from the chain: (files, rows). Chunks of ids in order, each
    in its own transaction."""
    from django.db import transaction

    files = rows = 0
    last = 0
    while True:
        ids = list(
            Candidate.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            break
        with transaction.atomic():
            rows += summarize(ids, chunk)
        files += len(ids)
        last = ids[-1]
    return files, rows


# -- rows worked out before the write (a bulk import's plan) ---------------------------------------

_WRITTEN: ContextVar[frozenset[int]] = ContextVar("summary_written", default=frozenset())
_ORG_KEYS = ("org_id", "from_org_id", "to_org_id")
_ORG_TEXTS = ("from_org", "to_org")


def _names_another_org(
    events: Sequence[tuple[int, str, date | None, dict[str, Any]]], org_id: int
) -> bool:
    for _seq, _kind, _day, payload in events:
        inner = payload.get("replacement")
        for data in (payload, inner if isinstance(inner, dict) else {}):
            if any(data.get(key) not in (None, org_id) for key in _ORG_KEYS):
                return True
            if any(data.get(key) for key in _ORG_TEXTS):
                return True
    return False


def planned_rows(
    row: tuple[Any, ...], events: Sequence[tuple[int, str, date | None, dict[str, Any]]]
) -> list[Row] | None:
    """The rows `summarize` will find for a new file, worked out before it is written (a bulk
    import plans them with its projections; `tests/imports` checks they equal a recount).

    `row` is the file as `_PERSON_COLUMNS` reads it (its id a placeholder: the caller puts the
    real one in the first column), `events` its chain as it will be stored (seq, kind, day,
    payload), the person without dated changes. None when a payload names an organization other
    than the file's own (a transfer: `OrgIndex` reads the organizations then, so the rows are
    judged at the write, by `sync_summary`)."""
    mine = [event for event in events if event[1] == OPENED or event[1] in _RECORD]
    org_id = row[1]
    if _names_another_org(mine, org_id):
        return None
    return list(_file_rows(row, mine, (), OrgIndex([(org_id, "", "")])))


_RECORD = frozenset(RECORD_KINDS)


def insert_rows(rows: list[Row]) -> None:
    """Insert summary rows worked out beforehand (`planned_rows`, each with its file's id)."""
    _insert(rows)


@contextmanager
def rows_written(candidate_ids: Iterable[int]) -> Iterator[None]:
    """While inside, `sync_summary` leaves these files alone: their rows were just written by
    the caller (`insert_rows`), in the same transaction as their projections."""
    token = _WRITTEN.set(frozenset(candidate_ids))
    try:
        yield
    finally:
        _WRITTEN.reset(token)
