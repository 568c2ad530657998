"""A notice end to end in a real browser: a branch publishes it, an anonymous visitor reads it on
/gongshi/ and sends feedback, follows it with the receipt code; the branch handles it, and the
decision is refused while the item is open, with the reason on the page."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fazhan.notices.models import Feedback, Notice
from fazhan.people.models import Candidate
from tests.browser.conftest import sign_in
from tests.notices.files import activist_ready

pytestmark = pytest.mark.django_db(transaction=True)
SHANGHAI = ZoneInfo("Asia/Shanghai")
ID_PATTERN = re.compile(r"\d{17}[\dX]")


def with_password(cast):
    for user in cast.users.values():
        user.set_password("fazhan-demo")
        user.save()


def anonymous(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1000, "height": 900}, base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_it_publishes_a_notice_takes_feedback_and_blocks_the_decision_until_handled(
    page, browser, live_server, cast, shot
):
    with_password(cast)
    candidate = activist_ready(cast, name="林晓华", serial=41)
    born = candidate.person.birth_date.isoformat()

    # 1. The branch secretary puts the candidate on a notice, records consent and publishes.
    sign_in(page, cast.zhibu.username)
    page.goto("/notices/new/?kind=N-TGT")
    page.check(f"#c{candidate.pk}")
    page.fill("#id_contact", "城关社区第一党支部 电话 0851-2860123")
    page.click("#notice-form button[type=submit]")
    page.wait_for_selector("#entries")
    page.click("#entries button:has-text('登记同意')")
    page.wait_for_selector("#entries .tag.ok")
    page.click("#publish-form button[type=submit]")
    page.wait_for_selector("#public-link")
    assert "公示已发布" in page.content()
    shot(page, "zh-hans-notice-published")
    notice = Notice.objects.get()
    end = notice.end

    # 2. An anonymous visitor reads it on /gongshi/ and sends feedback.
    context, visitor = anonymous(browser, live_server)
    visitor.goto("/gongshi/")
    visitor.click(f"a[href='/gongshi/{notice.token}/']")
    assert "林晓华" in visitor.inner_text("table.public-table")
    html = visitor.content()
    assert not ID_PATTERN.search(html) and born not in html
    shot(visitor, "zh-hans-gongshi-notice")
    visitor.select_option("#id_concerns", label="林晓华")
    visitor.fill("#id_text", "该同志在单位有时迟到早退，请组织核实。")
    visitor.click(".feedback-form button[type=submit]")
    code = visitor.inner_text("#receipt-code").strip()
    assert len(code) >= 22
    shot(visitor, "zh-hans-gongshi-receipt")
    visitor.goto("/gongshi/receipt/")
    visitor.fill("#id_code", code)
    visitor.click("form.stepform button[type=submit]")
    assert "已受理" in visitor.inner_text("#status")
    shot(visitor, "zh-hans-gongshi-follow")

    # 3. The staff page says why the decision cannot be taken the day after the end.
    page.reload()
    assert "反馈尚未办结或经查属实" in page.inner_text("#entries")
    shot(page, "zh-hans-notice-blocked")

    # 4. After the end: the notice is gone from the public pages, and the decision is refused
    # while the item is open.
    after = datetime.combine(end + timedelta(days=1), time(10), tzinfo=SHANGHAI)
    with time_machine.travel(after, tick=True):
        assert visitor.goto(f"/gongshi/{notice.token}/").status == 404
        assert "公示不存在或已结束" in visitor.content()
        page.goto(f"/notices/{notice.pk}/")
        page.fill(".decide-form input[name=happened_on]", after.date().isoformat())
        page.click(".decide-form button[type=submit]")
        alert = page.locator("[role=alert]")
        assert "反馈尚未办结或经查属实" in alert.inner_text()
        assert "公示制" in alert.inner_text()
        shot(page, "zh-hans-decision-refused")

        # 5. The branch handles the item: a handler and a deadline, then closed as unfounded.
        item = Feedback.objects.get()
        page.goto(f"/notices/feedback/{item.pk}/")
        page.select_option("#id_handler", str(cast.zhibu.pk))
        page.fill("#id_deadline", after.date().isoformat())
        page.click("#assign-form button[type=submit]")
        page.wait_for_selector("text=已指定承办人和办理期限")
        page.check("#close-form input[value=unfounded]")
        page.fill("#id_finding", "经向单位了解，该同志出勤正常，反映不属实。")
        page.fill("#id_reply", "经核查，所反映情况不属实。感谢您的监督。")
        page.fill("#id_closed_on", after.date().isoformat())
        page.click("#close-form button[type=submit]")
        page.wait_for_selector("text=已办结。")
        assert "经核查不属实" in page.inner_text("#state")
        shot(page, "zh-hans-feedback-closed")

        # 6. Now the decision goes through.
        page.goto(f"/notices/{notice.pk}/")
        page.fill(".decide-form input[name=happened_on]", after.date().isoformat())
        page.click(".decide-form button[type=submit]")
        page.wait_for_selector("text=已记录决定")
        assert Candidate.objects.get(pk=candidate.pk).stage == "target"

        # 7. The sender reads the answer with the code.
        visitor.goto("/gongshi/receipt/")
        visitor.fill("#id_code", code)
        visitor.click("form.stepform button[type=submit]")
        assert "已办结" in visitor.inner_text("#status")
        assert "感谢您的监督" in visitor.content()
        shot(visitor, "zh-hans-gongshi-answered")
    context.close()
