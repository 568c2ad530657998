from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from fazhan.policy.calendar import YearEntry, add_months, shipped_table


def test_it_clamps_to_the_end_of_a_shorter_month():
    assert add_months(date(2019, 1, 31), 1) == date(2019, 2, 28)
    assert add_months(date(2020, 1, 31), 1) == date(2020, 2, 29)
    assert add_months(date(2019, 3, 31), 1) == date(2019, 4, 30)


def test_it_keeps_the_day_when_it_exists():
    assert add_months(date(2019, 3, 4), 1) == date(2019, 4, 4)
    assert add_months(date(2019, 12, 15), 1) == date(2020, 1, 15)


def test_it_takes_a_leap_day_to_the_end_of_february_a_year_later():
    assert add_months(date(2020, 2, 29), 12) == date(2021, 2, 28)
    assert add_months(date(2020, 2, 29), 48) == date(2024, 2, 29)


def test_it_adds_a_sum_of_months_in_one_step():
    # 12 + 6 months from 08-31 is 02-28, not (08-31 + 12) + 6 computed through a clamped month.
    assert add_months(date(2019, 8, 31), 18) == date(2021, 2, 28)
    assert add_months(add_months(date(2019, 8, 31), 6), 12) == date(2021, 2, 28)
    assert add_months(date(2019, 5, 31), 9) == date(2020, 2, 29)


def test_it_goes_backwards():
    assert add_months(date(2021, 3, 31), -1) == date(2021, 2, 28)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 400))
def test_it_never_moves_by_more_than_a_month_of_days_per_month(day, months):
    later = add_months(day, months)
    assert later >= day
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day <= day.day


def test_it_counts_a_national_day_week_with_its_make_up_workdays():
    table = shipped_table()
    # 2019: 10-01..10-07 off; Sunday 09-29 and Saturday 10-12 are make-up workdays.
    assert table.is_workday(date(2019, 9, 29))
    assert not table.is_workday(date(2019, 10, 1))
    assert table.is_workday(date(2019, 10, 12))
    counted = table.count_workdays(date(2019, 9, 27), date(2019, 10, 8))
    assert counted.days == 4  # 27, 29 (make-up), 30, 8
    assert not counted.provisional


def test_it_counts_a_plain_week_as_five():
    counted = shipped_table().count_workdays(date(2019, 4, 15), date(2019, 4, 19))
    assert counted.days == 5


def test_it_counts_monday_to_friday_in_an_unknown_year_and_says_so():
    table = shipped_table()
    assert not table.knows(2027)
    counted = table.count_workdays(date(2027, 1, 1), date(2027, 1, 7))
    # 2027-01-01 is a Friday; no table: counted as a workday, flagged provisional.
    assert counted.days == 5
    assert counted.provisional_years == (2027,)


def test_it_flags_only_the_unknown_year_of_a_notice_across_new_year():
    counted = shipped_table().count_workdays(date(2026, 12, 28), date(2027, 1, 4))
    assert counted.provisional_years == (2027,)


def test_it_ships_every_year_from_2014_to_2026():
    table = shipped_table()
    assert all(table.knows(year) for year in range(2014, 2027))
    assert not table.knows(2013)


def test_it_takes_a_confirmed_year_from_elsewhere():
    entry = YearEntry(2027, frozenset({date(2027, 1, 1)}), frozenset({date(2027, 1, 2)}))
    table = shipped_table().with_years([entry])
    assert table.knows(2027)
    assert not table.is_workday(date(2027, 1, 1))
    assert table.is_workday(date(2027, 1, 2))


def test_it_finds_the_day_a_notice_reaches_five_working_days():
    table = shipped_table()
    assert table.add_workdays(date(2019, 4, 15), 5) == date(2019, 4, 19)
    end = table.add_workdays(date(2019, 9, 27), 5)
    assert table.count_workdays(date(2019, 9, 27), end).days == 5
    assert end - timedelta(days=1) >= date(2019, 10, 8)
