"""Would the decision a notice serves be refused, and why? (`fazhan.policy.decision`, asked about
the candidate's file as `fazhan.people.record.candidate_document` gives it.)"""

from __future__ import annotations

from datetime import date

from fazhan.core.errors import Reason
from fazhan.people.models import Candidate
from fazhan.people.record import candidate_document
from fazhan.policy import decision as rules
from fazhan.policy.parse import Unreadable, parse_document


def decision_blockers(candidate: Candidate, decision: str, on: date) -> list[Reason]:
    """The notice findings the engine would raise on `decision` recorded on `on`: findings, so
    pages show them in the reader's language by their id (fazhan.core.i18n_data)."""
    try:
        file = parse_document(candidate_document(candidate, None, on))
    except Unreadable:
        return []
    return [Reason(f.message, f.basis, f.id) for f in rules.decision_blockers(file, decision, on)]
