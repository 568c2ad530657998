"""The lists that drive 督查 (issue 15 item 4), each a few aggregate queries.

- Branches with nobody approved (S17) for two years or more, or never (the plan board's
  `dormant_branches`): a branch that stops developing members is what the seed's 分类指导 targets.
- Sub-organizations behind their share of the plan (the band of ±10%, seed 二（一）, judged on the
  forecast as the plan board does), or whose pool of activists and targets is below three times
  their share (seed: 入党积极分子与发展党员计划数之比不低于3:1).
- Organizations with files overdue now, or with irregular files (violations), counted per branch.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q

from fazhan.orgs.models import Organization
from fazhan.people.models import Candidate
from fazhan.plans import indicators
from fazhan.plans.board import Unit, build_board
from fazhan.policy.allocation import POOL_RATIO  # seed 三（一）: 3:1


@dataclass(frozen=True)
class PlanLag:
    org: Organization
    share: int | None
    developed: int
    pool: int
    behind: bool
    small_pool: bool


@dataclass(frozen=True)
class FileTrouble:
    org: Organization
    overdue: int
    irregular: int


def plan_lags(root: Organization, year: int, today: date) -> list[PlanLag]:
    """Each organization directly below `root`, flagged when behind its share or short of pool."""
    board = build_board(root, year, today)
    found = [_lag(unit) for unit in board.children]
    return [lag for lag in found if lag.behind or lag.small_pool]


def _lag(unit: Unit) -> PlanLag:
    share = unit.share.total if unit.share is not None else None
    band = unit.band
    behind = band is not None and band.hard and band.status in ("unmet", "at_risk")
    pool = unit.now.activists
    small = share is not None and pool < POOL_RATIO * share
    return PlanLag(unit.org, share, unit.now.developed, pool, behind, small)


def dormant(org_ids: Collection[int], today: date) -> list[Any]:
    return indicators.dormant_branches(org_ids, today)


def file_troubles(org_ids: Collection[int], today: date) -> list[FileTrouble]:
    """Per organization holding files: how many are overdue now and how many irregular."""
    rows = (
        Candidate.objects.filter(org_id__in=list(org_ids))
        .values("org_id")
        .annotate(
            overdue=Count("pk", filter=Q(next_due__lt=today)),
            irregular=Count("pk", filter=Q(violations__gt=0)),
        )
        .filter(Q(overdue__gt=0) | Q(irregular__gt=0))
        .order_by("-overdue", "-irregular", "org_id")
    )
    orgs = Organization.objects.in_bulk([r["org_id"] for r in rows])
    return [FileTrouble(orgs[r["org_id"]], r["overdue"], r["irregular"]) for r in rows]
