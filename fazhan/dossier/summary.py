"""What the candidate page and the home page read of the dossier: past facts with their paper
and people, the 思想汇报 log and its missing quarters (fazhan.policy.thoughts), pending
confirmations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from fazhan.accounts.authority import authority
from fazhan.accounts.models import User
from fazhan.audit.models import Event
from fazhan.core import dates
from fazhan.dossier.models import PastFact, PastStatus, ThoughtReport
from fazhan.people.models import Candidate, Stage
from fazhan.policy.thoughts import Quarter, missing_quarters

if TYPE_CHECKING:
    from fazhan.accounts.authority import UserLike

# The stages that owe a 思想汇报 each quarter (brief: activists and development targets).
OWING = (Stage.ACTIVIST, Stage.TARGET)
LIST_ROWS = 12


@dataclass
class PastRow:
    step: str
    happened_on: date | None
    status: str
    status_label: str
    source: str = ""
    source_ref: str = ""
    reason: str = ""
    recorded_by: str = ""
    confirmed_by: str = ""
    exception: bool = False
    note: str = ""
    pk: int | None = None


def _names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    return {
        u.pk: u.display_name or u.username for u in User.objects.filter(pk__in=wanted).only("pk")
    }


def past_rows(candidate: Candidate) -> list[PastRow]:
    """Every past fact of the file: those entered with their paper (PastFact) and, apart, the
    earlier ones recorded as past without it (imports, entries before this page asked)."""
    facts = list(PastFact.objects.filter(candidate=candidate))
    indexed = {f.event_seq for f in facts if f.event_seq}
    older = [
        e
        for e in Event.objects.filter(candidate_id=candidate.pk).only(
            "seq", "kind", "happened_on", "payload", "recorded_by_id"
        )
        if isinstance(e.payload, dict)
        and e.payload.get("mode") == "past"
        and e.seq not in indexed
        and not e.kind.startswith("candidate.")
    ]
    names = _names(
        [f.requested_by_id for f in facts]
        + [f.decided_by_id for f in facts]
        + [e.recorded_by_id for e in older]
    )
    rows = [
        PastRow(
            step=f.step,
            happened_on=f.happened_on,
            status=f.status,
            status_label=f.get_status_display(),
            source=f.get_source_kind_display(),
            source_ref=f.source_ref,
            reason=f.reason,
            recorded_by=names.get(f.requested_by_id, ""),
            confirmed_by=names.get(f.decided_by_id or 0, ""),
            exception=f.exception,
            note=f.decision_note,
            pk=f.pk,
        )
        for f in facts
    ]
    rows += [
        PastRow(
            step=e.kind,
            happened_on=e.happened_on,
            status="unsourced",
            status_label="",
            recorded_by=names.get(e.recorded_by_id or 0, ""),
        )
        for e in older
    ]
    return sorted(rows, key=lambda r: (r.happened_on or date.min, r.step))


def filing_dates(candidate_ids: Iterable[int]) -> dict[int, date]:
    """The S04 date of each file (报上级党委备案: the start of the 思想汇报 expectation), as
    corrected: a voided or replaced S04 gives way to its replacement."""
    ids = list(candidate_ids)
    rows = Event.objects.filter(candidate_id__in=ids, kind__in=("S04", "correct")).values_list(
        "candidate_id", "seq", "kind", "happened_on", "payload"
    )
    found: dict[int, dict[int, date]] = defaultdict(dict)
    superseded: set[int] = set()
    for candidate_id, seq, kind, happened_on, payload in rows:
        if candidate_id is None:
            continue
        if kind == "S04" and happened_on is not None:
            found[candidate_id][seq] = happened_on
        elif kind == "correct" and isinstance(payload, dict):
            if str(payload.get("supersedes", "")).isdigit():
                superseded.add(int(payload["supersedes"]))
            replacement = payload.get("replacement")
            if isinstance(replacement, dict) and replacement.get("type") == "S04":
                with suppress(ValueError):
                    found[candidate_id][seq] = date.fromisoformat(str(replacement.get("date")))
    result = {}
    for candidate_id, by_seq in found.items():
        kept = [d for s, d in by_seq.items() if s not in superseded]
        if kept:
            result[candidate_id] = min(kept)
    return result


def _until(candidate: Candidate, today: date) -> date:
    """The day the 思想汇报 expectation stops: today while the file is an activist's or a
    target's; the admission (S15) once probationary; the day it closed."""
    if candidate.stage in OWING:
        return today
    if candidate.admitted_on is not None:
        return min(candidate.admitted_on, today)
    ended = (
        Event.objects.filter(candidate_id=candidate.pk, kind__in=("withdraw", "reject"))
        .order_by("-happened_on")
        .values_list("happened_on", flat=True)
        .first()
    )
    return min(ended or today, today)


@dataclass
class ThoughtStatus:
    start: date | None
    until: date
    reports: list[ThoughtReport] = field(default_factory=list)
    missing: list[Quarter] = field(default_factory=list)


def _covered(reports: Iterable[ThoughtReport]) -> set[Quarter]:
    return {Quarter(r.period_year, r.period_quarter) for r in reports}


def thought_status(candidate: Candidate, today: date | None = None) -> ThoughtStatus:
    day = today or dates.today()
    reports = list(ThoughtReport.objects.filter(candidate=candidate))
    start = filing_dates([candidate.pk]).get(candidate.pk)
    until = _until(candidate, day)
    missing = missing_quarters(start, until, _covered(reports)) if start else []
    return ThoughtStatus(start=start, until=until, reports=reports, missing=missing)


def missing_in_branches(user: UserLike, today: date | None = None) -> list[dict[str, Any]]:
    """The activists and targets of the user's branches who owe a 思想汇报, most missing first:
    the branch's home list (one query per table, not per file)."""
    day = today or dates.today()
    branches = authority(user).branch_ids()
    if not branches:
        return []
    files = list(
        Candidate.objects.visible_to(user)
        .filter(org_id__in=branches, stage__in=OWING)
        .select_related("person", "org")[:1000]
    )
    ids = [c.pk for c in files]
    started = filing_dates(ids)
    covered: dict[int, list[ThoughtReport]] = defaultdict(list)
    for report in ThoughtReport.objects.filter(candidate_id__in=ids):
        covered[report.candidate_id].append(report)
    rows = []
    for candidate in files:
        missing = missing_quarters(
            started.get(candidate.pk), day, _covered(covered.get(candidate.pk, []))
        )
        if missing:
            rows.append({"candidate": candidate, "missing": missing})
    return sorted(rows, key=lambda r: (-len(r["missing"]), r["candidate"].pk))


def pending_for(user: UserLike) -> list[PastFact]:
    """The exceptions waiting for `user` to confirm: of organizations the user writes for, and
    not the user's own requests."""
    writable = authority(user).writable_ids()
    pending = PastFact.objects.visible_to(user).filter(status=PastStatus.PENDING)
    if writable is not None:
        pending = pending.filter(confirm_org_id__in=writable)
    return list(
        pending.exclude(requested_by_id=user.pk)
        .select_related("candidate__person", "candidate__org")
        .order_by("requested_at")[: LIST_ROWS * 2]
    )
