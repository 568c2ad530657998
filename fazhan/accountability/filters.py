"""The register's filters, shared by the page and its Excel export (the export is the list seen)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from fazhan.accountability.models import Irregularity, Severity, State
from fazhan.orgs.models import Organization

LIVE = "live"


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def filter_register(user: Any, params: Any) -> QuerySet[Irregularity]:
    """By organization (its subtree), severity, state (default: not closed), category (the
    finding id or its family, `order` for `order.S07`), step, date found, and name."""
    rows = Irregularity.objects.visible_to(user).select_related("candidate__person", "org")
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
