"""A past fact with its paper and reason, held for a second person above and confirmed from the
committee's home page; the 思想汇报 log. Screenshots at 390 and 1366 px wide."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fazhan.audit.chain import events_of
from fazhan.dossier.models import PastFact, PastStatus
from tests.browser.conftest import sign_in
from tests.browser.test_flows import activist_a_year_ago, with_password

pytestmark = pytest.mark.django_db(transaction=True)
WIDTHS = (390, 1366)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def look(page, shot, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
        shot(page, f"zh-hans-{name}-{width}")
        wide = page.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right"
            " > window.innerWidth + 1).slice(0, 5).map(e => e.tagName + '#' + e.id + '.'"
            " + e.className + ':' + Math.round(e.getBoundingClientRect().right))"
        )
        assert fits(page), (name, width, wide)


def test_it_records_a_past_exception_only_once_the_committee_confirms_it(page, cast, shot):
    with_password(cast)
    page.set_default_timeout(60_000)  # a shared machine: the live server may answer slowly
    candidate, _ = activist_a_year_ago(cast)
    trained = (timezone.localdate() - timedelta(days=20)).isoformat()
    sign_in(page, cast.zhibu.username)
    page.goto(f"/candidates/{candidate.pk}/past/S11/")
    page.fill("#id_happened_on", trained)
    page.fill("#id_days", "1")
    page.fill("#id_hours", "8")
    page.fill("#id_content_provider", "区委党校")
    page.check("#id_exception")
    page.click("form.stepform button[type=submit]")
    # Without the paper and the reason, the page says what is missing.
    assert "补录须说明当时为何没有及时记录" in page.inner_text(".refused")
    page.select_option("#id_source_kind", "certificate")
    page.fill("#id_source_ref", "党校结业证书第12号")
    page.fill("#id_late_reason", "系统启用前的纸质档案")
    look(page, shot, "past-fact-form")
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(f"**/candidates/{candidate.pk}/")
    assert "待上级党组织确认" in page.inner_text("#past-facts")
    assert "S11" not in [e.kind for e in events_of(candidate.pk)]
    look(page, shot, "past-fact-pending")

    page.context.clear_cookies()
    sign_in(page, cast.dangwei.username)
    assert "待确认的补录特殊情况" in page.inner_text("#pending-past-facts")
    look(page, shot, "past-fact-home-committee")
    page.click("#pending-past-facts a")
    look(page, shot, "past-fact-confirm")
    page.click("#confirm-past-fact")
    page.wait_for_url(f"**/candidates/{candidate.pk}/")
    assert PastFact.objects.get().status == PastStatus.CONFIRMED
    text = page.inner_text("#past-facts")
    assert cast.zhibu.display_name in text and cast.dangwei.display_name in text
    look(page, shot, "past-fact-confirmed")
    page.goto(f"/candidates/{candidate.pk}/thoughts/")
    look(page, shot, "thoughts-log")
