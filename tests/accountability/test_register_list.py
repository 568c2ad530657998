"""The register's list (issue 15 item 1): the date-found filter takes both ends of the range and
nothing beyond them, and each page shows what a row says with its labels, 50 rows at a time, with
the totals of the whole filtered list."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from fazhan.accountability.filters import as_rows, filter_register, listed, totals_by_severity
from fazhan.accountability.models import ClosedBecause, Irregularity, Severity, State

pytestmark = pytest.mark.django_db

ITEM = re.compile(r'href="/register/(\d+)/"')
MARCH = {"state": "all", "from": "2025-03-01", "to": "2025-03-31"}


def _row(cast, found_on, **fields):
    values = {
        "candidate": cast.candidates["cand_a"],
        "org": cast.branch_a,
        "finding": "talk.late",
        "severity": Severity.LATE,
        "step": "S02",
        "finding_date": found_on - timedelta(days=3),
        "basis": "细则第七条",
        "message": "谈话逾期",
        "found_on": found_on,
    }
    values.update(fields)
    return Irregularity.objects.create(**values)


def test_it_takes_the_first_and_last_day_of_the_month_and_nothing_around_them(cast):
    days = [date(2025, 2, 28), date(2025, 3, 1), date(2025, 3, 31), date(2025, 4, 1)]
    rows = {day: _row(cast, day) for day in days}
    found = filter_register(cast.users["qu"], MARCH)
    assert [r.pk for r in found] == [rows[date(2025, 3, 31)].pk, rows[date(2025, 3, 1)].pk]
    assert totals_by_severity(found, MARCH) == {Severity.LATE: 2}


def test_it_counts_one_chosen_severity_as_the_whole_list(cast):
    _row(cast, date(2025, 3, 31))
    _row(cast, date(2025, 3, 30), severity=Severity.VIOLATION, finding="notice.too_short")
    for severity, totals in [("late", {"late": 1}), ("violation", {"violation": 1})]:
        params = {**MARCH, "severity": severity}
        assert totals_by_severity(filter_register(cast.users["qu"], params), params) == totals
    april = {"state": "all", "from": "2025-04-01", "severity": "late"}
    assert totals_by_severity(filter_register(cast.users["qu"], april), april) == {}


def test_it_ignores_a_date_that_is_not_one(cast):
    kept = _row(cast, date(2025, 3, 31))
    found = filter_register(cast.users["qu"], {"state": "all", "from": "2025-02-30", "to": "3月"})
    assert [r.pk for r in found] == [kept.pk]


def test_it_lists_what_the_page_shows_with_the_labels(cast):
    closed = _row(
        cast,
        date(2025, 3, 2),
        state=State.CLOSED,
        closed_on=date(2025, 3, 9),
        closed_because=ClosedBecause.GONE,
    )
    [row] = as_rows(listed(filter_register(cast.users["qu"], MARCH)))
    person = cast.candidates["cand_a"].person.name
    assert (row.pk, row.person_name, row.org_name) == (closed.pk, person, cast.branch_a.name)
    assert (row.found_on, row.closed_on, row.finding_date) == (
        date(2025, 3, 2),
        date(2025, 3, 9),
        date(2025, 2, 27),
    )
    assert (row.get_severity_display(), row.get_state_display()) == ("逾期", "已关闭")
    assert row.get_closed_because_display() == "更正后不再成立"


def test_it_pages_fifty_rows_and_counts_the_whole_list(client, cast):
    first = date(2025, 3, 1)
    rows = [
        _row(cast, first + timedelta(days=i % 28), finding_date=first - timedelta(days=i))
        for i in range(51)
    ]
    _row(cast, date(2025, 3, 5), severity=Severity.VIOLATION, finding="notice.too_short")
    client.force_login(cast.users["qu"])
    one = client.get("/register/", {**MARCH, "severity": "late"}).content.decode()
    assert "共 51 项" in one and "逾期 51" in one and "违规 0" in one
    assert len(ITEM.findall(one)) == 50
    assert "page=2" in one
    two = client.get("/register/", {**MARCH, "severity": "late", "page": "2"}).content.decode()
    # The last of the list in its order: found earliest, and of those the first made.
    last = min(rows, key=lambda r: (r.found_on, r.pk))
    assert ITEM.findall(two) == [str(last.pk)]
