"""Recording a talk (S02) with its talker, summary and a scanned record from a phone and a desktop,
and reading it back under the step on the candidate page (Issue 14 item 1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fazhan.attachments.models import Attachment
from fazhan.orgs.models import Member
from fazhan.people.actions import Mode, do_create_candidate, do_record_step
from tests.browser.conftest import sign_in
from tests.browser.test_flows import with_password

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n% scanned talk record\n" + b"0" * 2048


@pytest.mark.parametrize("width", [390, 1366])
def test_it_records_a_talk_with_a_scan_and_shows_it_under_the_step(page, cast, shot, width):
    with_password(cast)
    today = timezone.localdate()
    candidate = do_create_candidate(
        cast.zhibu, org=cast.branch_a, name="周晓雨", sex="F", birth_date=today.replace(year=1999)
    )
    do_record_step(
        cast.zhibu, candidate, step="S01", happened_on=today - timedelta(days=5), mode=Mode.PAST
    )
    talker = Member.objects.create(org=cast.branch_a, name="刘书记")
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
    sign_in(page, cast.zhibu.username)

    page.goto(f"/candidates/{candidate.pk}/record/S02/")
    page.select_option("#id_content_talker", str(talker.pk))
    page.fill("#id_content_place", "社区党员活动室")
    page.fill("#id_content_summary", "了解入党动机、工作表现和家庭情况，宣讲党章。")
    page.set_input_files(
        "#id_attachments",
        files=[{"name": "谈话记录扫描件.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"zh-hans-record-S02-form-{width}")
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(f"**/candidates/{candidate.pk}/")

    content = page.locator(".timeline .step-content")
    assert content.count() == 1
    text = content.inner_text()
    assert "刘书记" in text and "社区党员活动室" in text and "宣讲党章" in text
    scan = Attachment.objects.get(candidate=candidate)
    link = page.locator(f"a[href='/attachments/{scan.pk}/']")
    assert link.inner_text() == "谈话记录扫描件.pdf"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    content.scroll_into_view_if_needed()
    shot(page, f"zh-hans-candidate-S02-content-{width}")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "谈话记录扫描件.pdf"
