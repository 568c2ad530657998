"""The activist pool per organization, with what educates it (issue 15 item 6), in a few grouped
queries: the pool now (activists and development targets), three times the organization's plan
share (seed: 3:1), those trained this year, those with a helper (一帮一), and 推优 names received
this year and still waiting."""

from __future__ import annotations

from calendar import monthrange
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q

from fazhan.education.actions import POOL_STAGES
from fazhan.education.models import Attendance, Nomination, Outcome, Pairing
from fazhan.orgs.models import Organization
from fazhan.people.counts import pool_at
from fazhan.people.models import Candidate
from fazhan.plans.board import find_plan
from fazhan.policy.allocation import POOL_RATIO  # seed 三（一）: 3:1


@dataclass(frozen=True)
class PoolRow:
    org: Organization
    pool: int
    needed: int | None
    trained: int
    paired: int
    nominated: int
    waiting: int

    @property
    def short(self) -> bool:
        return self.needed is not None and self.pool < self.needed


def _group(org_ids: dict[int, int], rows: list[tuple[int, int]]) -> Counter[int]:
    out: Counter[int] = Counter()
    for org_id, n in rows:
        if org_id in org_ids:
            out[org_ids[org_id]] += n
    return out


def pool_rows(root: Organization, year: int, today: date) -> list[PoolRow]:
    """One row per organization directly below `root` (or `root` alone when it has none)."""
    children = list(Organization.objects.filter(parent=root).order_by("code")) or [root]
    group: dict[int, int] = {}
    for child in children:
        for org_id in Organization.objects.subtree_ids([child.pk]):
            group[org_id] = child.pk
    ids = list(group)
    pool = _group(
        group,
        list(
            Candidate.objects.here()
            .filter(org_id__in=ids, stage__in=POOL_STAGES)
            .values_list("org_id")
            .annotate(n=Count("pk"))
            .order_by()
        ),
    )
    trained = _group(
        group,
        list(
            Attendance.objects.filter(
                candidate__org_id__in=ids, completed=True, training__ends_on__year=year
            )
            .values_list("candidate__org_id")
            .annotate(n=Count("candidate", distinct=True))
            .order_by()
        ),
    )
    paired = _group(
        group,
        list(
            Pairing.objects.filter(org_id__in=ids, ended_on=None)
            .values_list("org_id")
            .annotate(n=Count("pk"))
            .order_by()
        ),
    )
    named = (
        Nomination.objects.filter(org_id__in=ids, received_on__year=year)
        .values_list("org_id")
        .annotate(n=Count("pk"), w=Count("pk", filter=Q(outcome=Outcome.PENDING)))
        .order_by()
    )
    nominated = _group(group, [(o, n) for o, n, _w in named])
    waiting = _group(group, [(o, w) for o, _n, w in named])
    rows = []
    for child in children:
        _plan, share = find_plan(child, year)
        rows.append(
            PoolRow(
                org=child,
                pool=pool[child.pk],
                needed=POOL_RATIO * share.total if share is not None else None,
                trained=trained[child.pk],
                paired=paired[child.pk],
                nominated=nominated[child.pk],
                waiting=waiting[child.pk],
            )
        )
    return rows


@dataclass(frozen=True)
class TrendPoint:
    day: date
    pool: int
    needed: int | None

    @property
    def short(self) -> bool:
        return self.needed is not None and self.pool < self.needed


@dataclass(frozen=True)
class TrendRow:
    org: Organization
    points: list[TrendPoint]


def month_ends(today: date, months: int = 12) -> list[date]:
    """The last day of each of the `months` months up to today's, today's month ending today."""
    out = [today]
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first.replace(day=monthrange(first.year, first.month)[1]))
    return sorted(out)


def pool_trend(root: Organization, today: date, months: int = 12) -> list[TrendRow]:
    """The pool of each organization directly below `root` (or `root` alone) at the end of each
    of the last `months` months, as the record stood then (the counts summary, one query),
    against three times that year's plan share (seed 三（一）: 3:1)."""
    children = list(Organization.objects.filter(parent=root).order_by("code")) or [root]
    days = month_ends(today, months)
    group: dict[int, int] = {}
    for child in children:
        for org_id in Organization.objects.subtree_ids([child.pk]):
            group[org_id] = child.pk
    totals: dict[int, list[int]] = {child.pk: [0] * len(days) for child in children}
    for org_id, values in pool_at(days, list(group)).items():
        mine = totals[group[org_id]]
        for index, value in enumerate(values):
            mine[index] += value
    rows = []
    for child in children:
        shares: dict[int, int | None] = {}
        for year in sorted({day.year for day in days}):
            _plan, share = find_plan(child, year)
            shares[year] = POOL_RATIO * share.total if share is not None else None
        points = [
            TrendPoint(day, totals[child.pk][index], shares[day.year])
            for index, day in enumerate(days)
        ]
        rows.append(TrendRow(child, points))
    return rows
