"""取消预备党员资格 in a real browser (issue 15 item 3): the committee proposes it from a case with
its grounds, the branch meeting sees the grounds on the motion, votes by secret ballot counted by
two members and confirmed by a third, the result sheet prints the grounds and the members, and
the committee with authority approves (S24). Screenshots at 1366 and 390 px wide."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from fazhan.accountability.actions import do_open_case
from fazhan.accountability.models import Irregularity
from fazhan.meetings import actions as act
from fazhan.meetings.models import AgendaItem, ItemKind
from fazhan.people.models import Candidate
from tests.browser.conftest import sign_in
from tests.browser.test_meeting import PASSWORD, enter_count, with_password
from tests.meetings.conftest import build_branch
from tests.meetings.test_revocation import _admitted_without_conversion_application

pytestmark = pytest.mark.django_db(transaction=True)
REASON = "经核查，该同志入党前隐瞒受处分情况，属违规发展。"
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def both(page, shot, name):
    """A screenshot at 1366 and at 390 px wide; no horizontal scrolling on the phone."""
    page.set_viewport_size(WIDE)
    shot(page, f"{name}-1366")
    page.set_viewport_size(PHONE)
    shot(page, f"{name}-390")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.set_viewport_size(WIDE)
    assert overflow <= 1, f"{name}: {overflow}px wider than the phone"


def test_a_revocation_goes_from_the_case_through_the_ballot_to_the_approval(page, cast, shot):
    with_password(cast)
    branch = build_branch(cast, full=10, password=PASSWORD)
    member = _admitted_without_conversion_application(branch, upheld=False)
    today = timezone.localdate()
    row = Irregularity.objects.create(
        candidate=member,
        org=member.org,
        finding="approval.late",
        severity="late",
        step="S17",
        finding_date=date(2026, 1, 5),
        found_on=date(2026, 1, 6),
    )
    case = do_open_case(cast.dangwei, [row.pk], title="违规发展核查")

    # The committee proposes the revocation from the case, with its grounds.
    sign_in(page, cast.dangwei.username)
    page.goto(f"/register/cases/{case.pk}/")
    page.select_option("#revoke-candidate", str(member.pk))
    page.select_option("#revoke-ground", "irregular")
    page.fill("#revoke-reason", REASON)
    page.click("form[action$='/revocation/'] button[type=submit]")
    page.wait_for_load_state()
    assert REASON in page.inner_text("body")
    both(page, shot, "revocation-case")
    page.context.clear_cookies()

    # The branch calls the meeting (all present) and puts the motion on the agenda.
    meeting = act.do_create_meeting(cast.zhibu, org=cast.branch_a, held_on=today)
    act.do_set_roll_call(cast.zhibu, meeting, all_present=True)
    act.do_add_item(cast.zhibu, meeting, candidate=member, kind=ItemKind.REVOCATION)
    item = AgendaItem.objects.get(meeting=meeting)
    sign_in(page, "zhibu")
    page.goto(f"/meetings/{meeting.pk}/")
    assert "违规发展" in page.inner_text(f"#item-{item.pk}")
    one, two, three = branch.voters[:3]
    page.check(f"#teller-{one.pk}")
    page.check(f"#teller-{two.pk}")
    page.check(f"#monitor-{three.pk}")
    page.click("#officers-form button[type=submit]")
    assert three.name in page.inner_text("#chosen-monitors")
    both(page, shot, "revocation-meeting")
    page.click("#open-form button[type=submit]")
    page.goto(f"/meetings/items/{item.pk}/")
    grounds = page.inner_text("#revocation-grounds")
    assert REASON in grounds and "违规发展核查" in grounds
    both(page, shot, "revocation-motion")
    page.click("#start-voting")
    page.click("#end-voting")
    counts = {
        "issued": 10,
        "returned": 10,
        "valid": 10,
        "invalid": 0,
        "votes_for": 9,
        "against": 1,
        "abstain": 0,
    }
    enter_count(page, item.pk, **counts)
    enter_count(page, item.pk, **counts)  # the branch's account enters the second teller's too
    page.click("#confirm-count")
    page.click("#close-item")
    page.wait_for_url(f"**/meetings/items/{item.pk}/sheet/")
    sheet = page.inner_text("article.sheet")
    assert f"取消{member.person.name}同志预备党员资格" in sheet and REASON in sheet
    assert f"{one.name}、{two.name}" in sheet and three.name in sheet
    both(page, shot, "revocation-sheet")
    page.context.clear_cookies()

    # The committee with approval authority approves (S24).
    sign_in(page, cast.dangwei.username)
    page.goto(f"/reviews/candidates/{member.pk}/")
    page.select_option("#id_step", "S24")
    page.fill("#id_meeting_on", today.isoformat())
    page.fill("#id_members_total", "7")
    page.fill("#id_members_present", "6")
    page.fill("#id_members_for", "6")
    page.fill("#id_opinion", "同意取消该同志预备党员资格。")
    page.click("#approve-form button[name=approve]")
    page.wait_for_url("**/reviews/approvals/*/")
    both(page, shot, "revocation-approved")
    page.goto(f"/candidates/{member.pk}/")
    both(page, shot, "revocation-file")
    assert Candidate.objects.get(pk=member.pk).stage == "revoked"
