"""A report campaign's whole life in a real browser (Issue 13 item 2): the district opens the
half-year campaign and reminds a sender; the sender's staff find it on their home page, draft it,
explain a number that differs from the record and submit; the district sees the difference, returns
the report with a comment; the sender resubmits; the district accepts, and downloads the
consolidated Excel and PDF. Screenshots at 1366 and 390 px, without horizontal scrolling."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from fazhan.reports.models import ReportCampaign, SubmissionState
from tests.browser.conftest import SHOTS, sign_in
from tests.reports.helpers import approved_on, import_file

pytestmark = pytest.mark.django_db(transaction=True)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def with_password(cast):
    for user in cast.users.values():
        user.set_password("fazhan-demo")
        user.save()


def fits(page, width: int) -> None:
    """No horizontal scrolling of the page itself (wide tables scroll inside their box)."""
    page.set_viewport_size({"width": width, "height": 900})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, (page.url, width, overflow)


def both_widths(page, shot, name: str) -> None:
    fits(page, 1366)
    shot(page, f"zh-hans-{name}-1366")
    fits(page, 390)
    shot(page, f"zh-hans-{name}-390")
    page.set_viewport_size({"width": 1366, "height": 900})


def test_it_runs_a_campaign_from_opening_to_the_consolidated_report(
    page, browser, live_server, cast, shot
):
    with_password(cast)
    import_file(cast.qu, cast.branch_a, approved_on(date(2026, 3, 2)))
    import_file(cast.qu, cast.branch_b, approved_on(date(2025, 4, 2)))
    with time_machine.travel(datetime(2026, 6, 22, 9, tzinfo=SHANGHAI), tick=True):
        # 1. The district opens the half-year campaign with the seed's dates.
        sign_in(page, cast.qu.username)
        page.goto("/reports/")
        page.select_option("#id_kind", "half_year")
        page.fill("#id_year", "2026")
        page.click("form.panel button[type=submit]")
        page.wait_for_selector("table.board")
        campaign = ReportCampaign.objects.get()
        assert campaign.cutoff == date(2026, 6, 20) and campaign.submissions.count() == 2
        assert "2026-06-30" in page.inner_text("main")
        # 2. It reminds 城关街道党工委.
        row = page.locator("table.board tr", has_text=cast.sub_a.name)
        row.locator("button:has-text('催报')").click()
        page.wait_for_selector("text=已催报")
        both_widths(page, shot, "report-board")

        # 3. The sender's staff find the reminder on their home page and open the report.
        context = browser.new_context(
            locale="zh-CN", viewport={"width": 1366, "height": 900}, base_url=live_server.url
        )
        context.set_default_timeout(15_000)
        sender = context.new_page()
        sign_in(sender, cast.dangwei.username)
        sender.click("table.queue a:has-text('催报')")
        sender.wait_for_selector("form.report-form")
        sender.click("button[value=save]")
        sender.wait_for_selector("text=草稿已保存")
        assert "1" in sender.inner_text("table >> nth=0")
        # 4. A number differing from the record is refused without its explanation.
        sender.fill("#id_v_female", "1")
        sender.fill("#id_summary_done", "按计划开展入党积极分子培训。")
        sender.click("button[value=submit]")
        sender.wait_for_selector("text=须说明理由")
        sender.fill("#id_v_female", "1")
        sender.fill("#id_e_female", "一名女同志的材料尚在区委组织部审核")
        sender.fill("#id_summary_done", "按计划开展入党积极分子培训。")
        both_widths(sender, shot, "report-draft")
        sender.click("button[value=submit]")
        sender.wait_for_selector("text=报表已上报")
        sub = campaign.submissions.get(sender=cast.sub_a)
        assert sub.state == SubmissionState.SUBMITTED and sub.head_code in sender.content()

        # 5. The district sees the difference and returns the report with its comment.
        page.goto(f"/reports/submissions/{sub.pk}/")
        assert "一名女同志的材料尚在区委组织部审核" in page.inner_text(".refused")
        assert page.locator("tr.diff").count() == 1
        both_widths(page, shot, "report-review")
        page.click("form.panel button:has-text('退回修改')")
        page.wait_for_selector("text=退回须写明意见")
        page.fill("#return-comment", "请补充存在问题。")
        page.click("form.panel button:has-text('退回修改')")
        page.wait_for_selector("text=已退回")

        # 6. The sender reads the comment and resubmits.
        sender.goto("/")
        sender.click("table.queue a:has-text('退回')")
        assert "请补充存在问题。" in sender.inner_text(".comment")
        sender.fill("#id_summary_problems", "部分支部培训记录不全。")
        sender.click("button[value=submit]")
        sender.wait_for_selector("text=报表已上报")
        context.close()

        # 7. The district accepts and consolidates.
        page.goto(f"/reports/submissions/{sub.pk}/")
        page.click("button:has-text('审核通过')")
        page.wait_for_selector("text=已审核通过")
        page.goto(f"/reports/campaigns/{campaign.pk}/")
        assert "已通过" in page.inner_text("table.board")
        with page.expect_download() as download:
            page.click("a:has-text('Excel')")
        assert download.value.suggested_filename == "report-2026-half_year.xlsx"
        book = load_workbook(BytesIO(download.value.path().read_bytes()))
        table = list(book["发展党员情况"].iter_rows(min_row=5, values_only=True))
        assert (cast.sub_a.name, "本期", 1) == table[0][:3]
        assert table[-1][:3] == ("全区合计", "上年同期", 1)
        pdf = page.request.get(f"/reports/campaigns/{campaign.pk}/report.pdf")
        assert pdf.ok and pdf.body().startswith(b"%PDF")
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / "zh-hans-report-consolidated.pdf").write_bytes(pdf.body())
