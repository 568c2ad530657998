"""The tally of one motion across its three channels, and the hash that seals its ballots.

Pure Python, no Django: anonymous paper ballots (counted by two tellers), anonymous in-room
electronic ballots, and named written opinions of absent voting members (background §A.4). The
rules themselves are `fazhan.policy.voting`'s (细则 arts. 20, 21, 33; integers only): this module
only adds the channels up and tells a void vote (more ballots back than handed out: it is held
again) from a tally the tellers must correct and from a decision.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import gettext as _

from fazhan.policy.voting import Decision, Tally, decide

PASS, FAIL, VOID = "pass", "fail", "void"


@dataclass(frozen=True)
class Counts:
    """Everything a motion's result is computed from; all integers, all counts."""

    expected: int  # 应到会有表决权的正式党员, frozen at the opening
    present: int  # 有表决权的到会人数 (the roll call), frozen at the opening
    written_for: int = 0
    written_against: int = 0
    written_abstain: int = 0
    # Paper ballots, as the two tellers agreed.
    paper_issued: int = 0
    paper_returned: int = 0
    paper_valid: int = 0
    paper_invalid: int = 0
    paper_for: int = 0
    paper_against: int = 0
    paper_abstain: int = 0
    # Electronic ballots: codes printed, cards handed out (counted by the tellers), ballots cast.
    e_generated: int = 0
    e_issued: int = 0
    e_for: int = 0
    e_against: int = 0
    e_abstain: int = 0

    @property
    def e_cast(self) -> int:
        return self.e_for + self.e_against + self.e_abstain

    @property
    def issued(self) -> int:
        return self.paper_issued + self.e_issued

    @property
    def returned(self) -> int:
        # An electronic card that was handed out but not used is a ballot not returned.
        return self.paper_returned + self.e_cast

    @property
    def in_favour(self) -> int:
        return self.paper_for + self.e_for

    @property
    def against(self) -> int:
        return self.paper_against + self.e_against

    @property
    def abstain(self) -> int:
        return self.paper_abstain + self.e_abstain

    def policy_tally(self) -> Tally:
        return Tally(
            expected=self.expected,
            present=self.present,
            in_favour=self.in_favour,
            against=self.against,
            abstain=self.abstain,
            written_for=self.written_for,
            written_against=self.written_against,
            written_abstain=self.written_abstain,
            issued=self.issued,
            returned=self.returned,
            invalid=self.paper_invalid,
        )

    def as_payload(self) -> dict[str, int]:
        """The counts as the tally event and the stored tally carry them (sorted keys)."""
        data: dict[str, int] = asdict(self)
        data["e_cast"] = self.e_cast
        data["issued"] = self.issued
        data["returned"] = self.returned
        data["valid"] = self.paper_valid + self.e_cast
        data["invalid"] = self.paper_invalid
        data["for"] = self.in_favour
        data["against"] = self.against
        data["abstain"] = self.abstain
        return dict(sorted(data.items()))


@dataclass(frozen=True)
class Outcome:
    """`result` is pass, fail or void; `problems` are what the tellers must correct first (a
    tally with problems cannot be announced), void aside."""

    result: str | None
    decision: Decision
    problems: tuple[str, ...]
    void: bool

    @property
    def closable(self) -> bool:
        return self.result is not None


def channel_problems(counts: Counts) -> list[str]:
    """Checks of the channels themselves, on top of `fazhan.policy.voting.reconcile`."""
    problems: list[str] = []
    if counts.paper_valid != counts.paper_for + counts.paper_against + counts.paper_abstain:
        problems.append(_("纸质有效票数不等于赞成、反对、弃权之和"))
    if counts.paper_valid + counts.paper_invalid != counts.paper_returned:
        problems.append(_("纸质有效票与无效票之和不等于收回的纸质选票"))
    if counts.e_cast > counts.e_issued:
        problems.append(
            _("电子选票 %(cast)s 张多于发出的票卡 %(issued)s 张")
            % {"cast": counts.e_cast, "issued": counts.e_issued}
        )
    if counts.e_issued > counts.e_generated:
        problems.append(
            _("发出的票卡 %(issued)s 张多于印制的 %(made)s 张")
            % {"issued": counts.e_issued, "made": counts.e_generated}
        )
    return problems


def outcome(counts: Counts) -> Outcome:
    """The result of a motion: void when more ballots came back than were handed out (election
    practice: the vote is held again); no result while the tally is inconsistent; otherwise
    pass exactly when `fazhan.policy.voting.decide` finds a quorum and a majority of the
    expected (细则 arts. 20–21)."""
    decision = decide(counts.policy_tally())
    if counts.returned > counts.issued:
        return Outcome(VOID, decision, (), True)
    problems = tuple(dict.fromkeys([*channel_problems(counts), *decision.problems]))
    if problems:
        return Outcome(None, decision, problems, False)
    return Outcome(PASS if decision.passed else FAIL, decision, (), False)


def ballots_digest(ballots: Iterable[tuple[Any, str]]) -> str:
    """SHA-256 hex of the canonical sorted (ballot id, choice) list (DESIGN principle 7).

    Each ballot is `[str(uuid), choice]` (the UUID in its canonical 36-character lowercase form);
    the list is sorted and encoded as compact JSON, UTF-8: `[["0a…","for"],["1b…","against"]]`.
    No ballots encode as `[]`. docs/meetings.md repeats this so that anyone can recompute it.
    """
    rows = sorted([str(ballot_id), str(choice)] for ballot_id, choice in ballots)
    encoded = json.dumps(rows, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()
