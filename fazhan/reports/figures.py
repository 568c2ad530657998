"""The figures of one sender's report, judged from the record as at the campaign's cut-off.

Every count comes from `fazhan.people.counts.report_counts` (the one function for the figures of a
report, contracts.md §8): the sender's own total, and its children rolled up by organization type
(单位类型). Around them: the sender's share of the district's plan (指导性计划数, seed 二（一）),
the activist pool against three times that share (seed 三（一）: 入党积极分子与发展党员数的比例
要达到3:1以上), the notices and branch meetings held in the period, and the files overdue or with a
breach in today's projection (the projection has no history; labelled so on the page).

The result is a plain JSON document (integers and codes only, no names): stored on the submission,
frozen when the sender submits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fazhan.core import i18n_data
from fazhan.core.dates import today
from fazhan.meetings.models import Meeting, MeetingStatus
from fazhan.notices.models import Notice, NoticeStatus
from fazhan.orgs.models import Organization, OrgType
from fazhan.people.counts import report_counts
from fazhan.people.models import Candidate
from fazhan.people.signals import irregular, overdue_now
from fazhan.plans.models import Plan, PlanShare
from fazhan.policy.allocation import POOL_RATIO  # seed 三（一）: 3:1
from fazhan.policy.counts import STAGES
from fazhan.policy.targets import CATEGORY_LABELS, COUNT_KEYS

UNTYPED = "untyped"


@dataclass(frozen=True)
class ExtraFigures:
    """Figures another app adds to every report, stored under `key` (the mobile picture: Issue 16
    item 4). The app registers them in its AppConfig.ready, so that this app does not import it
    (tests/test_layers.py: no import loop between packages)."""

    key: str
    compute: Callable[[set[int], date, date], dict[str, Any]]  # subtree, cut-off, period start
    title: Callable[[], str]  # the consolidated workbook's sheet
    columns: Callable[[], list[str]]  # its columns after the sender's name
    row: Callable[[dict[str, Any]], list[int]]  # one row of it from the stored figures


EXTRA: dict[str, ExtraFigures] = {}


def register_figures(extra: ExtraFigures) -> None:
    EXTRA[extra.key] = extra


def category_label(key: str) -> str:
    """A category's name as the active language shows it (the seed's Chinese; English from
    en.json's `text` table, Traditional converted)."""
    return i18n_data.text(CATEGORY_LABELS.get(key, key))


def plan_share(sender: Organization, year: int) -> int | None:
    """The sender's share of the year's plan issued by the organization above it (or of a plan
    it was issued itself); None when no plan gives it one."""
    share = (
        PlanShare.objects.filter(plan__year=year, org=sender)
        .order_by("parent_id", "pk")
        .values_list("total", flat=True)
        .first()
    )
    if share is not None:
        return int(share)
    own = Plan.objects.filter(year=year, org=sender).values_list("total", flat=True).first()
    return int(own) if own is not None else None


def pool_check(activists: int, share: int | None, developed: int) -> dict[str, Any]:
    """The pool against three times the plan (without a share: three times those admitted)."""
    base = share if share is not None else developed
    required = POOL_RATIO * base
    return {
        "activists": activists,
        "base": base,
        "required": required,
        # Nothing to judge without a plan and without admissions.
        "met": activists >= required if base else None,
        # activists per person to admit, in tenths (no floats in stored documents)
        "ratio_tenths": (activists * 10) // base if base else None,
    }


def second_half_start(year: int) -> date:
    """The year-end report carries the second half's table too (seed: 下半年报表)."""
    return date(year, 7, 1)


def sender_figures(
    sender: Organization, *, start: date, cutoff: date, year: int, second_half: bool = False
) -> dict[str, Any]:
    """The sender's figures as at the end of `cutoff` (see the module); with `second_half`, the
    counts of 1 July to the cut-off as well (the year-end report's 下半年报表)."""
    report = report_counts(sender, start=start, as_of=cutoff)
    counts = report.root.counts.as_dict()
    by_type: dict[str, dict[str, int]] = {}
    for child in report.children:
        key = child.org.org_type or sender.org_type or UNTYPED
        tally = by_type.setdefault(key, dict.fromkeys(COUNT_KEYS, 0))
        for name, value in child.counts.as_dict().items():
            tally[name] += value
    subtree = Organization.objects.subtree_ids([sender.pk])
    share = plan_share(sender, year)
    files = Candidate.objects.filter(org_id__in=subtree)
    order = [value for value, _label in OrgType.choices] + [UNTYPED]
    later: dict[str, int] | None = None
    if second_half and second_half_start(year) > start:
        half = report_counts(sender, start=second_half_start(year), as_of=cutoff)
        later = half.root.counts.as_dict()
    return {
        "org": sender.code,
        "from": start.isoformat(),
        "as_of": cutoff.isoformat(),
        "counts": counts,
        "second_half": later,
        "stages": {stage: report.root.stages.get(stage, 0) for stage in STAGES},
        "share": share,
        "pool": pool_check(counts["activists"], share, counts["developed"]),
        "by_type": [
            {"type": key, "counts": by_type[key]}
            for key in sorted(by_type, key=lambda k: order.index(k) if k in order else len(order))
        ],
        # The signals of fazhan.policy.signals: overdue now (at filling time), irregular.
        "overdue": overdue_now(files, today()).count(),
        "irregular": irregular(files).count(),
        "notices": Notice.objects.filter(
            org_id__in=subtree,
            status=NoticeStatus.PUBLISHED,
            first_day__gte=start,
            first_day__lte=cutoff,
        ).count(),
        "meetings": Meeting.objects.filter(
            org_id__in=subtree,
            status=MeetingStatus.CLOSED,
            held_on__gte=start,
            held_on__lte=cutoff,
        ).count(),
    } | {key: extra.compute(subtree, cutoff, start) for key, extra in EXTRA.items()}


def last_year(day: date) -> date:
    """The same day a year before (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)
