"""The candidate signals (fazhan.policy.signals) as database filters, for every list and count:
overdue now, was late, irregular. One definition each, so a count and its list agree."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from fazhan.people.models import Candidate


def overdue_q(today: date) -> Q:
    """A next step's latest date has passed (the day after it, never on it) with nothing
    recorded: next_due is the nearest latest date of the engine's next steps, None when none."""
    return Q(next_due__isnull=False, next_due__lt=today)


def overdue_now(candidates: QuerySet[Candidate], today: date) -> QuerySet[Candidate]:
    return candidates.filter(overdue_q(today))


def late_q() -> Q:
    """A late finding (a step recorded after its deadline)."""
    return Q(lates__gt=0)


def irregular_q() -> Q:
    """A violation finding."""
    return Q(violations__gt=0)


def was_late(candidates: QuerySet[Candidate]) -> QuerySet[Candidate]:
    """Files with a late finding (a step recorded after its deadline)."""
    return candidates.filter(late_q())


def irregular(candidates: QuerySet[Candidate]) -> QuerySet[Candidate]:
    """Files with a violation finding."""
    return candidates.filter(irregular_q())
