"""The allocation helper from the database: each unit's pipeline and pool, handed to the integer
program of `fazhan.policy.allocation`.

For each unit below the organization being split: what it has approved in the plan's year, what
its pipeline can still deliver by 31 December (the forecast's high end, overall and per category:
`capacity`, `high`) and its activist pool now. One grouped query for the counts and one read of
the pipeline for the forecast, whatever the number of units.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fazhan.orgs.models import Organization
from fazhan.plans.actions import split_candidates
from fazhan.plans.forecast import forecast_by_group
from fazhan.plans.indicators import ZERO, counts_by_child, group_under
from fazhan.plans.models import Plan, PlanShare, parse_share
from fazhan.policy import targets
from fazhan.policy.allocation import Allocator, Unit


@dataclass(frozen=True)
class Setting:
    plan: Plan
    parent: PlanShare | None
    owner: Organization
    judged: targets.Plan | None  # None: a share of 0, nothing to split
    total: int
    orgs: list[Organization]
    units: list[Unit]

    def allocator(self) -> Allocator | None:
        if self.judged is None:
            return None
        return Allocator(self.judged, self.units, self.total)


def setting_for(plan: Plan, parent: PlanShare | None, today: date) -> Setting:
    owner = parent.org if parent is not None else plan.org
    if parent is not None:
        parent.plan = plan
    judged = parse_share(parent) if parent is not None else plan.parsed()
    total = parent.total if parent is not None else plan.total
    orgs = split_candidates(plan, parent)
    now = counts_by_child(plan.year, owner.pk)
    forecasts = forecast_by_group(plan.year, group_under(owner.pk), today, now)
    units: list[Unit] = []
    for org in orgs:
        counts = now.get(org.pk, ZERO)
        fc = forecasts.get(org.pk)
        high = fc.high if fc is not None else counts
        units.append(
            Unit(
                key=org.pk,
                name=org.display_name,
                approved=counts.developed,
                capacity=high.developed,
                now={k: v for k, v in counts.as_dict().items() if k != "activists"},
                high={k: v for k, v in high.as_dict().items() if k != "activists"},
                pool=counts.activists,
            )
        )
    return Setting(plan, parent, owner, judged, total, orgs, units)
