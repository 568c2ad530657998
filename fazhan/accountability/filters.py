"""The register's filters, shared by the page and its Excel export (the export is the list seen)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F, Q, QuerySet

from fazhan.accountability.models import Irregularity, Severity, State
from fazhan.orgs.models import Organization

LIVE = "live"
LISTED = (
    "finding",
    "severity",
    "step",
    "finding_date",
    "basis",
    "message",
    "found_on",
    "state",
    "closed_on",
    "closed_because",
    "candidate_id",
    "org_id",
)


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def filter_register(user: Any, params: Any) -> QuerySet[Irregularity]:
    """By organization (its subtree), severity, state (default: not closed), category (the
    finding id or its family, `order` for `order.S07`), step, date found, and name."""
    rows = (
        Irregularity.objects.visible_to(user)
        # What the list and the export show, the names joined in as two columns: building the
        # file, the person and the organization of every row as model instances (and converting
        # the person's encrypted fields) would cost more than the query itself.
        .only(*LISTED)
    )
    org = str(params.get("org", ""))
    if org.isdigit():
        rows = rows.filter(org_id__in=Organization.objects.subtree_ids([int(org)]))
    severity = params.get("severity", "")
    if severity in Severity.values:
        rows = rows.filter(severity=severity)
    state = params.get("state", LIVE)
    if state in State.values:
        rows = rows.filter(state=state)
    elif state == LIVE:
        rows = rows.live()
    finding = str(params.get("finding", "")).strip()
    if finding:
        rows = rows.filter(Q(finding=finding) | Q(finding__startswith=finding + "."))
    step = str(params.get("step", "")).strip()
    if step:
        rows = rows.filter(step=step)
    since, until = _day(params.get("from", "")), _day(params.get("to", ""))
    if since:
        rows = rows.filter(found_on__gte=since)
    if until:
        rows = rows.filter(found_on__lte=until)
    query = str(params.get("q", "")).strip()
    if query:
        rows = rows.filter(
            Q(candidate__person__name__contains=query)
            | Q(candidate__person__name_initials__startswith=query.lower())
        )
    return rows.order_by("-found_on", "-pk")


def with_names(rows: QuerySet[Irregularity]) -> QuerySet[Irregularity]:
    """The rows with the person's and the organization's names joined in as two columns (for
    the page and the export; counting needs no join)."""
    return rows.annotate(person_name=F("candidate__person__name"), org_name=F("org__name"))
