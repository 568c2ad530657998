"""Whether a motion about a candidate may be put to the meeting today, and if not, why.

The rule is `fazhan.policy.gates.meeting_gates` (also asked by `fazhan check`); this adapter reads
the candidate's file as `fazhan.people.record.candidate_document` gives it (feedback on notices
folded in, corrections applied by the engine's `effective_events`) and gives the reasons in the
reader's language.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fazhan.core.errors import Reason
from fazhan.core.rulings import reasons
from fazhan.people.record import candidate_document
from fazhan.policy.engine import effective_events
from fazhan.policy.gates import meeting_gates
from fazhan.policy.model import Event as FileEvent
from fazhan.policy.parse import Unreadable, parse_document


def _file_events(candidate: Any, today: date) -> list[FileEvent]:
    document = candidate_document(candidate, as_of=today)
    try:
        parsed = parse_document(document)
    except Unreadable as error:  # pragma: no cover - the chain only holds readable events
        raise ValueError(f"档案无法读取：{error.field}：{error.problem}") from None
    return effective_events(parsed.events, today)


def candidate_gates(
    candidate: Any, step: str, today: date, outcome: str | None = None
) -> list[Reason]:
    """Why a meeting cannot vote on `candidate` for `step` (S15 or S23, with the S23's
    `outcome`) today; empty if it can."""
    return reasons(
        meeting_gates(
            _file_events(candidate, today),
            step=step,
            stage=str(candidate.stage),
            suspended=bool(candidate.suspended),
            today=today,
            outcome=outcome,
        )
    )
