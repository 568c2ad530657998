"""The pre-review checklist and flags in the reader's language.

The rules are `fazhan.policy.checklist` (pure, also read by `fazhan check`); this adapter reads the
candidate's file as `fazhan.people.record.candidate_document` gives it and translates the items
(fazhan.core.i18n_data.rule_text).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from fazhan.core import dates
from fazhan.core.i18n_data import rule_text
from fazhan.people.models import Candidate
from fazhan.people.record import candidate_document
from fazhan.policy import checklist as rules
from fazhan.policy.engine import effective_events
from fazhan.policy.model import CandidateFile
from fazhan.policy.parse import Unreadable, parse_document


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _file(candidate: Candidate, as_of: date) -> CandidateFile | None:
    try:
        return parse_document(candidate_document(candidate, None, as_of))
    except Unreadable:
        return None


def checklist(candidate: Candidate, as_of: date | None = None) -> list[Item]:
    day = as_of or dates.today()
    file = _file(candidate, day)
    events = effective_events(file.events, day) if file is not None else []
    return [
        Item(item.key, rule_text(item.label), item.ok, rule_text(item.detail))
        for item in rules.checklist(events, day)
    ]


def leaving_flags(candidate: Candidate, as_of: date | None = None) -> list[str]:
    """细则 art. 19 and seed 毕业前突击发展: flagged, not refused (fazhan.policy.checklist)."""
    day = as_of or dates.today()
    file = _file(candidate, day)
    if file is None:
        return []
    return [rule_text(flag) for flag in rules.leaving_flags(file.person, day)]


def due_in_working_days(start: date, days: int) -> date:
    from fazhan.policy.calendar import shipped_table

    return shipped_table().add_workdays(start + timedelta(days=1), days)
