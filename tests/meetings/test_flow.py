"""A meeting from the roll call to the candidate's S15 or S23, through the actions."""

from __future__ import annotations

import pytest

from fazhan.audit.chain import events_of, head_code, verify_chain
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused
from fazhan.meetings import actions as act
from fazhan.meetings.models import (
    ElectorateEntry,
    ItemKind,
    ItemStatus,
    MeetingStatus,
    WrittenOpinion,
)
from tests.meetings.conftest import (
    admission_item,
    count_paper,
    days_ago,
    new_meeting,
    officers_for,
    probationary,
    ready_for_admission,
)

pytestmark = pytest.mark.django_db


def test_it_admits_a_candidate_with_paper_ballots_counted_by_two_tellers(branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    meeting = new_meeting(branch, present=8)
    item = admission_item(branch, meeting, candidate)
    act.do_record_opinion(
        cast.zhibu, item, member=branch.voters[9], choice="for", received_on=days_ago(1)
    )
    act.do_open_meeting(cast.zhibu, meeting)
    meeting.refresh_from_db()
    # 10 full members with a vote (the probationary member and the one under 留党察看 have none).
    assert (meeting.expected, meeting.present) == (10, 8)
    act.do_start_voting(cast.zhibu, item)
    act.do_end_balloting(cast.zhibu, item)
    count_paper(branch, item, issued=8, votes_for=5, against=2, abstain=1)
    act.do_close_item(cast.zhibu, item)
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED and item.result == "pass"
    candidate.refresh_from_db()
    assert candidate.stage == "probationary"
    s15 = [e for e in events_of(candidate.pk) if e.kind == "S15"][-1]
    vote = s15.payload["vote"]
    assert vote["for"] == 5 and vote["written_for"] == 1 and vote["expected"] == 10
    assert vote["present"] == 8 and vote["secret"] is True and vote["candidates"] == 1
    tally = Event.objects.get(seq=item.tally_seq)
    assert tally.kind == "meeting.tally" and tally.seq == s15.seq - 1
    assert head_code(item.head_hash) == head_code(s15.hash)
    assert verify_chain().ok


def test_it_records_a_vote_short_of_quorum_as_failed(branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    meeting = new_meeting(branch, present=5)  # exactly half of 10: no quorum (细则 art. 20)
    item = admission_item(branch, meeting, candidate)
    act.do_open_meeting(cast.zhibu, meeting)
    act.do_start_voting(cast.zhibu, item)
    act.do_end_balloting(cast.zhibu, item)
    count_paper(branch, item, issued=5, votes_for=5)
    act.do_close_item(cast.zhibu, item)
    item.refresh_from_db()
    assert item.result == "fail"
    candidate.refresh_from_db()
    assert candidate.stage == "target"
    s15 = [e for e in events_of(candidate.pk) if e.kind == "S15"][-1]
    assert s15.payload["result"] == "fail"


def test_it_fails_a_majority_of_those_present_that_is_not_one_of_the_expected(branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    meeting = new_meeting(branch, present=8)
    item = admission_item(branch, meeting, candidate)
    act.do_open_meeting(cast.zhibu, meeting)
    act.do_start_voting(cast.zhibu, item)
    act.do_end_balloting(cast.zhibu, item)
    count_paper(branch, item, issued=8, votes_for=5, against=3)  # 5 of 10 expected: not over half
    act.do_close_item(cast.zhibu, item)
    item.refresh_from_db()
    assert item.result == "fail"


def test_it_voids_a_vote_with_more_ballots_back_than_handed_out_and_lets_it_be_held_again(branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    meeting = new_meeting(branch, present=8)
    item = admission_item(branch, meeting, candidate)
    act.do_open_meeting(cast.zhibu, meeting)
    act.do_start_voting(cast.zhibu, item)
    act.do_end_balloting(cast.zhibu, item)
    count_paper(branch, item, issued=7, votes_for=8, returned=8)
    act.do_close_item(cast.zhibu, item)
    item.refresh_from_db()
    assert item.status == ItemStatus.VOID and item.step_seq is None
    assert "S15" not in [e.kind for e in events_of(candidate.pk)]
    again = admission_item(branch, meeting, candidate)
    act.do_start_voting(cast.zhibu, again)
    act.do_end_balloting(cast.zhibu, again)
    count_paper(branch, again, issued=8, votes_for=8)
    act.do_close_item(cast.zhibu, again)
    candidate.refresh_from_db()
    assert candidate.stage == "probationary"
    assert verify_chain().ok


def test_it_forces_a_recount_when_the_tellers_disagree(branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    meeting = new_meeting(branch, present=8)
    item = admission_item(branch, meeting, candidate)
    act.do_open_meeting(cast.zhibu, meeting)
    act.do_start_voting(cast.zhibu, item)
    act.do_end_balloting(cast.zhibu, item)
    one = {
        "issued": 8,
        "returned": 8,
        "valid": 8,
        "invalid": 0,
        "votes_for": 6,
        "against": 2,
        "abstain": 0,
    }
    other = dict(one, votes_for=7, against=1)
    first, second, monitor = officers_for(branch, meeting)
    act.do_enter_count(cast.zhibu, item, teller=first, **one)
    with pytest.raises(ActionRefused, match="另一位计票人"):
        act.do_enter_count(cast.zhibu, item, teller=first, **one)
    # The same branch account enters the second teller's count: each entry records it.
    act.do_enter_count(cast.zhibu, item, teller=second, **other)
    state = act.count_state(item)
    assert state.agreed is None and state.round == 2 and state.mismatch_rounds == 1
    with pytest.raises(ActionRefused, match="一致后"):
        act.do_confirm_count(branch.jiancha, item, monitor=monitor)
    act.do_enter_count(cast.zhibu, item, teller=first, **other)
    act.do_enter_count(branch.zuzhi, item, teller=second, **other)
    with pytest.raises(ActionRefused, match="监票人"):
        act.do_confirm_count(branch.zuzhi, item, monitor=second)
    with pytest.raises(ActionRefused, match="监票人尚未确认"):
        act.do_close_item(cast.zhibu, item)
    act.do_confirm_count(branch.jiancha, item, monitor=monitor)
    act.do_close_item(cast.zhibu, item)
    item.refresh_from_db()
    assert item.tally["for"] == 7


def test_it_needs_superior_consent_and_the_meetings_adoption_to_exclude_and_then_freezes(branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    meeting = new_meeting(branch, present=6)
    admission_item(branch, meeting, candidate)
    abroad = branch.voters[9]
    exclusion = act.do_propose_exclusion(cast.zhibu, meeting, member=abroad, reason="abroad")
    with pytest.raises(ActionRefused, match="尚未经上级党组织同意"):
        act.do_open_meeting(cast.zhibu, meeting, adopted_exclusion_ids=[exclusion.pk])
    with pytest.raises(ActionRefused, match="上级党组织的账号"):
        act.do_consent_exclusion(cast.zhibu, exclusion)
    with pytest.raises(ActionRefused, match="本无表决权"):
        act.do_propose_exclusion(cast.zhibu, meeting, member=branch.probationary, reason="abroad")
    act.do_consent_exclusion(cast.dangwei, exclusion)
    # Consented but not adopted by the meeting: the member still counts.
    preview = act.electorate_preview(meeting, [])
    assert preview.expected == 10
    act.do_open_meeting(cast.zhibu, meeting, adopted_exclusion_ids=[exclusion.pk])
    meeting.refresh_from_db()
    assert (meeting.expected, meeting.present) == (9, 6)
    assert meeting.status == MeetingStatus.OPEN
    entry = ElectorateEntry.objects.get(meeting=meeting, member=abroad)
    assert entry.excluded and not entry.present
    with pytest.raises(ActionRefused, match="会议尚未开始时"):
        act.do_set_roll_call(cast.zhibu, meeting, present_ids=[])
    with pytest.raises(ActionRefused, match="会议尚未开始时"):
        act.do_propose_exclusion(cast.zhibu, meeting, member=branch.voters[8], reason="illness")
    opened = Event.objects.get(seq=meeting.opened_seq)
    assert opened.payload["excluded"][0]["member_id"] == abroad.pk


def test_it_counts_written_opinions_only_for_expected_members_who_stay_away(branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    meeting = new_meeting(branch, present=8)
    item = admission_item(branch, meeting, candidate)
    came_anyway = branch.voters[0]  # present: votes in person, the paper opinion does not count
    away = branch.voters[9]
    for member in (came_anyway, away):
        act.do_record_opinion(
            cast.zhibu, item, member=member, choice="for", received_on=days_ago(2)
        )
    with pytest.raises(ActionRefused, match="有表决权"):
        act.do_record_opinion(
            cast.zhibu, item, member=branch.disciplined, choice="for", received_on=days_ago(2)
        )
    act.do_open_meeting(cast.zhibu, meeting)
    counted = dict(WrittenOpinion.objects.filter(item=item).values_list("member_id", "counted"))
    assert counted == {came_anyway.pk: False, away.pk: True}
    with pytest.raises(ActionRefused):
        act.do_record_opinion(
            cast.zhibu, item, member=branch.voters[8], choice="for", received_on=days_ago(0)
        )


def test_it_converts_extends_or_revokes_through_s23(branch):
    cast = branch.cast
    converting = probationary(cast, branch.voters, name="转正甲")
    extending = probationary(cast, branch.voters, name="延长乙")
    meeting = new_meeting(branch, present=9)
    one = act.do_add_item(cast.zhibu, meeting, candidate=converting, kind=ItemKind.CONVERSION)
    two = act.do_add_item(
        cast.zhibu, meeting, candidate=extending, kind=ItemKind.EXTENSION, extension_months=6
    )
    act.do_open_meeting(cast.zhibu, meeting)
    for item in (one, two):
        act.do_start_voting(cast.zhibu, item)
        if item is one:
            with pytest.raises(ActionRefused, match="逐个表决"):
                act.do_start_voting(cast.zhibu, two)
        act.do_end_balloting(cast.zhibu, item)
        count_paper(branch, item, issued=9, votes_for=8, against=1)
        act.do_close_item(cast.zhibu, item)
    s23 = [e for e in events_of(extending.pk) if e.kind == "S23"][-1]
    assert s23.payload["outcome"] == "extend" and s23.payload["extension_months"] == 6
    extending.refresh_from_db()
    before = extending.probation_end
    from fazhan.people.actions import do_record_step

    do_record_step(
        cast.dangwei, extending, step="S24", happened_on=days_ago(0), payload={"result": "approved"}
    )
    extending.refresh_from_db()
    assert extending.probation_end > before  # moved by six months once approved
    do_record_step(
        cast.dangwei,
        converting,
        step="S24",
        happened_on=days_ago(0),
        payload={"result": "approved"},
    )
    converting.refresh_from_db()
    assert converting.stage == "member"
    act.do_close_meeting(cast.zhibu, meeting)
    assert verify_chain().ok


def test_it_revokes_probation_through_s23_and_the_approval_ends_the_file(branch):
    cast = branch.cast
    member = probationary(cast, branch.voters, name="取消丙")
    meeting = new_meeting(branch, present=9)
    item = act.do_add_item(cast.zhibu, meeting, candidate=member, kind=ItemKind.REVOCATION)
    with pytest.raises(ActionRefused, match="半年"):
        act.do_add_item(
            cast.zhibu, meeting, candidate=member, kind=ItemKind.EXTENSION, extension_months=13
        )
    act.do_open_meeting(cast.zhibu, meeting)
    act.do_start_voting(cast.zhibu, item)
    act.do_end_balloting(cast.zhibu, item)
    count_paper(branch, item, issued=9, votes_for=7, against=2)
    act.do_close_item(cast.zhibu, item)
    s23 = [e for e in events_of(member.pk) if e.kind == "S23"][-1]
    assert s23.payload["outcome"] == "revoke" and s23.payload["result"] == "pass"
    from fazhan.people.actions import do_record_step

    do_record_step(
        cast.dangwei, member, step="S24", happened_on=days_ago(0), payload={"result": "approved"}
    )
    member.refresh_from_db()
    assert member.stage == "revoked"
