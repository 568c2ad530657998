"""Next steps take their windows and reasons from the policy data (`next_steps`), stage by stage."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from fazhan.policy.data import load_policy
from tests.policy.files import clean_full, document, events_until, judge


def _next(result, step):
    return next(n for n in result.next if n.step == step)


@pytest.mark.parametrize(("months", "latest"), [(1, "2019-02-28"), (2, "2019-03-31")])
def test_it_takes_the_talk_window_from_the_policy_data(months, latest):
    policy = load_policy()
    changed = replace(policy, next_windows={**policy.next_windows, "talk_months": months})
    doc = document([{"type": "S01", "date": "2019-01-31"}], as_of="2019-02-01")
    s02 = _next(judge(doc, policy=changed), "S02")
    assert s02.latest == date.fromisoformat(latest)


@pytest.mark.parametrize(("months", "earliest"), [(12, "2020-04-23"), (18, "2020-10-23")])
def test_it_takes_the_cultivation_window_from_the_policy_data(months, earliest):
    policy = load_policy()
    changed = replace(policy, next_windows={**policy.next_windows, "cultivation_months": months})
    doc = events_until(clean_full(), "e6")
    s07 = _next(judge(doc, policy=changed, as_of=date(2019, 5, 1)), "S07")
    assert s07.earliest == date.fromisoformat(earliest)


def test_it_takes_the_reasons_from_the_policy_data():
    policy = load_policy()
    changed = replace(policy, next_why={**policy.next_why, "S23": "预备期 {end} 满"})
    doc = events_until(clean_full(), "e24")
    s23 = _next(judge(doc, policy=changed, as_of=date(2021, 1, 4)), "S23")
    assert s23.why == "预备期 2021-06-29 满"


def test_it_keeps_the_windows_of_national_2014_in_national_2026():
    assert load_policy("national-2026").next_windows == load_policy().next_windows
    assert set(load_policy().next_why) >= {f"S{n:02d}" for n in range(1, 26)}
