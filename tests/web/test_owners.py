"""Each step has one owner (DESIGN principle 5, Step 7 item 1): the generic step page records only
unowned steps, owned ones go through their app, /past/ takes any step as a past fact, and each
lifecycle action has its own page calling its own `do_*` action."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from fazhan.audit.chain import events_of
from fazhan.audit.models import Event
from fazhan.meetings import actions as meeting_actions
from fazhan.people.actions import do_suspend, do_transfer_out
from fazhan.people.models import Candidate
from fazhan.policy.data import load_policy
from fazhan.reviews.actions import do_approve, do_decide_prereview, do_record_talk
from fazhan.web.forms import BatchForm
from tests.meetings.conftest import (
    admission_item,
    build_branch,
    count_paper,
    new_meeting,
    ready_for_admission,
)
from tests.notices.files import admitted, target_ready
from tests.people.test_actions import at, new_candidate, record_clean_until
from tests.reviews.test_reviews import sent

pytestmark = pytest.mark.django_db

OWNED = ["S13", "S15", "S16", "S17", "S23", "S24", "N-ACT", "N-TGT", "N-ADM", "N-CONV"]
# What a POST to the generic door would have carried for each owned step.
POSTS = {
    "S13": {"result": "pass"},
    "S17": {"result": "approved"},
    "S24": {"result": "approved"},
    "N-ACT": {"end": "2019-03-08"},
    "N-TGT": {"end": "2019-03-08"},
    "N-ADM": {"end": "2019-03-08"},
    "N-CONV": {"end": "2019-03-08"},
}


def kinds(candidate) -> list[str]:
    return [e.kind for e in events_of(candidate.pk)]


def last(candidate, kind: str) -> Event:
    return [e for e in events_of(candidate.pk) if e.kind == kind][-1]


def today() -> date:
    return timezone.localdate()


# -- the generic door ----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["zhibu", "dangwei", "qu"])
@pytest.mark.parametrize("step", OWNED)
def test_it_refuses_an_owned_step_at_the_generic_door_to_get_and_post(client, cast, username, step):
    candidate = cast.candidates["cand_a"]
    before = kinds(candidate)
    client.force_login(cast.users[username])
    url = f"/candidates/{candidate.pk}/record/{step}/"
    assert client.get(url).status_code == 404
    data = {"happened_on": "2019-03-04", **POSTS.get(step, {})}
    assert client.post(url, data).status_code == 404
    assert kinds(candidate) == before


@pytest.mark.parametrize("step", ["suspend", "resume", "withdraw", "reject", "transfer-out", "S99"])
def test_it_has_no_generic_door_for_lifecycle_kinds_or_unknown_steps(client, cast, step):
    candidate = cast.candidates["cand_a"]
    client.force_login(cast.zhibu)
    assert client.get(f"/candidates/{candidate.pk}/record/{step}/").status_code == 404
    assert client.post(f"/candidates/{candidate.pk}/record/{step}/", {}).status_code == 404


def test_it_keeps_the_generic_door_open_for_unowned_steps_with_a_link_to_past(client, cast):
    candidate = cast.candidates["cand_a"]
    client.force_login(cast.zhibu)
    response = client.get(f"/candidates/{candidate.pk}/record/S01/")
    body = response.content.decode()
    assert response.status_code == 200
    assert f"/candidates/{candidate.pk}/past/S01/" in body and "补录历史记录" in body
    assert 'name="past"' not in body  # the generic page is live only


def test_it_offers_no_owned_step_in_the_batch_form_nor_takes_one(client, cast):
    policy = load_policy()
    offered = [code for code, _ in BatchForm(choices=[]).fields["step"].choices]
    assert offered and not [code for code in offered if policy.owner_of(code)]
    candidate = admitted(cast, days_ago=30)
    client.force_login(cast.dangwei)
    response = client.post(
        "/candidates/batch/?stage=",
        {"step": "S17", "happened_on": today().isoformat(), "candidates": [candidate.pk]},
    )
    assert response.status_code == 200
    assert "S17" not in kinds(candidate)


def test_it_links_an_owned_next_step_to_its_owner_page(client, cast):
    candidate = target_ready(cast)
    client.force_login(cast.zhibu)
    # Recorded through the pre-review: S12 now, the committee's S13 next.
    sent(cast, candidate)
    body = client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert f"/candidates/{candidate.pk}/record/S13/" not in body
    assert "/reviews/" in body and "到预审办理" in body


# -- the owners record what the door refuses ----------------------------------------------------


def test_the_pre_review_records_s13_with_the_same_event(client, cast):
    candidate = target_ready(cast)
    (request,) = sent(cast, candidate, on=today() - timedelta(days=2))
    client.force_login(cast.dangwei)
    url = f"/candidates/{candidate.pk}/record/S13/"
    assert client.post(url, {"happened_on": today().isoformat(), "result": "pass"}).status_code == (
        404
    )
    do_decide_prereview(cast.dangwei, request, result="pass", decided_on=today(), opinion="同意。")
    event = last(candidate, "S13")
    assert event.payload == {"result": "pass"}
    assert kinds(candidate).count("S13") == 1


def test_approval_records_s16_and_s17_with_the_same_events(client, cast):
    candidate = admitted(cast, days_ago=30)
    client.force_login(cast.dangwei)
    for step in ("S16", "S17"):
        assert client.get(f"/candidates/{candidate.pk}/record/{step}/").status_code == 404
    do_record_talk(cast.dangwei, candidate, talked_on=today(), talker="张组织员")
    assert last(candidate, "S16").payload == {}
    approval = do_approve(
        cast.dangwei,
        candidate,
        step="S17",
        meeting_on=today(),
        members_total=7,
        members_present=6,
        members_for=6,
    )
    event = last(candidate, "S17")
    assert event.seq == approval.seq
    assert event.payload == {
        "result": "approved",
        "collective": {"members": 7, "present": 6, "for": 6},
        "approver": {"can_approve": True},
    }


def test_the_branch_meeting_records_s15_with_the_same_event(client, cast):
    branch = build_branch(cast)
    candidate = ready_for_admission(cast, branch.voters)
    client.force_login(cast.zhibu)
    assert client.get(f"/candidates/{candidate.pk}/record/S15/").status_code == 404
    meeting = new_meeting(branch, present=8)
    item = admission_item(branch, meeting, candidate)
    meeting_actions.do_open_meeting(cast.zhibu, meeting)
    meeting_actions.do_start_voting(cast.zhibu, item)
    meeting_actions.do_end_balloting(cast.zhibu, item)
    count_paper(branch, item, issued=8, votes_for=6, against=1, abstain=1)
    meeting_actions.do_close_item(cast.zhibu, item)
    event = last(candidate, "S15")
    assert event.payload["result"] == "pass"
    assert set(event.payload) >= {"result", "vote", "meeting_id", "item_id", "tally_seq"}
    assert event.payload["vote"]["for"] == 6 and event.payload["vote"]["secret"] is True
    assert kinds(candidate)[-2:] == ["meeting.tally", "S15"]


def test_the_notices_record_the_notice_event(client, cast):
    from tests.notices.test_notices import MONDAY, published
    from tests.notices.test_notices import at as notice_at

    with notice_at(MONDAY):
        from tests.notices.files import activist_ready

        candidate = activist_ready(cast, name="林一", serial=1)
        client.force_login(cast.zhibu)
        assert client.get(f"/candidates/{candidate.pk}/record/N-TGT/").status_code == 404
        notice = published(cast, [candidate])
    event = last(candidate, "N-TGT")
    assert event.payload == {"end": notice.end.isoformat()}


# -- /past/ ---------------------------------------------------------------------------------------

# A past fact names its paper and why it comes late (fazhan.dossier, DESIGN principle 4).
PAPER = {"source_kind": "general_meeting", "source_ref": "会议记录第2页", "late_reason": "纸质档案"}
PAST = {"source_kind": "general_meeting", "source_ref": "会议记录第2页", "reason": "纸质档案"}


def test_past_takes_an_owned_step_and_keeps_its_breach_as_a_finding(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e15")  # up to S12: no pre-review yet
    client.force_login(cast.zhibu)
    counts = {
        "happened_on": "2020-06-29",
        "vote_expected": 10,
        "vote_present": 9,
        "vote_for": 9,
        "vote_against": 0,
        "vote_abstain": 0,
        "vote_issued": 9,
        "vote_returned": 9,
        "vote_tellers": 2,
        "vote_monitors": 1,
        "vote_secret": "on",
        "outcome": "convert",
    }
    with at("2026-03-02"):
        response = client.post(f"/candidates/{candidate.pk}/past/S15/", counts | PAPER)
    assert response.status_code == 302
    event = last(candidate, "S15")
    assert event.payload["mode"] == "past" and event.payload["result"] == "pass"
    candidate.refresh_from_db()
    assert "prereview.missing" in {f["id"] for f in candidate.projection["findings"]}


def test_past_takes_a_committee_step_from_the_committee(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e15")
    client.force_login(cast.dangwei)
    with at("2026-03-02"):
        response = client.post(
            f"/candidates/{candidate.pk}/past/S13/",
            {"happened_on": "2020-06-10", "result": "pass"} | PAPER,
        )
    assert response.status_code == 302
    assert last(candidate, "S13").payload == {"result": "pass", "mode": "past", "past": PAST}


def test_past_takes_an_unowned_step_and_is_hidden_outside_the_subtree(client, cast):
    candidate = cast.candidates["cand_a"]
    client.force_login(cast.zhibu)
    page = client.get(f"/candidates/{candidate.pk}/past/S01/")
    assert page.status_code == 200 and "补录" in page.content.decode()
    with at("2026-03-02"):
        assert (
            client.post(
                f"/candidates/{candidate.pk}/past/S01/", {"happened_on": "2019-03-04"} | PAPER
            ).status_code
            == 302
        )
    assert last(candidate, "S01").payload == {"mode": "past", "past": PAST}
    client.force_login(cast.zhibu2)
    assert client.get(f"/candidates/{candidate.pk}/past/S01/").status_code == 404
    assert client.get(f"/candidates/{candidate.pk}/past/S99/").status_code == 404


def test_the_result_of_a_past_vote_follows_its_counts_not_the_post(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e17")
    client.force_login(cast.zhibu)
    counts = {
        "happened_on": "2020-06-29",
        "vote_expected": 10,
        "vote_present": 9,
        "vote_for": 5,
        "vote_against": 4,
        "vote_abstain": 0,
        "vote_issued": 9,
        "vote_returned": 9,
        "vote_tellers": 2,
        "vote_monitors": 1,
        "vote_secret": "on",
        "result": "pass",
    }
    with at("2026-03-02"):
        response = client.post(f"/candidates/{candidate.pk}/past/S15/", counts | PAPER)
    assert response.status_code == 302
    # 5 of 10 expected is not more than half (细则 art. 21): the meeting failed.
    assert last(candidate, "S15").payload["result"] == "fail"


# -- lifecycle pages ------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "stage"), [("withdraw", "withdrawn"), ("reject", "rejected")])
def test_it_closes_a_file_only_with_a_reason(client, cast, action, stage):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e1")
    client.force_login(cast.zhibu)
    url = f"/candidates/{candidate.pk}/{action}/"
    with at("2019-03-05"):
        assert client.get(url).status_code == 200
        missing = client.post(url, {"happened_on": "2019-03-05", "reason": "  "})
        assert missing.status_code == 200 and action not in kinds(candidate)
        done = client.post(url, {"happened_on": "2019-03-05", "reason": "本人书面申请"})
    assert done.status_code == 302
    assert last(candidate, action).payload == {"reason": "本人书面申请"}
    candidate.refresh_from_db()
    assert candidate.stage == stage


def test_it_suspends_and_refuses_a_resume_not_after_the_suspension(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e1")
    client.force_login(cast.zhibu)
    with at("2019-03-10"):
        response = client.post(
            f"/candidates/{candidate.pk}/suspend/",
            {"happened_on": "2019-03-10", "reason": "公示反馈核查"},
        )
        assert response.status_code == 302
        refused = client.post(f"/candidates/{candidate.pk}/resume/", {"happened_on": "2019-03-10"})
    assert refused.status_code == 422 and "晚于暂缓日期" in refused.content.decode()
    assert "resume" not in kinds(candidate)
    with at("2019-03-12"):
        response = client.post(f"/candidates/{candidate.pk}/resume/", {"happened_on": "2019-03-12"})
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.suspended is False


def test_a_transfer_names_its_target_and_moves_nothing_until_accepted(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e8")
    client.force_login(cast.zhibu)
    url = f"/candidates/{candidate.pk}/transfer/"
    page = client.get(url).content.decode()
    assert cast.branch_b.name in page and f'value="{cast.branch_a.pk}"' not in page
    with at("2019-12-01"):
        empty = client.post(url, {"happened_on": "2019-12-01", "to_org": ""})
        assert empty.status_code == 200 and "transfer-out" not in kinds(candidate)
        response = client.post(url, {"happened_on": "2019-12-01", "to_org": cast.branch_b.pk})
    assert response.status_code == 302
    event = last(candidate, "transfer-out")
    assert event.payload["to_org_id"] == cast.branch_b.pk
    assert event.payload["from_org_id"] == cast.branch_a.pk
    candidate.refresh_from_db()
    assert candidate.org == cast.branch_a  # nothing moves until the receiving branch accepts
    assert client.get(f"/candidates/{candidate.pk}/accept/").status_code == 404
    client.force_login(cast.zhibu2)
    detail = client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert f"/candidates/{candidate.pk}/accept/" in detail
    with at("2019-12-05"):
        accepted = client.post(f"/candidates/{candidate.pk}/accept/", {"happened_on": "2019-12-05"})
    assert accepted.status_code == 302
    candidate.refresh_from_db()
    assert candidate.org == cast.branch_b
    assert last(candidate, "transfer-in").payload["to_org_id"] == cast.branch_b.pk


def test_the_candidate_page_has_no_empty_transfer_and_links_each_action(client, cast):
    candidate = cast.candidates["cand_a"]
    client.force_login(cast.zhibu)
    body = client.get(f"/candidates/{candidate.pk}/").content.decode()
    for action in ("suspend", "transfer", "withdraw", "reject", "correct"):
        assert f"/candidates/{candidate.pk}/{action}/" in body
    assert "record/transfer-out" not in body and "record/suspend" not in body


def test_it_corrects_an_event_chosen_from_the_file_with_a_reason(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e2")
    s02 = last(candidate, "S02")
    client.force_login(cast.zhibu)
    url = f"/candidates/{candidate.pk}/correct/"
    listing = client.get(url).content.decode()
    assert f"S02 {load_policy().steps['S02'].name}" in listing  # in the reader's language
    assert f"?seq={s02.seq}" in listing
    with at("2019-06-01"):
        missing = client.post(url, {"seq": s02.seq, "happened_on": "2019-03-20", "reason": ""})
        assert missing.status_code == 200 and "correct" not in kinds(candidate)
        response = client.post(
            url, {"seq": s02.seq, "happened_on": "2019-03-20", "reason": "核对纸质档案"}
        )
    assert response.status_code == 302
    event = last(candidate, "correct")
    assert event.payload["supersedes"] == str(s02.seq)
    assert event.payload["replacement"]["date"] == "2019-03-20"
    assert event.payload["replacement"]["type"] == "S02"
    assert event.payload["reason"] == "核对纸质档案"
    with at("2019-06-01"):
        voided = client.post(url, {"seq": s02.seq, "void": "on", "reason": "重复录入"})
    assert voided.status_code == 302
    assert "已更正" in client.get(url).content.decode()
    assert last(candidate, "correct").payload == {
        "supersedes": str(s02.seq),
        "reason": "重复录入",
        "void": True,
    }


def test_it_shows_the_lifecycle_pages_only_inside_the_subtree(client, cast):
    candidate = cast.candidates["cand_a"]
    with at("2026-03-02"):
        do_transfer_out(cast.zhibu, candidate, to_org=cast.branch_a2, happened_on=date(2026, 3, 2))
        do_suspend(cast.zhibu, candidate, happened_on=date(2026, 3, 2), reason="核查")
    client.force_login(cast.zhibu2)
    for action in ("suspend", "resume", "withdraw", "reject", "transfer", "accept", "correct"):
        assert client.get(f"/candidates/{candidate.pk}/{action}/").status_code == 404
        assert client.post(f"/candidates/{candidate.pk}/{action}/", {}).status_code == 404
    assert Candidate.objects.get(pk=candidate.pk).org == cast.branch_a
