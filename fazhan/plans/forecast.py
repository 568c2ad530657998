"""The year-end forecast from the database: the pipeline's rows handed to `fazhan.policy.forecast`.

One query reads the open files that can still matter for the year (derived columns and the
projection's next steps only; nothing is decrypted): applicants (for the pool), activists whose
activist year is complete by 31 December, every 发展对象, and probationary members still awaiting
approval within the six months 细则 art. 25 allows. Files that cannot reach 31 December are left
to the database. The schedules and ranges are computed by the pure module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from django.db.models import Q
from django.db.models.fields.json import KeyTransform

from fazhan.people.models import Candidate, Sex
from fazhan.plans.indicators import ASSOCIATE_RANK, SENIOR_RANK, ZERO
from fazhan.policy import forecast as pure
from fazhan.policy.calendar import add_months
from fazhan.policy.targets import Counts

_COLUMNS = (
    "pk",
    "org_id",
    "stage",
    "suspended",
    "applied_on",
    "activist_on",
    "target_on",
    "admitted_on",
    "le35_at_admission",
    "le25_at_admission",
    "person__birth_date",
    "person__sex",
    "person__frontline",
    "person__education_rank",
    "person__occ_worker",
    "person__occ_farmer",
    "person__occ_mgmt_tech_rich",
    "person__occ_student",
    "next_steps",
)


def _pending(raw: Any) -> dict[str, date | None]:
    pending: dict[str, date | None] = {}
    if not isinstance(raw, list):
        return pending
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("step"), str):
            continue
        earliest = entry.get("earliest")
        try:
            day = date.fromisoformat(earliest) if isinstance(earliest, str) else None
        except ValueError:
            day = None
        pending[entry["step"]] = day
    return pending


def pipeline_filter(year: int, today: date) -> Q:
    """Open files that can still be approved in `year`, or join or leave its activist pool."""
    end = date(year, 12, 31)
    return (
        Q(stage="applicant")
        # 细则 art. 13: a year as activist before S07, so the year must be complete by 31 Dec.
        | Q(stage="activist", activist_on__lte=add_months(end, -12))
        | Q(stage="target")
        # 细则 art. 25: approval within six months of the meeting at most.
        | Q(
            stage="probationary",
            approved_on__isnull=True,
            admitted_on__gte=add_months(today, -6),
        )
    )


def pipeline_items(
    year: int, org_ids: Collection[int] | None, today: date
) -> list[pure.PipelineItem]:
    rows = Candidate.objects.filter(pipeline_filter(year, today))
    if org_ids is not None:
        rows = rows.filter(org_id__in=list(org_ids))
    values = rows.annotate(next_steps=KeyTransform("next", "projection")).values_list(*_COLUMNS)
    items: list[pure.PipelineItem] = []
    for row in values:
        (pk, org_id, stage, suspended, applied, activist, target, admitted, le35, le25) = row[:10]
        (birth, sex, frontline, rank, worker, farmer, mgmt, student, nxt) = row[10:]
        items.append(
            pure.PipelineItem(
                id=pk,
                org_id=org_id,
                stage=stage,
                suspended=bool(suspended),
                birth_date=birth,
                female=sex == Sex.FEMALE,
                frontline=bool(frontline),
                hs_plus=rank is not None and rank >= SENIOR_RANK,
                college_plus=rank is not None and rank >= ASSOCIATE_RANK,
                worker=bool(worker),
                farmer=bool(farmer),
                mgmt_tech_rich=bool(mgmt),
                student=bool(student),
                applied_on=applied,
                activist_on=activist,
                target_on=target,
                admitted_on=admitted,
                le35_at_admission=le35,
                le25_at_admission=le25,
                pending=_pending(nxt),
            )
        )
    return items


def forecast_for(
    year: int, org_ids: Collection[int] | None, today: date, now: Counts
) -> pure.Forecast:
    """The forecast of one organization's subtree, given its live counts."""
    if today > date(year, 12, 31):
        return pure.summarize([], now, year=year, today=today)
    items = pipeline_items(year, org_ids, today)
    return pure.forecast(items, now, year=year, today=today)


def forecast_by_group(
    year: int, group_of: Mapping[int, int], today: date, now: Mapping[int, Counts]
) -> dict[int, pure.Forecast]:
    """One forecast per group (sub-organization) from a single read of the whole pipeline."""
    groups = set(group_of.values()) | set(now)
    if today > date(year, 12, 31):
        return {g: pure.summarize([], now.get(g, ZERO), year=year, today=today) for g in groups}
    projected = pure.project(pipeline_items(year, list(group_of), today), year=year, today=today)
    parts: dict[int, list[pure.Projected]] = defaultdict(list)
    for p in projected:
        group = group_of.get(p.item.org_id)
        if group is not None:
            parts[group].append(p)
    return {
        g: pure.summarize(parts.get(g, []), now.get(g, ZERO), year=year, today=today)
        for g in groups
    }
