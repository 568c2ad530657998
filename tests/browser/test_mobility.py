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
