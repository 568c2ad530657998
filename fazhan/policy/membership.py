"""What a candidate's record says about the Party-member roster (Issue 12 item 4).

Pure: from the effective events of a file and its key dates, the dated membership facts the
branch's member roster follows. An approving S17 makes the person a probationary member of the
branch (细则 art. 23, dated the approval); each extension approved by a later S24 is recorded
(细则 art. 32); an approved conversion makes them a full member dated the end of the probationary
year (党章 art. 7: 党龄 counts from the expiry of probation); an approved revocation takes them off
the roster dated the approval; a transfer within the district while they are a member moves them
(细则 art. 30). Corrections are already applied in the events given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from fazhan.policy.model import Event
from fazhan.policy.nextsteps import KeyDates

JOINED = "joined"
CONVERTED = "converted"
EXTENDED = "extended"
REVOKED = "revoked"
TRANSFERRED = "transferred"


@dataclass(frozen=True)
class Fact:
    """One dated change of a member the record decides. `org_id` is the branch after the change
    (None: the file's own branch at that time, which the caller knows); `months` an extension's
    length."""

    kind: str
    happened_on: date
    org_id: int | None = None
    months: int | None = None


def membership_facts(events: Sequence[Event], dates: KeyDates, stage: str) -> list[Fact]:
    """The record's membership facts in date order (empty when no S17 approved the admission)."""
    joined = dates.approved_on
    if joined is None:
        return []
    ordered = list(events)
    transfers = [
        e
        for e in ordered
        if e.type == "transfer-in" and e.to_org_id is not None and e.date >= joined
    ]
    # The branch at the approval: the one the first later transfer left, else the file's own.
    first_org = transfers[0].from_org_id if transfers else None
    facts = [Fact(JOINED, joined, first_org)]
    facts += [Fact(TRANSFERRED, t.date, t.to_org_id) for t in transfers]
    for position, s23 in enumerate(ordered):
        if s23.type != "S23" or s23.result != "pass" or s23.outcome != "extend":
            continue
        approval = next(
            (e for e in ordered[position + 1 :] if e.type == "S24" and e.result == "approved"),
            None,
        )
        if approval is not None and approval.date >= joined:
            facts.append(Fact(EXTENDED, approval.date, months=s23.extension_months))
    if stage == "revoked" and dates.closed_on is not None:
        facts.append(Fact(REVOKED, max(dates.closed_on, joined)))
    elif dates.converted_on is not None:
        # 党章 art. 7: a full member from the day probation expires, not from the approval.
        when = dates.probation_end or dates.converted_on
        facts.append(Fact(CONVERTED, max(when, joined)))
    order = {JOINED: 0, TRANSFERRED: 1, EXTENDED: 2, CONVERTED: 3, REVOKED: 4}
    return sorted(facts, key=lambda f: (f.happened_on, order[f.kind]))
