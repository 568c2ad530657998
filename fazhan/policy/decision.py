"""Would the decision a notice serves be refused, and why? The engine's own answer, ahead of time.

The notice page tells staff, per candidate, what stands between them and the decision (S03, S07,
S15, converting S23): the notice still running (contracts §3 notice.missing: the notice must end
before the decision's date) or an item still pending or upheld (notice.objection_open). It asks
`evaluate` about the file with the decision added on the given day, so the page and live
recording's refusal cannot disagree.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from fazhan.policy.calendar import HolidayTable
from fazhan.policy.engine import Finding, evaluate
from fazhan.policy.model import CandidateFile, Event, Vote

NOTICE_FINDINGS = frozenset({"notice.missing", "notice.objection_open"})
DECISIONS = ("S03", "S07", "S15", "S23")
# A placeholder vote that passes every vote rule: only the notice findings are read here.
_VOTE = Vote(
    expected=3,
    present=3,
    in_favour=3,
    against=0,
    abstain=0,
    secret=True,
    candidates=1,
    issued=3,
    returned=3,
    tellers=1,
    monitors=1,
)


def _decision(kind: str, on: date, index: int) -> Event:
    event = Event(type=kind, date=on, index=index, id="decision")
    if kind == "S03":
        event.nomination = "member"
    elif kind in ("S15", "S23"):
        event.result = "pass"
        event.vote = _VOTE
        if kind == "S23":
            event.outcome = "convert"
    return event


def decision_blockers(
    file: CandidateFile, decision: str, on: date, table: HolidayTable | None = None
) -> list[Finding]:
    """The notice findings the engine would raise on `decision` recorded on `on`."""
    index = max((e.index for e in file.events), default=-1) + 1
    with_decision = replace(file, events=[*file.events, _decision(decision, on, index)], as_of=on)
    result = evaluate(with_decision, as_of=on, table=table)
    return [
        f
        for f in result.findings
        if f.id in NOTICE_FINDINGS and f.step == decision and f.date == on
    ]
