"""The 入党志愿书 register in a real browser: the district issues numbers to a committee, the
committee gives one to a candidate whose pre-review passed and spoils another with its reason;
the candidate page shows the number and links the printed forms. Screenshots at 1366 and 390 px,
and no horizontal scroll at 390 px."""

from __future__ import annotations

import re

import pytest

from fazhan.paperwork.models import VolunteerForm
from tests.browser.conftest import sign_in
from tests.paperwork.helpers import passed

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "fazhan-demo"
WIDTHS = (1366, 390)


def with_password(cast):
    for user in cast.users.values():
        user.set_password(PASSWORD)
        user.save()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def shots(page, shot, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"paperwork-{name}-{width}")
        assert no_sideways_scroll(page), (name, width)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_it_issues_gives_and_spoils_numbered_volunteer_forms(page, cast, shot):
    with_password(cast)
    candidate = passed(cast, name="林一", serial=1)
    sign_in(page, "qu")
    page.click("header.top a[href='/paperwork/']")
    page.select_option("#id_committee", str(cast.sub_a.pk))
    page.fill("#id_first", "20260001")
    page.fill("#id_last", "20260020")
    page.click("#issue-form button[type=submit]")
    assert "已下发入党志愿书 20 份" in page.inner_text("[role=status]")
    assert "20260001–20260020" in page.inner_text("#stock")
    shots(page, shot, "district")
    # The same numbers again: refused, nothing changes.
    page.select_option("#id_committee", str(cast.sub_b.pk))
    page.fill("#id_first", "20260015")
    page.fill("#id_last", "20260030")
    page.click("#issue-form button[type=submit]")
    assert "不能重复下发" in page.inner_text("[role=alert]")
    assert VolunteerForm.objects.count() == 20

    page.context.clear_cookies()
    sign_in(page, "dangwei")
    page.goto("/paperwork/")
    page.select_option("#id_candidate", str(candidate.pk))
    first = VolunteerForm.objects.get(number=20260001)
    page.select_option("#id_form", str(first.pk))
    page.click("#use-form button[type=submit]")
    assert "编号 20260001" in page.inner_text("[role=status]")
    shots(page, shot, "committee")
    second = VolunteerForm.objects.get(number=20260002)
    page.goto(f"/paperwork/forms/{second.pk}/")
    page.select_option("#id_state", "spoiled")
    page.fill("#id_reason", "印刷错误，缺页")
    page.click("#close-form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/paperwork/forms/{second.pk}/$"))
    assert "印刷错误，缺页" in page.inner_text("#history")
    shots(page, shot, "spoiled")

    page.goto(f"/candidates/{candidate.pk}/")
    assert "20260001" in page.inner_text("#volunteer-number")
    assert page.locator("#print-record").count() == 1
    assert page.locator("#print-prereview").count() == 1
    page.goto(f"/paperwork/org/{cast.sub_a.pk}/filing/")
    shots(page, shot, "filing")
