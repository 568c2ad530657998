"""The pure parts: the record's membership facts and the fold of a member's changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fazhan.members.state import FULL, PROBATIONARY, MemberState, fold
from fazhan.policy.membership import Fact, membership_facts
from fazhan.policy.model import Event
from fazhan.policy.nextsteps import KeyDates


@dataclass
class Change:
    happened_on: date | None
    pk: int
    org_id: int | None = None
    status: str = ""
    active: bool | None = None
    under_discipline: bool | None = None
    rights_restored: bool | None = None
    voided: bool = False


CURRENT = MemberState(9, FULL, True, False, False)


def test_it_applies_a_change_from_its_own_day():
    changes = [
        Change(date(2024, 1, 10), 1, org_id=1, status=PROBATIONARY, active=True),
        Change(date(2025, 1, 10), 2, status=FULL),
        Change(date(2025, 3, 1), 3, active=False),
    ]
    assert not fold(CURRENT, changes, date(2024, 1, 9)).active
    assert fold(CURRENT, changes, date(2024, 1, 10)).status == PROBATIONARY
    assert not fold(CURRENT, changes, date(2025, 1, 9)).may_vote
    assert fold(CURRENT, changes, date(2025, 1, 10)).may_vote
    assert not fold(CURRENT, changes, date(2025, 3, 1)).active


def test_it_reads_a_member_without_history_as_the_roster_holds_them_after_joining():
    assert fold(CURRENT, [], date(2000, 1, 1)) == CURRENT
    assert not fold(CURRENT, [], date(2000, 1, 1), joined_on=date(2000, 1, 2)).active
    earlier = fold(CURRENT, [], date(2000, 1, 1), converted_on=date(2000, 1, 2))
    assert earlier.status == PROBATIONARY and not earlier.may_vote


def test_it_ignores_voided_changes_and_keeps_nobody_when_all_are_voided():
    changes = [
        Change(date(2024, 1, 10), 1, org_id=1, status=PROBATIONARY, active=True, voided=True)
    ]
    assert not fold(CURRENT, changes, date(2024, 6, 1)).active


def test_it_dates_the_conversion_at_the_end_of_probation_and_moves_with_a_transfer():
    events = [
        Event("transfer-in", date(2020, 9, 5), from_org_id=1, to_org_id=2),
    ]
    dates = KeyDates(
        admitted_on=date(2020, 6, 29),
        approved_on=date(2020, 7, 22),
        probation_end=date(2021, 6, 29),
        converted_on=date(2021, 7, 13),
    )
    assert membership_facts(events, dates, "member") == [
        Fact("joined", date(2020, 7, 22), 1),
        Fact("transferred", date(2020, 9, 5), 2),
        Fact("converted", date(2021, 6, 29)),
    ]
    assert membership_facts(events, KeyDates(admitted_on=date(2020, 6, 29)), "probationary") == []
