"""The three signals of a candidate file, each meaning one thing (issue 14 item 4).

- **overdue** (已逾期): a next step's latest date has passed and nothing is recorded for it yet.
  The latest date itself is still in time; the day after is overdue.
- **late** (曾超期): a `late` finding of a step that was recorded, but after its deadline. The
  engine also reports a step still missing after its deadline as a `late` finding dated on that
  deadline (contracts §3); that one is the overdue signal, not counted twice.
- **irregular** (违规): a `violation` finding: a step recorded against the rules.

Every badge, list filter and count in the back office reads one of these, derived here from the
engine's next steps and findings, so the list, the home page and the candidate page agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

OVERDUE = "overdue"
LATE = "late"
IRREGULAR = "irregular"
SIGNALS = (OVERDUE, LATE, IRREGULAR)
# The finding severity each counting signal reads (contracts §3).
SEVERITY = {LATE: "late", IRREGULAR: "violation"}


class HasLatest(Protocol):
    @property
    def step(self) -> str: ...

    @property
    def latest(self) -> date | None: ...


class HasSeverity(Protocol):
    @property
    def severity(self) -> str: ...

    @property
    def step(self) -> str: ...

    @property
    def date(self) -> date: ...


def is_overdue(latest: date | None, as_of: date) -> bool:
    """A deadline has passed: the day after `latest`, never on it."""
    return latest is not None and latest < as_of


@dataclass(frozen=True, slots=True)
class Signals:
    overdue_steps: tuple[str, ...]
    overdue_since: date | None  # the earliest passed deadline
    next_due: date | None  # the nearest deadline of the next steps, passed or not
    late: int
    irregular: int

    @property
    def overdue(self) -> bool:
        return bool(self.overdue_steps)

    @property
    def any(self) -> bool:
        return self.overdue or self.late > 0 or self.irregular > 0


def signals(
    next_steps: Iterable[HasLatest], findings: Iterable[HasSeverity], as_of: date
) -> Signals:
    """The signals of one file as at the end of `as_of`. `findings` are the ones that count (a
    roster import's gaps left out by the caller, `fazhan.policy.gaps`)."""
    steps = list(next_steps)
    passed = [s for s in steps if is_overdue(s.latest, as_of)]
    dated = [s.latest for s in steps if s.latest is not None]
    # A late finding dated on the deadline of a step overdue now is that same missing step.
    missing = {(s.step, s.latest) for s in passed}
    severities = [
        f.severity
        for f in findings
        if not (f.severity == SEVERITY[LATE] and (f.step, f.date) in missing)
    ]
    return Signals(
        overdue_steps=tuple(s.step for s in passed),
        overdue_since=min((s.latest for s in passed if s.latest is not None), default=None),
        next_due=min(dated, default=None),
        late=severities.count(SEVERITY[LATE]),
        irregular=severities.count(SEVERITY[IRREGULAR]),
    )
