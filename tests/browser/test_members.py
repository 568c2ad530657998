"""An admission that shows up on the member roster (Issue 12 item 4), in a real browser."""

from __future__ import annotations

import pytest

from fazhan.orgs.models import Member
from tests.browser.conftest import sign_in
from tests.browser.test_flows import with_password
from tests.people.test_actions import new_candidate, record_clean_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_shows_an_approved_admission_on_the_branch_roster(page, cast, shot):
    with_password(cast)
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e19")  # up to the S16 of 2020-07-08
    sign_in(page, cast.dangwei.username)
    page.goto(f"/members/org/{cast.branch_a.pk}/?on=2020-07-22")
    assert "测试对象" not in page.inner_text("table.roster")
    page.goto(f"/candidates/{candidate.pk}/past/S17/")
    page.fill("#id_happened_on", "2020-07-22")
    page.select_option("#id_result", "approved")
    page.select_option("#id_source_kind", "committee_minutes")
    page.fill("#id_source_ref", "党委会议记录第5页")
    page.fill("#id_late_reason", "系统启用前的纸质档案")
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(f"**/candidates/{candidate.pk}/")
    page.goto("/members/")
    page.click(f"a[href='/members/org/{cast.branch_a.pk}/']")
    page.fill("#id_on", "2020-07-22")
    page.click("form.asof button[type=submit]")
    page.wait_for_url("**?on=2020-07-22")
    row = page.locator("table.roster tr", has_text="测试对象")
    assert "预备党员" in row.inner_text() and "2020-06-29" in row.inner_text()
    shot(page, "zh-hans-member-roster")
    page.goto(f"/members/org/{cast.branch_a.pk}/?on=2020-07-21")
    assert "测试对象" not in page.inner_text("table.roster")
    member = Member.objects.get(candidate=candidate)
    page.goto(f"/members/{member.pk}/")
    assert "接收为预备党员" in page.inner_text("table.history")
    shot(page, "zh-hans-member-history")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "zh-hans-member-history-390")
    page.goto(f"/members/org/{cast.branch_a.pk}/?on=2020-07-22")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "zh-hans-member-roster-390")
