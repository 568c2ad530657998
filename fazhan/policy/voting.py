"""The branch general meeting's arithmetic (细则 arts. 20, 21, 33): integers only.

Both the quorum and the majority are measured against the expected voting members (应到会有表决权的
正式党员), never against those present. Written opinions handed in before the meeting by absent
voting members count in the tally (art. 21) but not in the quorum, which counts those present.
"""

from __future__ import annotations

from dataclasses import dataclass


def quorum_met(expected: int, present: int) -> bool:
    """细则 art. 20: those present must be more than half of those expected (exactly half fails)."""
    return present * 2 > expected


def majority_met(expected: int, in_favour: int, written_for: int = 0) -> bool:
    """细则 art. 21: votes for, written ones included, must exceed half of those expected."""
    return (in_favour + written_for) * 2 > expected


@dataclass(frozen=True)
class Tally:
    expected: int
    present: int
    in_favour: int
    against: int = 0
    abstain: int = 0
    written_for: int = 0
    written_against: int = 0
    written_abstain: int = 0
    issued: int | None = None
    returned: int | None = None
    invalid: int = 0


@dataclass(frozen=True)
class Decision:
    passed: bool
    quorum: bool
    majority: bool
    problems: tuple[str, ...]


def reconcile(tally: Tally) -> tuple[str, ...]:
    """Inconsistencies a teller must resolve before a result can stand (Chinese, for the page)."""
    problems: list[str] = []
    counts = (
        tally.expected,
        tally.present,
        tally.in_favour,
        tally.against,
        tally.abstain,
        tally.written_for,
        tally.written_against,
        tally.written_abstain,
        tally.invalid,
    )
    if any(value < 0 for value in counts):
        problems.append("票数不能为负数")
    if tally.present > tally.expected:
        problems.append(f"实到 {tally.present} 人多于应到 {tally.expected} 人")
    written = tally.written_for + tally.written_against + tally.written_abstain
    if tally.present + written > tally.expected:
        problems.append("实到人数与书面意见人数之和多于应到人数")
    valid = tally.in_favour + tally.against + tally.abstain
    if tally.returned is not None:
        if tally.issued is not None and tally.returned > tally.issued:
            # Election practice: more ballots back than handed out voids the vote.
            problems.append(f"收回选票 {tally.returned} 张多于发出 {tally.issued} 张，表决无效")
        if valid + tally.invalid != tally.returned:
            problems.append(
                f"有效票 {valid} 张与无效票 {tally.invalid} 张之和不等于收回的 {tally.returned} 张"
            )
    elif valid + tally.invalid > tally.present:
        problems.append("票数之和多于实到人数")
    if tally.issued is not None and tally.issued > tally.present:
        problems.append(f"发出选票 {tally.issued} 张多于实到 {tally.present} 人")
    return tuple(problems)


def decide(tally: Tally) -> Decision:
    """The meeting's decision: passes only with a quorum, a majority and a consistent tally."""
    problems = reconcile(tally)
    quorum = quorum_met(tally.expected, tally.present)
    majority = majority_met(tally.expected, tally.in_favour, tally.written_for)
    return Decision(
        passed=quorum and majority and not problems,
        quorum=quorum,
        majority=majority,
        problems=problems,
    )
