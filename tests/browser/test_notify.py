"""The bell and the notification list, and the signal badges, on a phone and a desktop."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fazhan.core.dates import today
from fazhan.notify.produce import daily
from fazhan.people.actions import Mode, do_record_step
from tests.browser.conftest import sign_in
from tests.browser.test_flows import with_password
from tests.people.test_actions import new_candidate

pytestmark = pytest.mark.django_db(transaction=True)


def _files(cast):
    """A talk overdue (application 60 days ago) and one due within the week (26 days ago)."""
    day = today()
    for name, days_ago in (("逾期对象", 60), ("到期对象", 26)):
        candidate = new_candidate(cast)
        candidate.person.name = name
        candidate.person.save()
        do_record_step(
            cast.zhibu,
            candidate,
            step="S01",
            happened_on=day - timedelta(days=days_ago),
            mode=Mode.PAST,
        )


@pytest.mark.parametrize("width", [1366, 390])
def test_it_rings_the_bell_and_lists_the_accounts_notifications(page, cast, shot, width):
    with_password(cast)
    _files(cast)
    daily()
    page.set_viewport_size({"width": width, "height": 900 if width > 390 else 844})
    sign_in(page, cast.zhibu.username)
    bell = page.locator("#bell")
    assert bell.locator(".count").inner_text() == "2"
    shot(page, f"zh-hans-notify-home-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    bell.click()
    page.wait_for_url("**/notify/")
    items = page.locator("ul.notify-list li")
    assert items.count() == 2
    text = page.inner_text("ul.notify-list")
    assert "已逾期" in text and "即将到期" in text and "逾期对象" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"zh-hans-notify-list-{width}")
    items.first.locator("button").click()
    page.wait_for_url("**/notify/")
    assert page.locator("#bell .count").inner_text() == "1"
    page.goto("/candidates/")
    row = page.locator("tr", has_text="逾期对象")
    assert row.locator(".tag.overdue-now").inner_text() == "已逾期"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"zh-hans-signals-list-{width}")
