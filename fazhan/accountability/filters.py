"""The register's filters, shared by the page and its Excel export (the export is the list seen)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from django.db.models import Count, Q, QuerySet

from fazhan.accountability.models import LIVE_STATES, ClosedBecause, Irregularity, Severity, State
from fazhan.orgs.models import Organization

LIVE = "live"
PAGE_SIZE = 50
# What the list and the export show of a row, the names joined in as two columns: building the
# file, the person and the organization of every row as model instances (and converting the
# person's encrypted fields) would cost more than the query itself; so would a model instance of
# the row (bench/bench_register.py).
COLUMNS = (
    "pk",
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
    "candidate__person__name",
    "org__name",
)
SEVERITY_LABELS: Mapping[str, object] = dict(Severity.choices)
STATE_LABELS: Mapping[str, object] = dict(State.choices)
CLOSED_BECAUSE_LABELS: Mapping[str, object] = dict(ClosedBecause.choices)


class Row(NamedTuple):
    """One line of the register as listed (what the page and the export show, in COLUMNS order),
    with the labels the templates ask a model instance for. A tuple: made fifty at a time for
    every page, it costs a tenth of a model instance."""

    pk: int
    finding: str
    severity: str
    step: str
    finding_date: date
    basis: str
    message: str
    found_on: date
    state: str
    closed_on: date | None
    closed_because: str
    person_name: str
    org_name: str

    def get_severity_display(self) -> str:
        return str(SEVERITY_LABELS.get(self.severity, self.severity))

    def get_state_display(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))

    def get_closed_because_display(self) -> str:
        return str(CLOSED_BECAUSE_LABELS.get(self.closed_because, self.closed_because))


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def filter_register(user: Any, params: Any) -> QuerySet[Irregularity]:
    """By organization (its subtree), severity, state (default: not closed), category (the
    finding id or its family, `order` for `order.S07`), step, date found (both ends included),
    and name. The conditions go in one filter() (each filter() copies the whole query)."""
    where: list[Q] = []
    org = str(params.get("org", ""))
    if org.isdigit():
        where.append(Q(org_id__in=Organization.objects.subtree_ids([int(org)])))
    severity = params.get("severity", "")
    if severity in Severity.values:
        where.append(Q(severity=severity))
    state = params.get("state", LIVE)
    if state in State.values:
        where.append(Q(state=state))
    elif state == LIVE:
        # An IN list, not exclude() (IrregularityQuerySet.live).
        where.append(Q(state__in=LIVE_STATES))
    finding = str(params.get("finding", "")).strip()
    if finding:
        where.append(Q(finding=finding) | Q(finding__startswith=finding + "."))
    step = str(params.get("step", "")).strip()
    if step:
        where.append(Q(step=step))
    since, until = _day(params.get("from", "")), _day(params.get("to", ""))
    # A plain range on the column (never a function of it): the found_on index serves it.
    if since:
        where.append(Q(found_on__gte=since))
    if until:
        where.append(Q(found_on__lte=until))
    query = str(params.get("q", "")).strip()
    if query:
        where.append(
            Q(candidate__person__name__contains=query)
            | Q(candidate__person__name_initials__startswith=query.lower())
        )
    return Irregularity.objects.visible_to(user).filter(*where).order_by("-found_on", "-pk")


def totals_by_severity(rows: QuerySet[Irregularity], params: Any) -> dict[str, int]:
    """How many rows of each severity (those with none left out); every row has one, so their
    sum is the total (the page needs no second COUNT). With one severity chosen, its count is
    the whole list: a plain COUNT, no grouping."""
    severity = params.get("severity", "")
    if severity in Severity.values:
        count = rows.count()
        return {str(severity): count} if count else {}
    found = rows.order_by().values_list("severity").annotate(n=Count("pk"))
    return {str(severity): int(n) for severity, n in found}


def listed(rows: QuerySet[Irregularity]) -> QuerySet[Irregularity, tuple[Any, ...]]:
    """The rows as tuples of COLUMNS, in the register's order: slice it, then as_rows()."""
    return rows.values_list(*COLUMNS)


def as_rows(values: Iterable[Sequence[Any]]) -> list[Row]:
    return [Row._make(value) for value in values]
