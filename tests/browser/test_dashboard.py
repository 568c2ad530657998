"""The district dashboard in a real browser: the seed's plan loaded, the charts drawn by the local
ECharts, the indicators readable at a glance (screenshot var/shots/zh-hans-dashboard.png)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fazhan.plans.actions import do_load_plan
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_draws_the_district_dashboard(page, cast, shot):
    cast.qu.set_password("fazhan-demo")
    cast.qu.save()
    do_load_plan(cast.qu, name="seed", year=timezone.localdate().year, org=cast.district)
    sign_in(page, cast.qu.username)
    page.goto("/plans/")
    body = page.inner_text("main")
    assert "350" in body  # the seed's plan
    page.wait_for_selector("canvas")  # ECharts served locally drew its charts
    assert page.locator("canvas").count() >= 2
    assert "cdn" not in page.content().lower()
    shot(page, "zh-hans-dashboard")
