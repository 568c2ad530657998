"""Would the decision a notice serves be refused, and why? The engine's own answer, ahead of time.

The notice page tells staff, per candidate, what stands between them and the decision (S03, S07,
S15, converting S23): the notice still running (contracts §3 notice.missing: the notice must end
before the decision's date) or an item still pending or upheld (notice.objection_open). It asks
`fazhan.policy.evaluate` about the candidate's file with the decision added on the given day, so
the page and `do_record_step`'s live refusal cannot disagree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fazhan.core.errors import Reason
from fazhan.people.models import Candidate
from fazhan.people.record import candidate_document
from fazhan.policy.engine import evaluate
from fazhan.policy.parse import Unreadable, parse_document

NOTICE_FINDINGS = frozenset({"notice.missing", "notice.objection_open"})
# A placeholder vote that passes every vote rule: only the notice findings are read here.
_VOTE = {
    "expected": 3,
    "present": 3,
    "for": 3,
    "against": 0,
    "abstain": 0,
    "secret": True,
    "candidates": 1,
    "issued": 3,
    "returned": 3,
    "tellers": 1,
    "monitors": 1,
}
_PAYLOAD: dict[str, dict[str, Any]] = {
    "S03": {"nomination": "member"},
    "S07": {},
    "S15": {"result": "pass", "vote": _VOTE},
    "S23": {"result": "pass", "outcome": "convert", "vote": _VOTE},
}


def decision_blockers(candidate: Candidate, decision: str, on: date) -> list[Reason]:
    """The notice findings the engine would raise on `decision` recorded on `on`."""
    document = candidate_document(candidate, None, on)
    document["events"].append(
        {"id": "decision", "type": decision, "date": on.isoformat(), **_PAYLOAD[decision]}
    )
    try:
        result = evaluate(parse_document(document))
    except Unreadable:
        return []
    return [
        Reason(f.message, f.basis, f.id)
        for f in result.findings
        if f.id in NOTICE_FINDINGS and f.step == decision and f.date == on
    ]
