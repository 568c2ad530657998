"""A branch general meeting in a real browser: paper ballots counted by two tellers and confirmed
by a monitor, the result sheet printed, the candidate probationary; a vote short of a majority,
cast on the room's kiosk with one-time cards, recorded as failed."""

from __future__ import annotations

import re

import pytest

from fazhan.meetings import actions as act
from fazhan.meetings.models import AgendaItem, Meeting
from fazhan.people.models import Candidate
from tests.browser.conftest import sign_in
from tests.meetings.conftest import build_branch, ready_for_admission

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "fazhan-demo"


def with_password(cast):
    for user in cast.users.values():
        user.set_password(PASSWORD)
        user.save()


@pytest.fixture
def other_page(browser, live_server):
    """Another person's browser (a teller, a monitor, the room's kiosk), closed after the test."""
    contexts = []

    def open_as(username=None):
        context = browser.new_context(
            locale="zh-CN", viewport={"width": 1280, "height": 900}, base_url=live_server.url
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if username:
            sign_in(page, username)
        return page

    yield open_as
    for context in contexts:
        context.close()


def enter_count(page, item_pk, **counts):
    page.goto(f"/meetings/items/{item_pk}/")
    page.click("#enter-count")
    for name, value in counts.items():
        page.fill(f"#id_{name}", str(value))
    page.click("form.countform button[type=submit]")
    page.wait_for_url(f"**/meetings/items/{item_pk}/")


def test_it_runs_an_admission_meeting_with_paper_ballots_and_prints_the_sheet(
    page, other_page, cast, shot
):
    with_password(cast)
    branch = build_branch(cast, full=10, password=PASSWORD)
    candidate = ready_for_admission(cast, branch.voters)
    sign_in(page, "zhibu")
    page.click("header.top a[href='/meetings/']")
    page.click("text=召开支部大会")
    page.fill("#id_place", "党员活动室")
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(re.compile(r".*/meetings/\d+/$"))
    meeting = Meeting.objects.get()
    # All present by default; the one on leave is the exception (the select unticks the row).
    for member in branch.voters[:9]:
        assert page.is_checked(f"#present-{member.pk}")
    away = branch.voters[9]
    page.select_option(f"select[name=absence-{away.pk}]", "leave")
    assert not page.is_checked(f"#present-{away.pk}") and not page.is_checked("#roll-all")
    page.fill(f"input[name=note-{away.pk}]", "外出学习")
    page.click("#roll-form button[type=submit]")
    one, two, three = branch.voters[:3]
    page.check(f"#teller-{one.pk}")
    page.check(f"#teller-{two.pk}")
    page.check(f"#monitor-{three.pk}")
    page.click("#officers-form button[type=submit]")
    assert three.name in page.inner_text("#chosen-monitors")
    page.select_option("#id_candidate", str(candidate.pk))
    page.click("#item-form button[type=submit]")
    assert page.inner_text("#expected") == "10" and page.inner_text("#present") == "9"
    shot(page, "meeting-draft")
    page.click("#open-form button[type=submit]")
    assert "会议开始" in page.inner_text("[role=status]")
    shot(page, "meeting-open")
    item = AgendaItem.objects.get(meeting=meeting)
    page.click(f"#item-{item.pk} a")
    page.click("#start-voting")
    page.click("#end-voting")
    counts = {
        "issued": 9,
        "returned": 9,
        "valid": 8,
        "invalid": 1,
        "votes_for": 7,
        "against": 1,
        "abstain": 0,
    }
    enter_count(page, item.pk, **counts)
    assert "还需 1 位计票人录入" in page.content()
    second = other_page("zuzhi")
    enter_count(second, item.pk, **counts)
    monitor = other_page("jiancha")
    monitor.goto(f"/meetings/items/{item.pk}/")
    shot(monitor, "meeting-counted")
    monitor.click("#confirm-count")
    page.goto(f"/meetings/items/{item.pk}/")
    page.click("#close-item")
    page.wait_for_url(f"**/meetings/items/{item.pk}/sheet/")
    sheet = page.inner_text("article.sheet")
    assert "表决结果报告单" in sheet and "接收王小红同志为中共预备党员" in sheet
    assert "通过" in sheet and "计票人（签名）" in sheet and "监票人（签名）" in sheet
    assert f"{one.name}、{two.name}" in sheet and three.name in page.inner_text("#sheet-monitors")
    item.refresh_from_db()
    from fazhan.audit.chain import head_code

    assert head_code(item.head_hash) in sheet
    shot(page, "meeting-sheet")
    page.emulate_media(media="print")
    assert not page.is_visible("header.top")
    shot(page, "meeting-sheet-print")
    page.pdf(path=str(_shots() / "meeting-sheet-printed.pdf"), format="A4")
    page.emulate_media(media="screen")
    pdf = page.request.get(f"/meetings/items/{item.pk}/sheet.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    (_shots() / "meeting-sheet.pdf").write_bytes(pdf.body())
    page.goto(f"/candidates/{candidate.pk}/")
    assert "预备党员" in page.inner_text("h1")
    shot(page, "meeting-candidate-probationary")
    assert Candidate.objects.get(pk=candidate.pk).stage == "probationary"


def _shots():
    from tests.browser.conftest import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def test_it_records_a_vote_short_of_a_majority_cast_on_the_kiosk_as_failed(
    page, other_page, cast, shot
):
    with_password(cast)
    branch = build_branch(cast, full=10, password=PASSWORD)
    candidate = ready_for_admission(cast, branch.voters, name="赵六")
    meeting = act.do_create_meeting(cast.zhibu, org=cast.branch_a, held_on=_today())
    act.do_set_roll_call(cast.zhibu, meeting, present_ids=[m.pk for m in branch.voters[:6]])
    one, two, three = (m.pk for m in branch.voters[:3])
    act.do_set_officers(cast.zhibu, meeting, tellers=[one, two], monitors=[three])
    item = act.do_add_item(
        cast.zhibu, meeting, candidate=candidate, kind="admission", electronic=True
    )
    act.do_open_meeting(cast.zhibu, meeting)
    act.do_start_voting(cast.zhibu, item)
    # The cards as printed (the PDF of the cards page): shuffled, drawn, typed in on the kiosk.
    codes = act.do_issue_codes(cast.zhibu, item, count=6)
    kiosk = other_page()
    for code, choice in zip(codes, ["for"] * 4 + ["against", "abstain"], strict=True):
        kiosk.goto("/meetings/vote/")
        kiosk.fill("#id_code", code.lower())
        kiosk.check(f"input[name=choice][value={choice}]")
        kiosk.click("form.voteform button[type=submit]")
        assert "您的表决已记录" in kiosk.inner_text("#accepted")
    assert not kiosk.context.cookies()
    shot(kiosk, "meeting-kiosk-accepted")
    kiosk.fill("#id_code", codes[0])
    kiosk.check("input[name=choice][value=for]")
    kiosk.click("form.voteform button[type=submit]")
    assert "已经使用" in kiosk.inner_text("#refused")
    shot(kiosk, "meeting-kiosk-replay")
    sign_in(page, "zhibu")
    page.goto(f"/meetings/items/{item.pk}/")
    assert "已投电子票 6 张" in page.inner_text("#progress")
    shot(page, "meeting-voting-electronic")
    page.click("#end-voting")
    zero = {
        "issued": 0,
        "returned": 0,
        "valid": 0,
        "invalid": 0,
        "votes_for": 0,
        "against": 0,
        "abstain": 0,
    }
    enter_count(page, item.pk, **zero, e_issued=6)
    enter_count(other_page("zuzhi"), item.pk, **zero, e_issued=6)
    monitor = other_page("jiancha")
    monitor.goto(f"/meetings/items/{item.pk}/")
    assert "赞成票未超过应到人数的半数" in monitor.content()
    monitor.click("#confirm-count")
    page.goto(f"/meetings/items/{item.pk}/")
    page.click("#close-item")
    page.wait_for_url(f"**/meetings/items/{item.pk}/sheet/")
    sheet = page.inner_text("article.sheet")
    assert "未通过" in sheet and "4 票" in sheet
    shot(page, "meeting-sheet-failed")
    page.goto(f"/candidates/{candidate.pk}/")
    assert "发展对象" in page.inner_text("h1")
    row = page.locator(".timeline li", has_text="支部大会讨论").first
    assert any(word in row.inner_text() for word in ("fail", "未通过", "不通过"))
    assert Candidate.objects.get(pk=candidate.pk).stage == "target"


def _today():
    from django.utils import timezone

    return timezone.localdate()
