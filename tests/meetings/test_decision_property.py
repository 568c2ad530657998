"""The decision against an exact rational reference written from the articles' words (细则 arts.
20, 21; background §A.6 A1), on thousands of generated tallies, plus the boundary table."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhan.meetings.tally import FAIL, PASS, VOID, Counts, outcome

HALF = Fraction(1, 2)


def reference(c: Counts) -> str | None:
    """void / pass / fail, or None when the tally is inconsistent; exact rationals, no shortcuts."""
    issued = c.paper_issued + c.e_issued
    returned = c.paper_returned + c.e_for + c.e_against + c.e_abstain
    if returned > issued:  # 收回的选票多于发出的选票：无效
        return VOID
    written = c.written_for + c.written_against + c.written_abstain
    consistent = (
        c.present <= c.expected
        and c.present + written <= c.expected
        and issued <= c.present
        and c.paper_valid == c.paper_for + c.paper_against + c.paper_abstain
        and c.paper_valid + c.paper_invalid == c.paper_returned
        and c.e_for + c.e_against + c.e_abstain <= c.e_issued <= c.e_generated
    )
    if not consistent:
        return None
    if c.expected == 0:
        return FAIL
    # 有表决权的到会人数必须超过应到会有表决权人数的半数 (strictly more than half).
    quorum = Fraction(c.present, c.expected) > HALF
    # 赞成人数（含书面意见）超过应到会有表决权的正式党员的半数 (of the EXPECTED, not the present).
    majority = Fraction(c.paper_for + c.e_for + c.written_for, c.expected) > HALF
    return PASS if quorum and majority else FAIL


@st.composite
def consistent_counts(draw) -> Counts:
    """Tallies as a real meeting produces them: small numbers, every channel adding up."""
    expected = draw(st.integers(0, 60))
    present = draw(st.integers(0, expected))
    absent = expected - present
    written = draw(st.lists(st.sampled_from("fas"), max_size=absent))
    e_generated = draw(st.integers(0, present))
    e_issued = draw(st.integers(0, e_generated))
    e_cast = draw(st.integers(0, e_issued))
    e_for = draw(st.integers(0, e_cast))
    e_against = draw(st.integers(0, e_cast - e_for))
    paper_issued = draw(st.integers(0, present - e_issued))
    returned = draw(st.integers(0, paper_issued + draw(st.sampled_from([0, 0, 0, 1, 2]))))
    invalid = draw(st.integers(0, returned))
    valid = returned - invalid
    paper_for = draw(st.integers(0, valid))
    paper_against = draw(st.integers(0, valid - paper_for))
    return Counts(
        expected=expected,
        present=present,
        written_for=written.count("f"),
        written_against=written.count("a"),
        written_abstain=written.count("s"),
        paper_issued=paper_issued,
        paper_returned=returned,
        paper_valid=valid,
        paper_invalid=invalid,
        paper_for=paper_for,
        paper_against=paper_against,
        paper_abstain=valid - paper_for - paper_against,
        e_generated=e_generated,
        e_issued=e_issued,
        e_for=e_for,
        e_against=e_against,
        e_abstain=e_cast - e_for - e_against,
    )


small = st.integers(0, 12)
any_counts = st.builds(
    Counts,
    expected=small,
    present=small,
    written_for=small,
    written_against=small,
    written_abstain=small,
    paper_issued=small,
    paper_returned=small,
    paper_valid=small,
    paper_invalid=small,
    paper_for=small,
    paper_against=small,
    paper_abstain=small,
    e_generated=small,
    e_issued=small,
    e_for=small,
    e_against=small,
    e_abstain=small,
)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_counts())
def test_it_agrees_with_the_exact_reference_on_consistent_tallies(counts):
    assert outcome(counts).result == reference(counts)


@settings(max_examples=2000, deadline=None)
@given(any_counts)
def test_it_agrees_with_the_exact_reference_on_arbitrary_tallies(counts):
    # Inconsistent tallies have no result (the tellers correct them first), never a wrong one.
    assert outcome(counts).result == reference(counts)


@settings(max_examples=500, deadline=None)
@given(consistent_counts())
def test_it_never_turns_a_pass_into_a_fail_when_one_vote_moves_to_for(counts):
    if counts.paper_against == 0 or outcome(counts).result != PASS:
        return
    moved = Counts(
        **{
            **counts.__dict__,
            "paper_against": counts.paper_against - 1,
            "paper_for": counts.paper_for + 1,
        }
    )
    assert outcome(moved).result == PASS


@pytest.mark.parametrize(
    ("expected", "present", "for_", "written_for", "result"),
    [
        (5, 3, 3, 0, PASS),  # Helios #417: more than half of 5 is 3
        (5, 2, 2, 1, FAIL),  # written opinions count in the tally, not in the quorum
        (6, 3, 3, 0, FAIL),  # exactly half present: no quorum
        (6, 4, 3, 0, FAIL),  # exactly half for: no majority
        (6, 4, 3, 1, PASS),  # a written for tips it
        (10, 8, 5, 0, FAIL),  # a majority of those present is not a majority of the expected
        (1, 1, 1, 0, PASS),
        (0, 0, 0, 0, FAIL),
    ],
)
def test_it_decides_the_boundary_cases(expected, present, for_, written_for, result):
    counts = Counts(
        expected=expected,
        present=present,
        written_for=written_for,
        paper_issued=present,
        paper_returned=present,
        paper_valid=present,
        paper_for=for_,
        paper_against=present - for_,
    )
    assert outcome(counts).result == result == reference(counts)


def test_it_voids_more_ballots_returned_than_issued():
    counts = Counts(
        expected=9, present=8, paper_issued=7, paper_returned=8, paper_valid=8, paper_for=8
    )
    assert outcome(counts).void and outcome(counts).result == VOID
