"""The pages' behaviours run from fazhan/static/fazhan/behaviours.js, not from inline handlers,
so that the Content-Security-Policy can forbid inline script. Run with FAZHAN_CSP=1 to check them
under the policy itself: any refused script then fails the test."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_flows import activist_a_year_ago, with_password

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_ticks_all_and_jumps_to_another_step_without_inline_script(page, cast) -> None:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    with_password(cast)
    candidate, _ = activist_a_year_ago(cast)
    sign_in(page, cast.zhibu.username)

    page.goto("/candidates/batch/?stage=activist")
    boxes = page.locator("input[name=candidates]")
    assert boxes.count() >= 1
    page.check("input[data-check-all]")
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.uncheck("input[data-check-all]")
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))

    page.goto(f"/candidates/{candidate.pk}/")
    page.select_option("form[data-goto] select[name=step]", "S05")
    page.click("form[data-goto] button[type=submit]")
    page.wait_for_url(f"**/candidates/{candidate.pk}/record/S05/")
    assert refused == []
