"""Approval clocks: three and six months from the branch meeting (细则 art. 25), and three
months from the conversion meeting for S24.

Read from the candidates' projections (the engine's `next` steps), never from a second copy of the
rules: an S17 is due from the passed S15 (latest three months on, six at most), an S24 from a
passed S23. `approval_reminders` prints these; the queues show them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fazhan.people.models import Candidate, Stage
from fazhan.policy.calendar import add_months

SOON = timedelta(days=14)


@dataclass(frozen=True)
class Reminder:
    candidate_id: int
    name: str
    org_name: str
    step: str
    since: date  # the meeting the approval answers
    due: date  # three months on
    limit: date | None  # six months on (S17 only: 细则 art. 25 特殊情况)
    level: str  # waiting / soon / late / expired

    @property
    def deadline(self) -> date:
        return self.due if self.level in ("waiting", "soon") or self.limit is None else self.limit

    @property
    def label(self) -> str:
        return {
            "waiting": _("待审批"),
            "soon": _("即将到期"),
            "late": _("已超过三个月"),
            "expired": _("已超过六个月"),
        }[self.level]


def _level(today: date, due: date, limit: date | None) -> str:
    if limit is not None and today > limit:
        return "expired"
    if today > due:
        return "late"
    if today >= due - SOON:
        return "soon"
    return "waiting"


def approvals_waiting(candidates: QuerySet[Candidate], today: date) -> list[Reminder]:
    """Every S17 and S24 awaited among `candidates`, oldest meeting first."""
    rows: Iterable[Candidate] = (
        candidates.filter(stage=Stage.PROBATIONARY)
        .select_related("person", "org")
        .only(
            "pk",
            "admitted_on",
            "approved_on",
            "projection",
            "person__name",
            "org__name",
            "stage",
        )
    )
    found = []
    for candidate in rows:
        for step in (candidate.projection or {}).get("next", []):
            if step.get("step") not in ("S17", "S24"):
                continue
            if step["step"] == "S17":
                since = candidate.admitted_on or date.fromisoformat(step["earliest"])
                due, limit = add_months(since, 3), add_months(since, 6)
            else:
                since = date.fromisoformat(step["earliest"])
                due, limit = add_months(since, 3), None
            found.append(
                Reminder(
                    candidate_id=candidate.pk,
                    name=candidate.person.name,
                    org_name=candidate.org.name,
                    step=step["step"],
                    since=since,
                    due=due,
                    limit=limit,
                    level=_level(today, due, limit),
                )
            )
    return sorted(found, key=lambda r: (r.since, r.candidate_id))


def reminders(candidates: QuerySet[Candidate], today: date) -> list[Reminder]:
    """The ones to remind of: due within 14 days, or past three or six months."""
    return [r for r in approvals_waiting(candidates, today) if r.level != "waiting"]
