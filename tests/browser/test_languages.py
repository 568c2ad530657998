"""The main pages in each of the three languages, switched from the header as a user would, with
screenshots in var/shots/<lang>-<page>.png to be looked at."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from fazhan.notices.actions import do_create_notice, do_publish_notice, do_record_consent
from tests.browser.conftest import sign_in
from tests.notices.files import activist_ready, new_person, past, today

pytestmark = pytest.mark.django_db(transaction=True)

# What each language's pages must say (and the Simplified interface they must not).
EXPECTED = {
    "zh-hans": {
        "home": "工作台",
        "candidate": "发现的问题",
        "list": "发展对象档案",
        "public": "正在公示",
    },
    "zh-hant": {
        "home": "工作台",
        "candidate": "發現的問題",
        "list": "發展對象檔案",
        "public": "正在公示",
    },
    "en": {
        "home": "Workbench",
        "candidate": "Findings",
        "list": "Candidate files",
        "public": "Open notices",
    },
}
SIMPLIFIED = ("发现的问题", "发展对象档案", "首页")


def files(cast):
    """A file with a late talk (a finding and next steps) and one on a running public notice."""
    t = today()
    late = past(
        cast,
        new_person(cast, name="欧阳明", sex="M", birth=date(1995, 5, 6), serial=21),
        [("S01", t - timedelta(days=200), {}), ("S02", t - timedelta(days=100), {})],
    )
    ready = activist_ready(cast, name="林一", serial=11)
    notice = do_create_notice(
        cast.zhibu,
        org=cast.branch_a,
        kind="N-TGT",
        candidates=[ready],
        contact="城关社区党委办公室 0851-2860123",
    )
    for entry in notice.entries.all():
        do_record_consent(cast.zhibu, entry, consented_on=t)
    do_publish_notice(cast.zhibu, notice)
    return late


def switch(page, language: str) -> None:
    page.click(f"form.language button[value='{language}']")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == language


def test_it_shows_the_main_pages_in_each_language(page, cast, shot):
    for user in cast.users.values():
        user.set_password("fazhan-demo")
        user.save()
    late = files(cast)
    sign_in(page, cast.zhibu.username)
    for language, words in EXPECTED.items():
        switch(page, language)
        page.goto("/")
        assert words["home"] in page.inner_text("main")
        shot(page, f"{language}-home")
        page.goto(f"/candidates/{late.pk}/")
        assert words["candidate"] in page.inner_text("main")
        shot(page, f"{language}-candidate")
        page.goto("/candidates/")
        assert words["list"] in page.inner_text("main")
        shot(page, f"{language}-candidate-list")
        page.goto("/gongshi/")
        assert words["public"] in page.inner_text("main")
        shot(page, f"{language}-public-list")
        if language != "zh-hans":
            page.goto("/")
            text = page.inner_text("body")
            assert not any(word in text for word in SIMPLIFIED), language


def test_it_switches_on_the_login_page_and_keeps_the_choice_after_signing_in(page, cast, shot):
    for user in cast.users.values():
        user.set_password("fazhan-demo")
        user.save()
    page.goto("/accounts/login/")
    switch(page, "en")
    assert "Sign in" in page.inner_text("main")
    shot(page, "en-login")
    sign_in(page, cast.qu.username)
    assert "Workbench" in page.inner_text("main")
    shot(page, "en-home-qu")
