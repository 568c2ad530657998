from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from fazhan.policy.voting import Tally, decide, majority_met, quorum_met, reconcile


def test_it_fails_the_quorum_at_exactly_half():
    assert not quorum_met(expected=18, present=9)
    assert quorum_met(expected=18, present=10)
    assert not quorum_met(expected=17, present=8)
    assert quorum_met(expected=17, present=9)


def test_it_measures_the_majority_against_the_expected_not_the_present():
    # 10 present of 20 expected, all 10 for: a majority of those present but not of 20.
    assert not majority_met(expected=20, in_favour=10)
    assert majority_met(expected=20, in_favour=10, written_for=1)


def test_it_counts_written_opinions_in_the_tally_but_not_the_quorum():
    tally = Tally(
        expected=20, present=10, in_favour=9, written_for=3, issued=10, returned=10, abstain=1
    )
    decision = decide(tally)
    assert decision.majority
    assert not decision.quorum
    assert not decision.passed


def test_it_voids_a_vote_with_more_ballots_returned_than_issued():
    tally = Tally(expected=20, present=15, in_favour=15, issued=14, returned=15)
    assert not decide(tally).passed
    assert any("多于发出" in p for p in reconcile(tally))


def test_it_passes_a_clean_tally():
    tally = Tally(
        expected=18,
        present=15,
        in_favour=13,
        against=1,
        abstain=1,
        written_for=2,
        issued=15,
        returned=15,
    )
    assert reconcile(tally) == ()
    assert decide(tally).passed


@given(st.integers(1, 500), st.data())
def test_it_agrees_with_exact_rational_halves(expected, data):
    present = data.draw(st.integers(0, expected))
    in_favour = data.draw(st.integers(0, present))
    written = data.draw(st.integers(0, expected - present))
    half = Fraction(expected, 2)
    assert quorum_met(expected, present) == (Fraction(present) > half)
    assert majority_met(expected, in_favour, written) == (Fraction(in_favour + written) > half)


@given(st.integers(1, 300), st.data())
def test_it_never_turns_a_pass_into_a_fail_when_a_vote_moves_to_for(expected, data):
    present = data.draw(st.integers(0, expected))
    in_favour = data.draw(st.integers(0, present))
    against = data.draw(st.integers(0, present - in_favour))
    before = Tally(
        expected, present, in_favour, against, issued=present, returned=in_favour + against
    )
    if against == 0:
        return
    after = Tally(
        expected, present, in_favour + 1, against - 1, issued=present, returned=in_favour + against
    )
    if decide(before).passed:
        assert decide(after).passed
