"""The activist pool by month per organization (issue 15 item 6), from the counts summary: as the
record stood at each month's end, moved by a transfer, against three times the year's share."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from fazhan.education.overview import month_ends, pool_trend
from fazhan.people.actions import do_transfer_in, do_transfer_out
from fazhan.people.counts import pool_at
from tests.reports.helpers import import_file, moved_events, on
from tests.reports.test_property import world

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)
S03 = date(2019, 4, 23)  # clean-full.json's e4


def test_it_ends_each_month_on_its_last_day_and_this_month_today():
    days = month_ends(date(2026, 3, 15), 4)
    assert days == [date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 15)]


def test_it_counts_the_pool_at_each_months_end_where_the_file_stood():
    here = world()
    # An activist from 10 May 2026 (its S03), in a branch of the first sub-organization.
    events = moved_events((date(2026, 5, 10) - S03).days, "e4")
    candidate = import_file(here.user, here.branches["branch_a2"], events)
    with on():
        do_transfer_out(
            here.user,
            candidate,
            to_org=here.branches["branch_b2"],
            happened_on=date(2026, 8, 10),
        )
        do_transfer_in(here.user, candidate, happened_on=date(2026, 8, 20))
    with time_machine.travel(TODAY):
        rows = {row.org.code: row for row in pool_trend(here.district, TODAY)}
    sub_a = rows[here.branches["branch_a2"].parent.code].points
    sub_b = rows[here.branches["branch_b2"].parent.code].points
    by_day_a = {p.day: p.pool for p in sub_a}
    by_day_b = {p.day: p.pool for p in sub_b}
    assert by_day_a[date(2026, 4, 30)] == 0
    assert by_day_a[date(2026, 5, 31)] == 1
    assert by_day_a[date(2026, 7, 31)] == 1
    assert (by_day_a[date(2026, 8, 31)], by_day_b[date(2026, 8, 31)]) == (0, 1)
    assert by_day_b[TODAY] == 1
    # No plan share: nothing to hold the pool against.
    assert all(p.needed is None and not p.short for p in sub_b)


def test_it_counts_the_day_a_file_joins_the_pool_and_not_the_day_before():
    here = world()
    joined = date(2026, 3, 1)
    import_file(here.user, here.branches["branch_a"], moved_events((joined - S03).days, "e4"))
    branch = here.branches["branch_a"].pk
    found = pool_at([joined - timedelta(days=1), joined], [branch])
    assert found == {branch: [0, 1]}
