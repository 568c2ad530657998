"""The candidate list's filters, shared by the page and its Excel export (one definition, so an
export is exactly the list seen)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet

from fazhan.accounts.authority import authority
from fazhan.core import dates
from fazhan.orgs.models import Organization, OrgType
from fazhan.people.actions import COMMITTEE_STEPS
from fazhan.people.models import Candidate, Stage
from fazhan.people.signals import irregular, overdue_now, was_late


def open_files(candidates: QuerySet[Candidate]) -> QuerySet[Candidate]:
    # Closed files have no next step, so a due date alone says the file is open; filtering on
    # the date only lets the database walk the next_due index.
    # A file sent out of the district has none (fazhan.people.record.apply_projection).
    return candidates.filter(next_due__isnull=False)


def filter_candidates(user: Any, params: Any) -> QuerySet[Candidate]:
    """The candidate list's filters (subtree, stage, due this week, overdue, waiting for me, has
    findings, suspended; name or pinyin initials), shared by the page and its Excel export."""
    today = dates.today()
    candidates: QuerySet[Candidate] = Candidate.objects.visible_to(user).select_related(
        "person", "org"
    )
    org = str(params.get("org", ""))
    if org.isdigit():
        candidates = candidates.filter(org_id__in=Organization.objects.subtree_ids([int(org)]))
    org_type = params.get("type", "")
    if org_type in OrgType.values:
        # 分类指导 (区委意见二（二）): the files of one unit type.
        candidates = candidates.filter(org__org_type=org_type)
    stage = params.get("stage", "")
    if stage in Stage.values:
        # An open stage lists the files here; one sent out of the district is not open here.
        candidates = candidates.filter(stage=stage, departed_on__isnull=True)
    query = str(params.get("q", "")).strip()
    if query:
        candidates = candidates.filter(
            Q(person__name__contains=query)
            | Q(person__name_initials__startswith=query.lower())
            | Q(person__name_pinyin__startswith=query.lower())
        )
    show = params.get("show", "")
    if show == "week":
        candidates = open_files(candidates).filter(
            next_due__gte=today, next_due__lte=today + timedelta(days=7)
        )
    elif show == "overdue":
        candidates = overdue_now(candidates, today)
    elif show == "late":
        candidates = was_late(candidates)
    elif show == "waiting":
        committee = authority(user).is_committee
        mine = Q(next_step__in=COMMITTEE_STEPS)
        candidates = open_files(candidates).filter(mine if committee else ~mine)
    elif show == "findings":
        candidates = irregular(candidates)
    elif show == "suspended":
        candidates = candidates.filter(suspended=True)
    return candidates
