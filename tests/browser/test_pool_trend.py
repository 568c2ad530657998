"""The activist pool month by month on the education page (docs/education.md), in a real browser
at 1366 px and 390 px wide."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_flows import activist_a_year_ago, with_password

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_shows_the_pool_at_each_months_end_and_fits_a_phone(page, cast, shot):
    with_password(cast)
    activist_a_year_ago(cast)
    page.set_default_timeout(60_000)  # a shared machine: the live server may answer slowly
    sign_in(page, cast.qu.username)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/education/")
    trend = page.locator("details", has_text="月末")
    summary = trend.locator("summary", has_text="现有 1 名")
    summary.first.click()
    table = summary.first.locator("xpath=..").locator("table")
    rows = table.locator("tbody tr")
    assert rows.count() == 12
    # A year ago the file was already an activist: every month's end counts it.
    assert all(line.split("\t")[1].startswith("1") for line in rows.all_inner_texts())
    shot(page, "zh-hans-education-pool-trend")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "zh-hans-education-pool-trend-390")
