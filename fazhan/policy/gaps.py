"""Import gaps (Step 9 item 6): findings that only say the source of an import could not hold a
step, not that the step was skipped.

A roster (fazhan/imports/roster.py) has columns for the steps a district's spreadsheets keep, and
none for the branch committee's review (S12), the volunteer form (S14), the committee's talk (S16)
or the application for full membership (S22). A file imported from a roster therefore carries the
order findings those missing steps cause, on the events it brought with it. Such a finding is a
gap: it is shown apart and kept out of the counts of breaches (and, later, the accountability
register). Recording the missing step as a past fact makes the engine drop the finding itself.
A finding on an event recorded after the import is no gap: by then the step could be recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from fazhan.policy.engine import Finding

# finding id → the step whose absence alone causes it (contracts §3 order table; approval.no_talk
# is an S17 with no S16 before it).
ROSTER_GAPS: dict[str, str] = {
    "order.S13": "S12",
    "order.S15": "S14",
    "order.S23": "S22",
    "approval.no_talk": "S16",
}


def gap_keys(findings: Iterable[Finding], imported_on: date | None) -> set[tuple[str, str, date]]:
    """(id, step, date) of the findings that are import gaps of a file imported from a roster on
    `imported_on` (None: not imported from a roster, so no gap)."""
    if imported_on is None:
        return set()
    return {
        (f.id, f.step, f.date) for f in findings if f.id in ROSTER_GAPS and f.date <= imported_on
    }
