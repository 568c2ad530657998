"""Next year's plan from below in a real browser: a committee sends its request (flagged against
the plan's own rules), the district reads the overview, rolls the requests up and adopts the plan.
Screenshots at 1366 and 390 px wide (var/shots/zh-hans-nextplan-*.png)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fazhan.plans.models import Plan, PlanState
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1366, 390)


def no_horizontal_scroll(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def shots(page, shot, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)  # let the layout settle before the full-page shot
        assert no_horizontal_scroll(page), (name, width)
        shot(page, f"zh-hans-nextplan-{name}-{width}")


def test_it_sends_a_request_and_the_district_rolls_it_up_and_adopts_it(page, cast, shot):
    page.set_default_timeout(60_000)  # a shared, busy machine
    year = timezone.localdate().year + 1
    for user in (cast.dangwei, cast.qu):
        user.set_password("fazhan-demo")
        user.save()

    sign_in(page, cast.dangwei.username)
    page.goto(f"/plans/requests/{year}/{cast.sub_a.pk}/")
    page.fill("#id_total", "40")
    page.fill("#id_s_le35", "32")
    page.fill("#id_s_student", "3")
    page.fill("#id_justification", "辖区新建两家企业，青年职工入党申请增多。")
    shots(page, shot, "request-form")
    assert page.locator("button[value=submit]").is_visible()  # at 390 px too
    page.set_viewport_size({"width": 1366, "height": 900})
    page.click("button[value=submit]")
    page.wait_for_selector(".messages")
    body = page.inner_text("main")
    assert "已上报" in body
    assert "D4 学生" in body and "学生3名，申请发展40名时至多1名" in body
    assert "至少需要120名积极分子" in body
    shots(page, shot, "request")

    page.context.clear_cookies()
    other = page
    other.set_viewport_size({"width": 1366, "height": 900})
    sign_in(other, cast.qu.username)
    other.goto(f"/plans/requests/?year={year}")
    body = other.inner_text("main")
    assert cast.sub_a.name in body and "已上报 1 / 2 个单位" in body
    assert "积极分子合计0名，低于1200名" in body
    shots(other, shot, "overview")

    other.set_viewport_size({"width": 1366, "height": 900})
    other.click("text=汇总为计划草案 >> nth=-1")
    other.wait_for_selector(".badge.draft")
    assert "40" in other.inner_text("main")
    other.click("text=采用为该年度计划")
    other.wait_for_selector(".messages")
    assert f"已采用为{year}年计划" in other.inner_text("main")
    shots(other, shot, "adopted")
    assert Plan.objects.get(year=year).state == PlanState.ADOPTED
