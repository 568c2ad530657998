"""The lifecycle pages and /past/ from the candidate page, in a real browser (Step 7 item 1)."""

from __future__ import annotations

import pytest

from fazhan.audit.chain import events_of
from fazhan.people.models import Candidate
from tests.browser.conftest import sign_in
from tests.browser.test_flows import activist_a_year_ago, with_password

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_transfers_a_file_to_a_named_branch_which_accepts_it(page, cast, shot):
    with_password(cast)
    candidate, _ = activist_a_year_ago(cast)
    sign_in(page, cast.zhibu.username)
    page.goto(f"/candidates/{candidate.pk}/")
    shot(page, "zh-hans-candidate-lifecycle")
    page.click(f"a[href='/candidates/{candidate.pk}/transfer/']")
    page.select_option("#id_to_org", str(cast.branch_b.pk))
    shot(page, "zh-hans-transfer")
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(f"**/candidates/{candidate.pk}/")
    assert cast.branch_b.name in page.content()
    assert Candidate.objects.get(pk=candidate.pk).org == cast.branch_a
    page.context.clear_cookies()
    sign_in(page, cast.zhibu2.username)
    page.goto(f"/candidates/{candidate.pk}/")
    page.click(f"a[href='/candidates/{candidate.pk}/accept/']")
    shot(page, "zh-hans-accept")
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(f"**/candidates/{candidate.pk}/")
    assert Candidate.objects.get(pk=candidate.pk).org == cast.branch_b


def test_it_corrects_an_event_and_enters_a_past_meeting(page, cast, shot):
    with_password(cast)
    candidate, _ = activist_a_year_ago(cast)
    s02 = [e for e in events_of(candidate.pk) if e.kind == "S02"][-1]
    sign_in(page, cast.zhibu.username)
    page.goto(f"/candidates/{candidate.pk}/correct/")
    shot(page, "zh-hans-correct-choose")
    page.click(f"a[href='?seq={s02.seq}']")
    page.fill("#id_reason", "核对纸质档案，谈话日期有误")
    shot(page, "zh-hans-correct-form")
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(f"**/candidates/{candidate.pk}/")
    assert events_of(candidate.pk)[-1].kind == "correct"
    page.goto(f"/candidates/{candidate.pk}/past/S15/")
    assert "补录" in page.inner_text("h1")
    shot(page, "zh-hans-past-s15")
    page.goto(f"/candidates/{candidate.pk}/withdraw/")
    shot(page, "zh-hans-withdraw")
