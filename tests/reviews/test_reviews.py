"""Pre-review (S12→S13), the volunteer form (S14), the meeting gate (S15), talk, approval, filing."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from fazhan.accounts.models import RoleKind
from fazhan.audit.chain import events_of, read_head
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused
from fazhan.orgs.models import Member
from fazhan.people.actions import Mode, do_record_step
from fazhan.reviews.actions import (
    collective_result,
    do_approve,
    do_decide_prereview,
    do_file_approval,
    do_issue_volunteer_form,
    do_record_talk,
    do_send_to_prereview,
)
from fazhan.reviews.models import Approval, PrereviewRequest
from fazhan.testing.factories import RoleFactory, SubOrgFactory, UserFactory
from fazhan.web.queues import by_deadline, queue_for
from tests.notices.files import VOTE, admitted, target_ready

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


def sent(cast, *candidates, user=None, on=None):
    results = do_send_to_prereview(
        user or cast.zhibu,
        [c.pk for c in candidates],
        reviewed_on=on or today(),
        opinion="支部委员会审查合格，同意报送。",
    )
    assert all(r.ok for r in results), results
    return [PrereviewRequest.objects.get(pk=r.request_id) for r in results]


def test_it_sends_a_batch_to_the_committee_with_authority_with_what_it_needs(cast):
    one = target_ready(cast, name="林一", serial=1)
    two = target_ready(cast, name="王二", sex="M", serial=2)
    first, second = sent(cast, one, two)
    assert first.batch == second.batch
    assert first.to_org == cast.sub_a  # the nearest organization with approval authority
    assert Event.objects.get(seq=first.s12_seq).kind == "S12"
    keys = {i["key"]: i["ok"] for i in first.checklist}
    assert keys == {
        "application": True,
        "assessments": True,
        "introducers": True,
        "political_review": True,
        "training": True,
        "notice": True,
        "branch_review": True,
    }
    assert [e.kind for e in events_of(one.pk)][-2:] == ["S12", "prereview.sent"]
    # The same candidate is not sent twice while waiting.
    again = do_send_to_prereview(cast.zhibu, [one.pk], reviewed_on=today())
    assert not again[0].ok and "等待上级党委答复" in str(again[0].reasons[0])
    # Another branch's secretary cannot send it.
    other = do_send_to_prereview(cast.zhibu2, [two.pk], reviewed_on=today())
    assert not other[0].ok


def test_it_flags_a_candidate_leaving_or_graduating_within_three_months(cast):
    leaving = target_ready(cast, name="林走", serial=3, leaving_date=today() + timedelta(days=40))
    (request,) = sent(cast, leaving)
    assert request.flags and "三个月内" in request.flags[0]


def test_only_a_committee_with_authority_pre_reviews_and_only_in_writing(cast):
    candidate = target_ready(cast)
    (request,) = sent(cast, candidate)
    with pytest.raises(ActionRefused, match="审批权限"):
        do_decide_prereview(
            cast.zhibu, request, result="pass", decided_on=today(), opinion="同意。"
        )
    with pytest.raises(ActionRefused, match="审批权限"):
        do_decide_prereview(cast.qu, request, result="pass", decided_on=today(), opinion="同意。")
    with pytest.raises(Http404):
        do_decide_prereview(
            cast.zhibu2, request, result="pass", decided_on=today(), opinion="同意。"
        )
    with pytest.raises(ActionRefused, match="书面"):
        do_decide_prereview(cast.dangwei, request, result="pass", decided_on=today(), opinion=" ")
    decided = do_decide_prereview(
        cast.dangwei, request, result="pass", decided_on=today(), opinion="材料齐全，同意。"
    )
    assert decided.state == "pass" and decided.head_code
    s13 = Event.objects.get(seq=decided.s13_seq)
    assert (s13.kind, s13.payload) == ("S13", {"result": "pass"})
    assert "材料齐全" not in str(s13.payload)  # the opinion stays out of the chain


def test_a_returned_file_gets_no_volunteer_form_and_cannot_go_to_the_meeting(cast):
    candidate = target_ready(cast)
    (request,) = sent(cast, candidate)
    do_decide_prereview(
        cast.dangwei, request, result="returned", decided_on=today(), opinion="缺思想汇报，请补充。"
    )
    with pytest.raises(ActionRefused, match="预审同意后才能发放入党志愿书"):
        do_issue_volunteer_form(cast.zhibu, candidate, issued_on=today())
    # Even with a volunteer form entered from paper, the meeting is refused live (细则 art. 19).
    do_record_step(cast.zhibu, candidate, step="S14", happened_on=today(), mode=Mode.PAST)
    with pytest.raises(ActionRefused) as refused:
        do_record_step(
            cast.zhibu,
            candidate,
            step="S15",
            happened_on=today(),
            payload={"result": "pass", "vote": VOTE},
        )
    assert "未经上级党委预审同意" in str(refused.value)
    assert "预审制" in str(refused.value)


def test_a_passed_pre_review_opens_the_volunteer_form_and_the_meeting(cast):
    candidate = target_ready(cast)
    (request,) = sent(cast, candidate, on=today() - timedelta(days=6))
    # Returned first, completed, sent again (a new S12), then passed.
    do_decide_prereview(
        cast.dangwei,
        request,
        result="returned",
        decided_on=today() - timedelta(days=4),
        opinion="请补充。",
    )
    refused = do_send_to_prereview(
        cast.zhibu, [candidate.pk], reviewed_on=today() - timedelta(days=4)
    )
    assert "须晚于上次预审日期" in str(refused[0].reasons[0])
    (again,) = sent(cast, candidate, on=today() - timedelta(days=2))
    assert again.s12_seq != request.s12_seq
    do_decide_prereview(cast.dangwei, again, result="pass", decided_on=today(), opinion="同意。")
    do_issue_volunteer_form(cast.zhibu, candidate, issued_on=today())
    again.refresh_from_db()
    assert again.s14_on == today()
    do_record_step(
        cast.zhibu,
        candidate,
        step="S15",
        happened_on=today(),
        payload={"result": "pass", "vote": VOTE},
    )
    candidate.refresh_from_db()
    assert candidate.stage == "probationary"


def test_an_approval_by_a_committee_with_authority_prints_the_head_code(cast, client):
    candidate = admitted(cast, days_ago=30)
    with pytest.raises(ActionRefused):
        do_record_talk(cast.zhibu, candidate, talked_on=today(), talker="张组织员")
    do_record_talk(cast.dangwei, candidate, talked_on=today(), talker="张组织员（组织委员）")
    approval = do_approve(
        cast.dangwei,
        candidate,
        step="S17",
        meeting_on=today(),
        members_total=7,
        members_present=6,
        members_for=6,
        opinion="同意接收为预备党员。",
    )
    assert approval.result == "approved" and approval.committee == cast.sub_a
    assert approval.head_code == read_head().code
    event = Event.objects.get(seq=approval.seq)
    assert event.payload["approver"] == {"can_approve": True}
    assert event.payload["collective"] == {"members": 7, "present": 6, "for": 6}
    client.force_login(cast.dangwei)
    page = client.get(f"/reviews/approvals/{approval.pk}/").content.decode()
    assert approval.head_code in page
    sheet = client.get(f"/reviews/approvals/{approval.pk}/sheet.pdf")
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    filed = do_file_approval(cast.dangwei, approval, filed_on=today())
    assert Event.objects.get(seq=filed.filed_seq).kind == "S18"
    candidate.refresh_from_db()
    assert candidate.approved_on == today()


def test_an_approval_by_an_organization_without_authority_is_refused(cast):
    # A 基层党委 without approval authority (细则 art. 23 ¶2) with its own staff.
    sub = SubOrgFactory.create(parent=cast.district, name="无审批权党委", can_approve=False)
    staff = UserFactory.create(username="wuquan")
    RoleFactory.create(user=staff, org=sub, kind=RoleKind.SUB_STAFF)
    from fazhan.testing.factories import BranchFactory

    branch = BranchFactory.create(parent=sub, name="无审批权党委第一支部")
    candidate = admitted(cast, org=branch, days_ago=20)
    do_record_step(cast.qu, candidate, step="S16", happened_on=today())
    with pytest.raises(ActionRefused) as refused:
        do_approve(
            staff,
            candidate,
            step="S17",
            meeting_on=today(),
            members_total=5,
            members_present=5,
            members_for=5,
        )
    assert "审批组织没有审批发展党员的权限" in str(refused.value)
    assert "第二十三条" in str(refused.value)
    assert not Approval.objects.exists()
    assert not [e for e in events_of(candidate.pk) if e.kind == "S17"]
    # The branch secretary cannot approve either.
    with pytest.raises(ActionRefused):
        do_approve(
            cast.zhibu,
            admitted(cast, name="林三", serial=9),
            step="S17",
            meeting_on=today(),
            members_total=5,
            members_present=5,
            members_for=5,
        )


def test_a_committee_decision_needs_a_quorum_and_a_majority_of_all_members():
    assert collective_result(7, 4, 4) == "approved"
    assert collective_result(7, 4, 3) == "rejected"
    with pytest.raises(ActionRefused, match="到会委员未超过半数"):
        collective_result(8, 4, 4)
    with pytest.raises(ActionRefused):
        collective_result(5, 6, 5)


def test_the_reminders_list_approvals_due_late_and_expired(cast):
    admitted(cast, name="近期", serial=21, days_ago=80)  # 3 months end within 14 days
    admitted(cast, name="超三月", serial=22, days_ago=100)
    admitted(cast, name="超六月", serial=23, days_ago=200)
    admitted(cast, name="刚开", serial=24, days_ago=10)
    out = StringIO()
    call_command("approval_reminders", stdout=out)
    text = out.getvalue()
    assert "[即将到期] S17 近期" in text
    assert "[已超过三个月] S17 超三月" in text
    assert "[已超过六个月] S17 超六月" in text
    assert "刚开" not in text
    assert "城关街道党工委" in text
    again = StringIO()
    call_command("approval_reminders", stdout=again)
    assert again.getvalue() == text  # idempotent


def test_pages_are_scoped_and_say_who_may_act(cast, client):
    candidate = target_ready(cast)
    (request,) = sent(cast, candidate)
    for user in (cast.zhibu2, cast.outsider, cast.admin):
        client.force_login(user)
        assert client.get(f"/reviews/prereview/{request.pk}/").status_code == 404
    client.force_login(cast.dangwei)
    page = client.get(f"/reviews/prereview/{request.pk}/").content.decode()
    assert "预审结论" in page and "入党申请书" in page
    response = client.post(
        f"/reviews/prereview/{request.pk}/",
        {"decide": "1", "result": "pass", "decided_on": today().isoformat(), "opinion": "同意。"},
    )
    assert response.status_code == 302
    client.force_login(cast.zhibu)
    page = client.get(f"/reviews/prereview/{request.pk}/").content.decode()
    assert "预审结论" not in page.split("<h2>")[-1] and "发放入党志愿书" in page


def test_the_queues_show_each_role_its_work_oldest_first(cast):
    candidate = target_ready(cast)
    ready = target_ready(cast, name="待报", serial=31)
    (request,) = sent(cast, candidate)
    admitted(cast, name="待批", serial=32, days_ago=40)
    branch = queue_for(cast.zhibu)
    assert {i.kind for i in branch} >= {"prereview_send"}
    assert ready.pk in {i.candidate_id for i in branch if i.kind == "prereview_send"}
    committee = queue_for(cast.dangwei)
    kinds = {i.kind for i in committee}
    assert {"prereview", "approval"} <= kinds
    item = next(i for i in committee if i.kind == "prereview")
    assert item.url == f"/reviews/prereview/{request.pk}/" and item.deadline > item.since
    assert committee == sorted(committee, key=by_deadline)
    for nobody in (cast.outsider, cast.shenji, cast.admin):
        assert queue_for(nobody) == []
    assert not [i for i in queue_for(cast.zhibu2) if i.candidate_id == candidate.pk]


def test_it_records_the_talk_page_s_content_in_the_event_and_shows_it(cast, client):
    """Issue 14 item 1: the reviews talk page asks S16's content as the step forms do (谈话人
    from the roster, place, summary); the event carries it and the candidate page shows it."""
    candidate = admitted(cast, days_ago=30)
    organiser = Member.objects.create(org=cast.sub_a, name="赵组织员")
    client.force_login(cast.dangwei)
    url = f"/reviews/candidates/{candidate.pk}/"
    form = {"talk": "1", "talked_on": today().isoformat(), "content_talker": organiser.pk}
    refused = client.post(url, form)
    assert refused.status_code == 200 and "S16" not in {e.kind for e in events_of(candidate.pk)}
    response = client.post(
        url, {**form, "content_place": "党工委会议室", "content_summary": "谈入党动机。"}
    )
    assert response.status_code == 302
    content = [e for e in events_of(candidate.pk) if e.kind == "S16"][-1].payload["content"]
    assert content["talker"]["member_id"] == organiser.pk and "赵组织员" not in str(content)
    assert content["place"] == "党工委会议室" and content["summary"] == "谈入党动机。"
    page = client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert "赵组织员" in page and "党工委会议室" in page and "谈入党动机。" in page
    assert "赵组织员" in client.get(url).content.decode()
