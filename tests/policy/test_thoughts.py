"""The quarters an activist or development target owes a 思想汇报 (fazhan.policy.thoughts)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from fazhan.policy.thoughts import Quarter, expected_quarters, missing_quarters


def test_it_names_a_quarters_first_and_last_day():
    assert Quarter.of(date(2026, 3, 31)) == Quarter(2026, 1)
    assert Quarter.of(date(2026, 4, 1)) == Quarter(2026, 2)
    assert Quarter(2026, 4).last_day == date(2026, 12, 31)
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2024, 1).last_day == date(2024, 3, 31)


def test_it_does_not_owe_the_part_quarter_of_an_activist_designated_mid_quarter():
    assert expected_quarters(date(2026, 2, 15), date(2026, 10, 1)) == [
        Quarter(2026, 2),
        Quarter(2026, 3),
    ]


def test_it_owes_the_first_quarter_when_filed_on_its_first_day():
    assert expected_quarters(date(2026, 1, 1), date(2026, 4, 1)) == [Quarter(2026, 1)]


def test_it_owes_a_quarter_only_once_its_last_day_has_passed():
    assert expected_quarters(date(2026, 1, 1), date(2026, 3, 31)) == []
    assert expected_quarters(date(2026, 1, 1), date(2026, 4, 1)) == [Quarter(2026, 1)]


def test_it_counts_a_report_on_the_last_day_of_a_quarter_for_that_quarter():
    received = date(2026, 3, 31)
    covered = [Quarter.of(received)]
    assert missing_quarters(date(2026, 1, 1), date(2026, 7, 1), covered) == [Quarter(2026, 2)]


def test_it_stops_at_the_end_of_the_stage():
    # Admitted (S15) on 2026-05-10: the second quarter was not spent wholly as a target.
    assert missing_quarters(date(2025, 10, 1), date(2026, 5, 10), []) == [
        Quarter(2025, 4),
        Quarter(2026, 1),
    ]


def test_it_owes_nothing_without_a_filing_date():
    assert missing_quarters(None, date(2026, 12, 1), []) == []


@given(
    start=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=0, max_value=2000),
)
def test_it_expects_only_whole_quarters_inside_the_stage(start, days):
    until = date.fromordinal(start.toordinal() + days)
    quarters = expected_quarters(start, until)
    assert all(start <= q.first_day and q.last_day < until for q in quarters)
    assert quarters == sorted(set(quarters))
    # No whole quarter inside is left out: the one after the last (or the first) does not fit.
    first = Quarter.of(start) if Quarter.of(start).first_day == start else Quarter.of(start).next()
    following = quarters[-1].next() if quarters else first
    assert following.last_day >= until
    assert missing_quarters(start, until, quarters) == []


def test_it_allows_the_training_exception_only_when_the_training_falls_short():
    from fazhan.policy.exceptions import allows_exception, exception_needed

    assert allows_exception("S11") and not allows_exception("S15")
    assert exception_needed("S11", {"days": 2, "hours": 23})
    assert not exception_needed("S11", {"days": 3, "hours": 0})
    assert not exception_needed("S11", {"days": 0, "hours": 24})
    assert not exception_needed("S15", {})
