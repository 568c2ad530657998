"""Every back-office page of the demo on a phone (390×844) and a desktop (1366×900): the pages
found by following each role's links (tests/pages/crawl.py, checked against the URL conf), none
scrolling sideways, the menu folded behind its button on the phone. Screenshots:
var/shots/every-page/<width>/<account>-<path>.png (docs/phone.md)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from fazhan.accounts.models import User
from fazhan.demo.builder import build_demo
from fazhan.orgs.models import Organization
from fazhan.plans.actions import do_load_plan
from tests.browser.conftest import sign_in
from tests.pages.crawl import crawl

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = ({"width": 390, "height": 844}, {"width": 1366, "height": 900})
# Elements wider than the window, for the message when a page scrolls sideways.
WIDE = (
    "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >"
    " innerWidth + 1 && getComputedStyle(e).position !== 'absolute')"
    ".map(e => e.tagName + '.' + e.className).slice(0, 5)"
)


def slug(page) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", page.path.lower()).strip("-") or "home"
    return f"{page.username or 'public'}-{name}"


def test_it_fits_every_page_on_a_phone_and_a_desktop(browser, live_server, shot):
    build_demo(scale=0.05)
    qu = User.objects.get(username="qu")
    do_load_plan(qu, name="seed", year=2026, org=Organization.objects.get(parent=None))
    pages = crawl(Client())
    assert len({p.username for p in pages}) == 7  # the six roles and the public
    too_wide: list[tuple[str, int, list[str]]] = []
    for size in SIZES:
        width = size["width"]
        for username in dict.fromkeys(p.username for p in pages):
            context = browser.new_context(locale="zh-CN", viewport=size, base_url=live_server.url)
            context.set_default_timeout(20_000)
            tab = context.new_page()
            if username is not None:
                sign_in(tab, username)
            for page in (p for p in pages if p.username == username):
                tab.goto(page.path)
                if tab.evaluate("document.scrollingElement.scrollWidth") > width:
                    too_wide.append((page.path, width, tab.evaluate(WIDE)))
                if width < 700 and username is not None:
                    # The menu waits behind its button, and opens on a tap.
                    assert not tab.is_visible("header.top nav"), page.path
                shot(tab, f"every-page/{width}/{slug(page)}")
            if width < 700 and username is not None:
                tab.click("header.top .menu-toggle")
                # Each role's first menu link (the administrators have no records pages).
                assert tab.locator("header.top nav a").first.is_visible(), username
                shot(tab, f"every-page/{width}/{username}-menu-open")
            context.close()
    assert too_wide == [], too_wide
