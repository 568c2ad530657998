"""Re-projecting files whose judgement changes without a new event: the days pass (a deadline is
reached), the holiday table of a year is confirmed, a policy parameter changes. Idempotent: a
projection is a pure function of the events, the policy, the table and the day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from fazhan.audit.chain import events_of
from fazhan.holidays.table import current_table
from fazhan.people.models import Candidate
from fazhan.people.record import (
    PROJECTION_FIELDS,
    apply_projection,
    candidate_document,
    mark_departure,
    projected,
    roster_import_day,
)
from fazhan.policy.engine import evaluate
from fazhan.policy.parse import parse_document


def reproject(
    candidates: QuerySet[Candidate] | Iterable[Candidate],
    as_of: date | None = None,
    batch: int = 500,
) -> int:
    """Evaluate each file again and save its projection; returns how many changed."""
    table = current_table()
    changed = 0
    pending: list[Candidate] = []
    rows = (
        # The people's dated attribute changes in one query, not one per file.
        candidates.select_related("person").prefetch_related("person__attribute_changes")
        if isinstance(candidates, QuerySet)
        else candidates
    )
    for candidate in rows:
        before = candidate.projection
        chain = events_of(candidate.pk)
        document = candidate_document(candidate, chain, as_of)
        mark_departure(candidate, document)
        result = evaluate(parse_document(document), table=table)
        head = chain[-1].seq if chain else None
        apply_projection(candidate, result, head, roster_import_day(chain))
        if candidate.projection != before:
            changed += 1
        pending.append(candidate)
        if len(pending) >= batch:
            _save(pending)
    _save(pending)
    return changed


def _save(rows: list[Candidate]) -> None:
    if rows:
        with transaction.atomic():
            Candidate.objects.bulk_update(rows, PROJECTION_FIELDS)
            projected(rows)
        rows.clear()


def reproject_year(sender: Any = None, *, year: int, **_: Any) -> int:
    """After a year of the holiday table changed: files with a deadline or a notice in that year."""
    touched = Candidate.objects.filter(
        Q(next_due__year=year)
        | Q(projection__isnull=False, stage__in=("activist", "target", "probationary"))
    )
    return reproject(touched)
