"""Entering and confirming a year's holidays: nothing moves until confirmation (contracts.md §3)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from fazhan.audit.chain import verify_chain
from fazhan.audit.models import Event
from fazhan.holidays.actions import (
    Day,
    HolidayRefused,
    do_confirm_year,
    do_set_year,
    lint_days,
)
from fazhan.holidays.forms import format_days, parse_days
from fazhan.holidays.models import DayKind, HolidayYear
from fazhan.holidays.table import current_table, is_provisional, next_year_pending, year_status
from fazhan.policy.calendar import shipped_table

NEW_YEAR = date(2027, 1, 1)  # a Friday
MAKE_UP = date(2027, 2, 20)  # a Saturday
DAYS_2027 = [Day(NEW_YEAR, DayKind.HOLIDAY, "元旦"), Day(MAKE_UP, DayKind.WORKDAY, "春节")]


def test_it_is_about_a_year_the_package_does_not_ship():
    assert not shipped_table().knows(2027)


@pytest.mark.django_db
def test_it_changes_working_days_only_after_confirmation(cast):
    assert current_table().is_workday(NEW_YEAR) and not current_table().is_workday(MAKE_UP)
    assert is_provisional(date(2027, 3, 1))
    assert next_year_pending() == 2027

    do_set_year(cast.qu, 2027, DAYS_2027, source="国办发明电〔2026〕X号")
    assert current_table().is_workday(NEW_YEAR) and not current_table().is_workday(MAKE_UP)
    assert is_provisional(date(2027, 3, 1))
    assert year_status(2027, HolidayYear.objects.filter(year=2027).first()) == "entered"

    do_confirm_year(cast.qu, 2027)
    table = current_table()
    assert not table.is_workday(NEW_YEAR) and table.is_workday(MAKE_UP)
    assert not is_provisional(date(2027, 3, 1))
    assert year_status(2027, HolidayYear.objects.filter(year=2027).first()) == "confirmed"
    assert next_year_pending() is None
    assert table.names[NEW_YEAR] == "元旦" and table.names[MAKE_UP] == "春节调休上班"
    # The shipped years are untouched.
    assert not table.is_workday(date(2026, 1, 1)) and not is_provisional(date(2026, 3, 2))
    counted = table.count_workdays(date(2026, 12, 28), date(2027, 1, 4))
    assert counted.days == 5 and not counted.provisional  # 28–31 Dec, 4 Jan; 1 Jan off

    row = HolidayYear.objects.get(year=2027)
    assert row.confirmed_by == cast.qu and row.confirmed_at is not None
    events = list(Event.objects.order_by("seq"))
    assert [(e.kind, e.payload) for e in events] == [
        ("holidays.year_set", {"year": 2027, "days": 2}),
        ("holidays.year_confirmed", {"year": 2027, "days": 2}),
    ]
    assert {e.recorded_by_id for e in events} == {cast.qu.pk}
    assert verify_chain().ok


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["dangwei", "zhibu", "zhibu2", "shenji", "admin", "outsider"])
def test_it_lets_only_district_staff_enter_and_confirm(cast, who):
    with pytest.raises(PermissionDenied):
        do_set_year(cast.users[who], 2027, DAYS_2027)
    do_set_year(cast.qu, 2027, DAYS_2027)
    with pytest.raises(PermissionDenied):
        do_confirm_year(cast.users[who], 2027)
    assert is_provisional(date(2027, 3, 1))
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_it_returns_a_changed_year_to_unconfirmed(cast):
    do_set_year(cast.qu, 2027, DAYS_2027)
    do_confirm_year(cast.qu, 2027)
    do_set_year(cast.qu, 2027, DAYS_2027[:1])
    assert is_provisional(date(2027, 3, 1))
    assert current_table().is_workday(NEW_YEAR)
    row = HolidayYear.objects.get(year=2027)
    assert not row.confirmed and row.confirmed_by is None


@pytest.mark.django_db
def test_it_records_the_same_table_submitted_twice_once(cast):
    do_set_year(cast.qu, 2027, DAYS_2027)
    do_set_year(cast.qu, 2027, list(reversed(DAYS_2027)))
    assert Event.objects.filter(kind="holidays.year_set").count() == 1
    do_confirm_year(cast.qu, 2027)
    with pytest.raises(HolidayRefused):
        do_confirm_year(cast.qu, 2027)


@pytest.mark.django_db
def test_it_refuses_days_that_cannot_be_right(cast):
    for year, days in [
        (2027, [Day(date(2028, 1, 1), DayKind.HOLIDAY, "元旦")]),  # another year
        (2027, [Day(date(2027, 3, 1), DayKind.WORKDAY, "")]),  # a Monday is already a workday
        (2027, [DAYS_2027[0], DAYS_2027[0]]),
        (2029, DAYS_2027),  # beyond next year
        (2013, [Day(date(2013, 1, 1), DayKind.HOLIDAY, "元旦")]),
    ]:
        with pytest.raises(HolidayRefused):
            do_set_year(cast.qu, year, days)
    with pytest.raises(HolidayRefused):
        do_confirm_year(cast.qu, 2027)  # nothing entered
    do_set_year(cast.qu, 2027, [Day(MAKE_UP, DayKind.WORKDAY, "春节")])
    with pytest.raises(HolidayRefused):
        do_confirm_year(cast.qu, 2027)  # no day off at all
    assert not Event.objects.filter(kind="holidays.year_confirmed").exists()


@pytest.mark.django_db
def test_it_corrects_a_shipped_year_only_once_confirmed(cast):
    # 2020: the State Council extended 春节 to 2 February by a later notice; suppose one more day.
    extra = date(2020, 2, 3)
    assert shipped_table().is_workday(extra)
    days = [
        Day(d, DayKind.HOLIDAY, "春节") for d in sorted(shipped_table().holidays) if d.year == 2020
    ]
    days.append(Day(extra, DayKind.HOLIDAY, "春节"))
    workdays = [
        Day(d, DayKind.WORKDAY, "") for d in sorted(shipped_table().workdays) if d.year == 2020
    ]
    do_set_year(cast.qu, 2020, days + workdays)
    assert (
        current_table().is_workday(extra)
        and year_status(2020, HolidayYear.objects.filter(year=2020).first()) == "shipped"
    )
    do_confirm_year(cast.qu, 2020)
    assert (
        not current_table().is_workday(extra)
        and year_status(2020, HolidayYear.objects.filter(year=2020).first()) == "confirmed"
    )
    assert not is_provisional(extra)


@pytest.mark.django_db
def test_it_sees_a_confirmation_made_by_another_process(cast):
    do_set_year(cast.qu, 2027, DAYS_2027)
    assert is_provisional(date(2027, 3, 1))  # cached now
    # Another app server confirms: this process's cache was not told, the key notices.
    HolidayYear.objects.filter(year=2027).update(
        confirmed=True,
        confirmed_at="2026-11-27T10:00:00+08:00",
        updated_at="2026-11-27T10:00:01+08:00",
    )
    assert not is_provisional(date(2027, 3, 1))


def test_it_reads_lines_periods_and_make_up_workdays():
    text = """
    # 国办发明电〔2026〕X号
    2027-01-01 元旦
    2027/2/5 至 2027/2/11 春节放假
    ２０２７－０２－２０ 春节调休上班
    2027年2月21日 补班
    2027-04-05 清明节
    """
    days, errors = parse_days(text, 2027)
    assert errors == []
    assert days[0] == Day(date(2027, 1, 1), DayKind.HOLIDAY, "元旦")
    assert [d.date.day for d in days if d.name == "春节" and d.kind == DayKind.HOLIDAY] == list(
        range(5, 12)
    )
    assert Day(date(2027, 2, 20), DayKind.WORKDAY, "春节") in days
    assert Day(date(2027, 2, 21), DayKind.WORKDAY, "") in days
    assert len(days) == 11


def test_it_names_each_unreadable_line():
    days, errors = parse_days(
        "2027-01-01 元旦\n元旦放假\n2027-02-30 春节\n2028-01-01 元旦\n2027-01-01 元旦\n2027-03-05 至 2027-03-01 x",
        2027,
    )
    assert [e.split("：")[0] for e in errors] == [
        "第 2 行",
        "第 3 行",
        "第 4 行",
        "第 5 行",
        "第 6 行",
    ]
    assert days == [Day(date(2027, 1, 1), DayKind.HOLIDAY, "元旦")]


def test_it_hints_at_a_festival_left_out():
    hints = lint_days([Day(date(2027, 1, 1), DayKind.HOLIDAY, "元旦")])
    assert len(hints) == 6 and any("春节" in h for h in hints)


DAY_STRATEGY = st.builds(
    Day,
    st.dates(min_value=date(2027, 1, 1), max_value=date(2027, 12, 31)),
    st.sampled_from([DayKind.HOLIDAY, DayKind.WORKDAY]),
    st.sampled_from(["", "元旦", "春节", "国庆节、中秋节"]),
).filter(lambda d: d.kind == DayKind.HOLIDAY or d.date.weekday() >= 5)  # 调休 falls on weekends


@given(st.lists(DAY_STRATEGY, max_size=40, unique_by=lambda d: d.date))
def test_it_reads_back_what_it_writes(days):
    assert parse_days(format_days(days), 2027) == (sorted(days), [])


@pytest.mark.django_db
def test_it_marks_provisional_dates_in_templates(cast):
    template = Template(
        "{% load holidays %}{{ a|provisional_mark }}|{{ b|provisional_mark }}|{{ c|provisional_mark }}|"
        "{{ d|provisional_mark }}|{% if a|provisional %}yes{% endif %}"
    )
    context = Context({"a": date(2027, 3, 1), "b": date(2026, 3, 2), "c": "2027-03-01", "d": None})
    assert template.render(context) == "2027-03-01（暂定）|2026-03-02|2027-03-01（暂定）|None|yes"
    do_set_year(cast.qu, 2027, DAYS_2027)
    do_confirm_year(cast.qu, 2027)
    assert template.render(context) == "2027-03-01|2026-03-02|2027-03-01|None|"


@pytest.mark.django_db
def test_it_announces_each_change_of_the_effective_table_after_commit(
    cast, django_capture_on_commit_callbacks
):
    from fazhan.holidays.actions import table_changed

    heard: list[int] = []

    def listener(sender, year, **kwargs):
        heard.append(year)

    table_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            do_set_year(cast.qu, 2027, DAYS_2027)  # not yet counted: nothing to announce
        assert heard == []
        with django_capture_on_commit_callbacks(execute=True):
            do_confirm_year(cast.qu, 2027)
        with django_capture_on_commit_callbacks(execute=True):
            do_set_year(cast.qu, 2027, DAYS_2027[:1])  # provisional again
        assert heard == [2027, 2027]
    finally:
        table_changed.disconnect(listener)
