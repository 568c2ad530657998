"""A meeting cannot open for a candidate while a notice of its stage is running, while feedback
on any of its notices is open, or (admission) without a passed pre-review; the reasons say why."""

from __future__ import annotations

import pytest
from django.db import transaction

from fazhan.audit.chain import append_event, events_of
from fazhan.core.errors import ActionRefused
from fazhan.meetings import actions as act
from fazhan.meetings.gates import candidate_gates
from fazhan.people.actions import Mode, do_record_step
from fazhan.people.record import FEEDBACK_KIND, project
from tests.meetings.conftest import (
    admission_item,
    count_paper,
    days_ago,
    new_meeting,
    probationary,
    ready_for_admission,
    today,
)

pytestmark = pytest.mark.django_db


def feedback(candidate, notice_kind: str, state: str, item_id: int = 1) -> None:
    notice = [e for e in events_of(candidate.pk) if e.kind == notice_kind][-1]
    with transaction.atomic():
        append_event(
            kind=FEEDBACK_KIND,
            candidate_id=candidate.pk,
            happened_on=today(),
            payload={"notice_seq": notice.seq, "feedback_id": item_id, "state": state},
        )
        project(candidate)


def messages(reasons) -> str:
    return "；".join(r.message for r in reasons)


def test_it_refuses_to_open_while_the_admission_notice_runs(branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    do_record_step(
        cast.zhibu,
        candidate,
        step="N-ADM",
        happened_on=days_ago(2),
        payload={"end": days_ago(-5).isoformat()},
        mode=Mode.PAST,
    )
    meeting = new_meeting(branch)
    admission_item(branch, meeting, candidate)
    with pytest.raises(ActionRefused) as refused:
        act.do_open_meeting(cast.zhibu, meeting)
    assert "接收预备党员公示" in str(refused.value) and "尚未结束" in str(refused.value)
    assert "seed 公示制" in {r.basis for r in refused.value.reasons}


@pytest.mark.parametrize(
    ("state", "blocks"),
    [("pending", True), ("upheld", True), ("unfounded", False), ("founded_minor", False)],
)
def test_it_refuses_while_feedback_on_any_notice_is_open(branch, state, blocks):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    feedback(candidate, "N-TGT", "pending")
    if state != "pending":
        feedback(candidate, "N-TGT", state)
    reasons = candidate_gates(candidate, "S15", today())
    assert bool(reasons) is blocks, reasons
    if blocks:
        assert "确定发展对象公示" in messages(reasons)


def test_it_needs_a_passed_pre_review_after_the_latest_branch_review(branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    assert candidate_gates(candidate, "S15", today()) == []
    # The branch committee reviews again (after a returned pre-review, say): a new S13 is needed.
    do_record_step(cast.zhibu, candidate, step="S12", happened_on=days_ago(3), mode=Mode.PAST)
    reasons = candidate_gates(candidate, "S15", today())
    assert "预审" in messages(reasons)
    assert any("第十九条" in r.basis for r in reasons)


def test_it_refuses_a_conversion_vote_while_its_notice_runs_or_for_the_wrong_stage(branch):
    cast = branch.cast
    member = probationary(cast, branch.voters)
    do_record_step(
        cast.zhibu,
        member,
        step="N-CONV",
        happened_on=days_ago(1),
        payload={"end": days_ago(-6).isoformat()},
        mode=Mode.PAST,
    )
    assert "预备党员转正公示" in messages(candidate_gates(member, "S23", today()))
    target = ready_for_admission(cast, branch.voters, name="还是对象")
    assert "预备党员" in messages(candidate_gates(target, "S23", today()))


def test_it_checks_again_when_the_vote_starts_and_at_the_close(branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    meeting = new_meeting(branch, present=9)
    item = admission_item(branch, meeting, candidate)
    act.do_open_meeting(cast.zhibu, meeting)
    act.do_start_voting(cast.zhibu, item)
    act.do_end_balloting(cast.zhibu, item)
    count_paper(branch, item, issued=9, votes_for=9)
    feedback(candidate, "N-TGT", "pending")  # a letter arrives during the meeting
    with pytest.raises(ActionRefused, match="尚未核查办结"):
        act.do_close_item(cast.zhibu, item)
    item.refresh_from_db()
    assert item.status == "counting" and item.tally_seq is None
    assert "S15" not in [e.kind for e in events_of(candidate.pk)]
