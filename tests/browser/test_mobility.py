"""Mobile candidates in a real browser (Issue 16): propose, refuse and accept a transfer; set up
a 委托培养 agreement and record an assessment from the cooperating side. Screenshots at 390 and
1366 px wide."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fazhan.audit.chain import events_of
from fazhan.mobility.models import Cooperation
from fazhan.people.models import Candidate
from tests.browser.conftest import sign_in
from tests.browser.test_flows import activist_a_year_ago, with_password

pytestmark = pytest.mark.django_db(transaction=True)
WIDTHS = (390, 1366)


def shots(page, shot, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            name,
            width,
        )
        shot(page, f"zh-hans-mobility-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def propose(page, candidate, branch) -> None:
    page.goto(f"/candidates/{candidate.pk}/transfer/")
    page.select_option("#id_to_org", str(branch.pk))
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(f"**/candidates/{candidate.pk}/")


def test_it_proposes_refuses_and_accepts_a_transfer(page, cast, shot):
    with_password(cast)
    page.set_default_timeout(60_000)
    candidate, _ = activist_a_year_ago(cast)
    sign_in(page, cast.zhibu.username)
    propose(page, candidate, cast.branch_b)
    page.context.clear_cookies()
    sign_in(page, cast.zhibu2.username)
    page.goto(f"/candidates/{candidate.pk}/")
    page.click(f"a[href='/mobility/candidates/{candidate.pk}/refuse/']")
    page.fill("#id_reason", "材料不全，缺少近半年思想汇报")
    shots(page, shot, "refuse")
    page.click("form.stepform button[type=submit]")
    page.wait_for_url("**/mobility/")
    assert Candidate.objects.get(pk=candidate.pk).org == cast.branch_a
    assert events_of(candidate.pk)[-1].kind == "mobility.transfer-refused"
    page.context.clear_cookies()
    sign_in(page, cast.zhibu.username)
    propose(page, candidate, cast.branch_b)
    page.context.clear_cookies()
    sign_in(page, cast.zhibu2.username)
    page.goto(f"/mobility/candidates/{candidate.pk}/")
    shots(page, shot, "pending")
    page.click(f"a[href='/candidates/{candidate.pk}/accept/']")
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(f"**/candidates/{candidate.pk}/")
    assert Candidate.objects.get(pk=candidate.pk).org == cast.branch_b
    page.goto("/mobility/")
    assert "王小红" in page.inner_text("main")
    shots(page, shot, "overview")


def test_it_sets_up_an_entrusted_agreement_and_the_cooperating_side_assesses(page, cast, shot):
    with_password(cast)
    page.set_default_timeout(60_000)
    candidate, _ = activist_a_year_ago(cast)
    sign_in(page, cast.zhibu.username)
    page.goto(f"/mobility/candidates/{candidate.pk}/")
    page.click(f"a[href='/mobility/candidates/{candidate.pk}/agreement/']")
    page.select_option("#id_kind", "entrusted")
    page.select_option("#id_cooperating", str(cast.branch_b.pk))
    shots(page, shot, "agreement")
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(f"**/mobility/candidates/{candidate.pk}/")
    agreement = Cooperation.objects.get(candidate=candidate)
    assert agreement.kind == "entrusted" and agreement.cooperating == cast.branch_b
    shots(page, shot, "candidate")
    page.context.clear_cookies()
    sign_in(page, cast.zhibu2.username)
    page.goto(f"/candidates/{candidate.pk}/record/S06/")
    page.fill("#id_happened_on", timezone.localdate().isoformat())
    page.fill("#id_content_opinion", "委托培养期间表现良好")
    page.fill("#id_content_assessor", "协作党支部")
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(f"**/candidates/{candidate.pk}/")
    event = events_of(candidate.pk)[-1]
    assert event.kind == "S06"
    assert event.payload["recorded_for_org_id"] == cast.branch_b.pk
    assert event.payload["agreement_id"] == agreement.pk
    shots(page, shot, "cooperating-recorded")
    # Outside its scope the cooperating side is refused with the reason.
    page.goto(f"/candidates/{candidate.pk}/record/S07/")
    page.fill("#id_happened_on", timezone.localdate().isoformat())
    page.click("form.stepform button[type=submit]")
    assert "协作协议的范围" in page.content()
    shots(page, shot, "out-of-scope")


PDF = b"%PDF-1.4\n% scanned assessment letter\n" + b"0" * 2048


def test_it_records_an_outside_report_with_a_scan_and_shows_a_departed_file(page, cast, shot):
    from fazhan.attachments.models import Attachment
    from fazhan.mobility.actions import do_open_cooperation, do_register_outside_org

    with_password(cast)
    page.set_default_timeout(60_000)
    candidate, _ = activist_a_year_ago(cast)
    today = timezone.localdate()
    outside = do_register_outside_org(
        cast.zhibu,
        registered_for=cast.branch_a,
        name="浙江省义乌市某流动党员党委",
        kind="mobile",
        contact="陈书记 0579-0000000",
        region="浙江义乌",
    )
    agreement = do_open_cooperation(
        cast.zhibu, candidate, kind="entrusted", outside=outside, started_on=today
    )
    sign_in(page, cast.zhibu.username)
    page.goto(f"/mobility/candidates/{candidate.pk}/")
    page.click(f"a[href='/mobility/agreements/{agreement.pk}/report/']")
    page.fill("#id_happened_on", today.isoformat())
    page.fill("#id_document", "义流党函〔2026〕12号")
    page.fill("#id_content_opinion", "在外务工期间按时参加流动党员党委组织的学习，表现良好。")
    page.fill("#id_content_assessor", "陈书记")
    page.set_input_files(
        "#id_attachments",
        files=[{"name": "考察函扫描件.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    shots(page, shot, "outside-report")
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(f"**/mobility/candidates/{candidate.pk}/")
    event = [e for e in events_of(candidate.pk) if e.kind == "S06"][-1]
    assert event.payload["document"] == "义流党函〔2026〕12号"
    assert event.payload["content"]["assessor"] == "陈书记"
    assert Attachment.objects.get(event_seq=event.seq).original_name == "考察函扫描件.pdf"
    # Send the file out of the district: its page says so, with the letter, and offers no record.
    page.click(f"a[href='/mobility/candidates/{candidate.pk}/depart/']")
    page.select_option("#id_outside", str(outside.pk))
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(f"**/mobility/candidates/{candidate.pk}/")
    page.goto(f"/candidates/{candidate.pk}/")
    banner = page.inner_text("#departed")
    assert "已转出区外" in banner and "浙江省义乌市某流动党员党委" in banner
    assert Candidate.objects.get(pk=candidate.pk).departure.letter_code in banner
    assert page.locator(f"a[href='/mobility/candidates/{candidate.pk}/letter.pdf']").count() == 1
    assert page.locator(f"a[href^='/candidates/{candidate.pk}/record/']").count() == 0
    shots(page, shot, "departed")
