"""The auditor's home and log in a real browser, at 1366 and 390 px: the chain verified from the
page with its result, the administrator's password reset found in the log, no horizontal scroll."""

from __future__ import annotations

import pytest

from fazhan.accounts.actions import do_reset_password
from tests.browser.conftest import sign_in
from tests.browser.test_flows import with_password

pytestmark = pytest.mark.django_db(transaction=True)

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _fits(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_the_auditor_verifies_the_chain_and_finds_a_password_reset(page, cast, shot):
    with_password(cast)
    do_reset_password(cast.admin, cast.zhibu)
    sign_in(page, cast.shenji.username)
    page.set_viewport_size(WIDE)
    page.goto("/")
    page.click("#verify-button")
    page.wait_for_selector(".verify-intact")
    assert "记录链完整" in page.inner_text("#verify")
    shot(page, "zh-hans-auditor-home-1366")
    page.set_viewport_size(PHONE)
    assert _fits(page)
    shot(page, "zh-hans-auditor-home-390")

    page.set_viewport_size(WIDE)
    page.click("nav >> text=审计日志")
    page.wait_for_url("**/audit/log/")
    page.select_option("select[name=kind]", "account.password_reset")
    page.click(".audit-filter button[type=submit]")
    page.wait_for_url("**kind=account.password_reset**")
    rows = page.locator(".audit-row")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert "管理员重置密码" in text and cast.zhibu.username in text
    shot(page, "zh-hans-auditor-log-1366")
    page.set_viewport_size(PHONE)
    page.goto("/audit/log/")
    assert _fits(page)
    shot(page, "zh-hans-auditor-log-390")
