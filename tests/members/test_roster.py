"""The member roster follows the record (Issue 12 item 4): dated history, the record's decisions,
the staff's changes, and the pickers as of a date."""

from __future__ import annotations

from datetime import date

import pytest

from fazhan.audit.chain import events_of, verify_chain
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused, NotVisible
from fazhan.meetings import actions as meeting_act
from fazhan.members.actions import (
    do_record_death,
    do_record_discipline,
    do_record_moved_away,
    do_restore_rights,
)
from fazhan.members.history import record_member_change, roster_on, state_on
from fazhan.members.models import ChangeKind, MemberChange
from fazhan.orgs.models import Member, MemberStatus
from fazhan.people.actions import (
    Mode,
    do_correct_event,
    do_record_step,
    do_transfer_in,
    do_transfer_out,
)
from fazhan.people.record import project
from tests.people.test_actions import at, new_candidate, record_clean_until

pytestmark = pytest.mark.django_db

S15, S17 = date(2020, 6, 29), date(2020, 7, 22)
PROBATION_END = date(2021, 6, 29)  # S15 + 12 months (党章 art. 7)


def admitted(cast):
    """The clean example's file recorded live up to the approving S17 of 2020-07-22."""
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e20")
    return candidate


def names(members) -> set[str]:
    return {m.name for m in members}


# -- the record ----------------------------------------------------------------------------------


def test_it_adds_an_approved_admission_to_the_branch_as_probationary_from_the_s17(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e19")
    assert not Member.objects.filter(candidate=candidate).exists()
    with at("2020-07-22"):
        do_record_step(
            cast.dangwei,
            candidate,
            step="S17",
            happened_on=S17,
            payload={"result": "approved"},
        )
    member = Member.objects.get(candidate=candidate)
    assert member.org == cast.branch_a and member.person_id == candidate.person_id
    assert member.status == MemberStatus.PROBATIONARY and member.active
    assert member.joined_on == S15  # 入党日期: the admitting meeting (党章 art. 7)
    assert "测试对象" in names(roster_on(cast.branch_a, S17))
    assert "测试对象" not in names(roster_on(cast.branch_a, date(2020, 7, 21)))
    on_the_day = state_on(member, S17)
    assert on_the_day.status == MemberStatus.PROBATIONARY and not on_the_day.may_vote
    joined = Event.objects.get(kind="member.joined")
    assert joined.candidate_id == candidate.pk and joined.happened_on == S17
    assert joined.payload == {
        "member_id": member.pk,
        "change_id": MemberChange.objects.get(member=member).pk,
        "kind": "joined",
        "source": "record",
        "org_id": cast.branch_a.pk,
        "status": "probationary",
    }
    assert verify_chain().ok


def test_it_makes_a_converted_member_full_from_the_end_of_probation(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e29")  # S24 approves the conversion on 2021-07-13
    member = Member.objects.get(candidate=candidate)
    assert member.status == MemberStatus.FULL and member.converted_on == PROBATION_END
    assert state_on(member, date(2021, 6, 28)).status == MemberStatus.PROBATIONARY
    assert state_on(member, PROBATION_END).may_vote
    kinds = list(member.changes.values_list("kind", "happened_on"))
    assert kinds == [("joined", S17), ("converted", PROBATION_END)]


def test_it_changes_nothing_when_the_record_is_projected_again(cast):
    candidate = admitted(cast)
    before = Event.objects.count(), MemberChange.objects.count()
    with at("2020-08-01"):
        project(candidate)
        project(candidate)
    assert (Event.objects.count(), MemberChange.objects.count()) == before


def test_it_takes_the_member_off_the_roster_when_the_s17_is_voided(cast):
    candidate = admitted(cast)
    s17 = next(e for e in events_of(candidate.pk) if e.kind == "S17")
    with at("2020-08-03"):
        do_correct_event(cast.dangwei, candidate, seq=s17.seq, void=True, reason="误录")
    member = Member.objects.get(candidate=candidate)
    assert not member.active and member.joined_on is None
    assert "测试对象" not in names(roster_on(cast.branch_a, date(2020, 8, 1)))
    assert "测试对象" not in names(roster_on(cast.branch_a, S17))
    joined = member.changes.get(kind=ChangeKind.JOINED)
    assert joined.voided  # kept, struck through, never deleted
    assert Event.objects.filter(kind="member.voided", candidate_id=candidate.pk).count() == 1


def test_it_records_an_approved_extension_and_revocation(cast):
    candidate = admitted(cast)
    vote = {"expected": 10, "present": 9, "for": 8, "against": 1, "abstain": 0, "secret": True}
    vote |= {"candidates": 1, "issued": 9, "returned": 9, "tellers": 2, "monitors": 1}
    steps = [
        ("S22", date(2021, 6, 1), {}),
        ("S23", date(2021, 6, 29), {"outcome": "extend", "extension_months": 6, "vote": vote}),
        ("S24", date(2021, 7, 13), {"result": "approved"}),
        ("S23", date(2021, 12, 29), {"outcome": "revoke", "vote": vote}),
        ("S24", date(2022, 1, 10), {"result": "approved"}),
    ]
    with at("2022-01-12"):
        for step, when, payload in steps:
            actor = cast.dangwei if step == "S24" else cast.zhibu
            do_record_step(
                actor, candidate, step=step, happened_on=when, payload=payload, mode=Mode.PAST
            )
    member = Member.objects.get(candidate=candidate)
    history = list(member.changes.filter(voided=False).values_list("kind", "happened_on", "months"))
    assert history == [
        ("joined", S17, None),
        ("extended", date(2021, 7, 13), 6),
        ("revoked", date(2022, 1, 10), None),
    ]
    assert "测试对象" in names(roster_on(cast.branch_a, date(2022, 1, 9)))
    assert "测试对象" not in names(roster_on(cast.branch_a, date(2022, 1, 10)))
    assert not member.active


def test_it_moves_a_probationary_member_with_an_in_district_transfer(cast):
    candidate = admitted(cast)
    with at("2020-09-01"):
        do_transfer_out(cast.zhibu, candidate, to_org=cast.branch_a2, happened_on=date(2020, 9, 1))
    with at("2020-09-05"):
        do_transfer_in(cast.dangwei, candidate, happened_on=date(2020, 9, 5))
    member = Member.objects.get(candidate=candidate)
    assert member.org == cast.branch_a2
    assert "测试对象" in names(roster_on(cast.branch_a, date(2020, 9, 4)))
    assert "测试对象" not in names(roster_on(cast.branch_a, date(2020, 9, 5)))
    assert "测试对象" in names(roster_on(cast.branch_a2, date(2020, 9, 5)))
    assert "测试对象" not in names(roster_on(cast.branch_a2, date(2020, 9, 4)))


# -- staff changes --------------------------------------------------------------------------------


def test_it_takes_away_the_vote_under_discipline_until_rights_are_restored(cast):
    member = Member.objects.create(org=cast.branch_a, name="老党员")
    with at("2024-05-10"):
        do_record_discipline(
            cast.dangwei,
            member,
            happened_on=date(2024, 3, 1),
            months=12,
            reason="某纪发〔2024〕1号",
        )
        do_restore_rights(cast.dangwei, member, happened_on=date(2024, 5, 1))
    assert state_on(member, date(2024, 2, 29)).may_vote
    assert not state_on(member, date(2024, 3, 1)).may_vote
    assert not state_on(member, date(2024, 4, 30)).may_vote
    assert state_on(member, date(2024, 5, 1)).may_vote
    # The baseline keeps how the imported roster held them before the first change.
    assert member.changes.filter(kind=ChangeKind.BASELINE, happened_on=None).count() == 1
    assert [e.kind for e in Event.objects.filter(kind__startswith="member.")] == [
        "member.baseline",
        "member.discipline",
        "member.restored",
    ]


def test_it_refuses_a_discipline_period_other_than_one_or_two_years(cast):
    member = Member.objects.create(org=cast.branch_a, name="老党员")
    with at("2024-05-10"), pytest.raises(ActionRefused) as refused:
        do_record_discipline(
            cast.dangwei, member, happened_on=date(2024, 3, 1), months=36, reason="某纪发"
        )
    assert refused.value.reasons[0].basis == "党章第四十条"


def test_it_refuses_a_branch_secretary_and_hides_the_member_from_outsiders(cast):
    member = Member.objects.create(org=cast.branch_a, name="老党员")
    with at("2024-05-10"):
        with pytest.raises(ActionRefused, match="党委或区委组织部"):
            do_record_death(cast.zhibu, member, happened_on=date(2024, 5, 1))
        for user in (cast.outsider, cast.zhibu2):
            with pytest.raises(NotVisible):
                do_record_death(user, member, happened_on=date(2024, 5, 1))
    assert not MemberChange.objects.exists()


def test_it_refuses_a_change_dated_tomorrow_or_after_the_member_left(cast):
    member = Member.objects.create(org=cast.branch_a, name="老党员")
    with at("2024-05-10"):
        with pytest.raises(ActionRefused, match="晚于今天"):
            do_record_death(cast.dangwei, member, happened_on=date(2024, 5, 11))
        do_record_moved_away(cast.qu, member, happened_on=date(2024, 4, 1), reason="转往外省")
        with pytest.raises(ActionRefused, match="2024-05-01 不在党员名册中"):
            do_record_death(cast.dangwei, member, happened_on=date(2024, 5, 1))


def test_it_moves_members_for_a_merge_through_one_function(cast):
    member = Member.objects.create(org=cast.branch_a, name="老党员")
    with at("2024-05-10"):
        record_member_change(
            member,
            ChangeKind.TRANSFERRED,
            date(2024, 5, 10),
            org=cast.branch_a2,
            reason="撤并",
            recorded_by_id=cast.qu.pk,
        )
    member.refresh_from_db()
    assert member.org == cast.branch_a2
    assert names(roster_on(cast.branch_a, date(2024, 5, 9))) == {"老党员"}
    assert names(roster_on(cast.branch_a2, date(2024, 5, 10))) == {"老党员"}
    assert roster_on(cast.branch_a, date(2024, 5, 10)) == []


# -- pickers as of the date ------------------------------------------------------------------------


def _voters(cast, held_on: date) -> set[str]:
    with at(held_on.isoformat()):
        meeting = meeting_act.do_create_meeting(cast.zhibu, org=cast.branch_a, held_on=held_on)
        return names(meeting_act.electorate_preview(meeting).voters)


def test_it_leaves_out_of_the_electorate_a_member_converted_the_day_after_the_meeting(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e29")
    Member.objects.create(org=cast.branch_a, name="老党员")
    with at("2021-07-20"):
        before = meeting_act.do_create_meeting(
            cast.zhibu,
            org=cast.branch_a,
            held_on=PROBATION_END - date.resolution,
            late_entry=True,
            late_reason="纸质会议补录",
        )
        on = meeting_act.do_create_meeting(
            cast.zhibu,
            org=cast.branch_a,
            held_on=PROBATION_END,
            late_entry=True,
            late_reason="纸质会议补录",
        )
        assert "测试对象" not in names(meeting_act.electorate_preview(before).voters)
        assert "测试对象" in names(meeting_act.electorate_preview(before).non_voters)
        assert "测试对象" in names(meeting_act.electorate_preview(on).voters)


def test_it_does_not_list_a_member_who_died_or_moved_away_by_the_meeting_date(cast):
    died = Member.objects.create(org=cast.branch_a, name="已故党员")
    moved = Member.objects.create(org=cast.branch_a, name="转出党员")
    Member.objects.create(org=cast.branch_a, name="在册党员")
    with at("2024-05-10"):
        do_record_death(cast.dangwei, died, happened_on=date(2024, 5, 9))
        do_record_moved_away(cast.dangwei, moved, happened_on=date(2024, 5, 10), reason="转往外省")
    assert _voters(cast, date(2024, 5, 10)) == {"在册党员"}
    assert names(roster_on(cast.branch_a, date(2024, 5, 9))) == {"转出党员", "在册党员"}
    assert names(roster_on(cast.branch_a, date(2024, 5, 8))) == {"已故党员", "转出党员", "在册党员"}


def test_it_refuses_an_introducer_who_had_died_by_the_step_date(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e11")
    first, second = Member.objects.filter(org=cast.branch_a).order_by("pk")[:2]
    with at("2020-05-11"):
        do_record_death(cast.dangwei, second, happened_on=date(2020, 5, 1))
        with pytest.raises(ActionRefused, match="2020-05-11 不在党员名册中"):
            do_record_step(
                cast.zhibu,
                candidate,
                step="S09",
                happened_on=date(2020, 5, 11),
                payload={"introducers": [first.pk, second.pk]},
            )


def test_it_snapshots_an_introducer_as_he_stood_on_the_step_date(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e11")
    first, second = Member.objects.filter(org=cast.branch_a).order_by("pk")[:2]
    with at("2020-05-20"):
        do_record_discipline(
            cast.dangwei, second, happened_on=date(2020, 5, 15), months=12, reason="某纪发"
        )
        event = do_record_step(
            cast.zhibu,
            candidate,
            step="S09",
            happened_on=date(2020, 5, 11),
            payload={"introducers": [first.pk, second.pk]},
            mode=Mode.PAST,
        )
    assert event.payload["introducers"][1]["discipline"] is None  # not yet on 2020-05-11


def test_it_backfills_the_roster_of_files_approved_before_it_followed_the_record(cast):
    from django.core.management import call_command

    candidate = admitted(cast)
    member = Member.objects.get(candidate=candidate)
    MemberChange.objects.filter(member=member).delete()
    Member.objects.filter(pk=member.pk).update(candidate=None, person=None)
    with at("2020-08-01"):
        call_command("follow_roster")
        call_command("follow_roster")  # idempotent
    again = Member.objects.get(candidate=candidate)
    assert list(again.changes.values_list("kind", "happened_on")) == [("joined", S17)]


def test_it_links_an_admitted_person_already_on_an_imported_roster_instead_of_a_duplicate(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e19")
    imported = Member.objects.create(
        org=cast.branch_a, name="测试对象", birth_date=date(1995, 8, 15), joined_on=S15
    )
    with at("2020-07-22"):
        do_record_step(
            cast.dangwei, candidate, step="S17", happened_on=S17, payload={"result": "approved"}
        )
    imported.refresh_from_db()
    assert imported.candidate_id == candidate.pk
    assert Member.objects.filter(name="测试对象").count() == 1
    assert not state_on(imported, date(2020, 7, 21)).active
    assert state_on(imported, S17).status == MemberStatus.PROBATIONARY


def _roster_of(candidates, after_seq: int = 0):
    """What following the record wrote for these files, without the ids it happened to get."""
    out = []
    for candidate in candidates:
        member = Member.objects.get(candidate=candidate)
        changes = [
            (c.kind, c.happened_on, c.source, c.org_id, c.months, c.status, c.active, c.voided)
            for c in MemberChange.objects.filter(member=member).order_by("pk")
        ]
        events = [
            (e.kind, e.happened_on, {k: v for k, v in e.payload.items() if k[-3:] != "_id"})
            for e in events_of(candidate.pk)
            if e.kind.startswith("member.") and e.seq > after_seq
        ]
        row = (member.org_id, member.status, member.active, member.under_discipline)
        out.append((row, member.joined_on, member.converted_on, member.person_id, changes, events))
    return out


def test_it_writes_new_members_in_bulk_exactly_as_file_by_file(cast, monkeypatch):
    from fazhan.members import history
    from fazhan.people.record import follow_roster

    probationary = admitted(cast)
    converted = new_candidate(cast)
    record_clean_until(cast, converted, "e30")
    files = [probationary, converted]
    one_by_one = _roster_of(files)
    assert [row[0][1] for row in one_by_one] == [MemberStatus.PROBATIONARY, MemberStatus.FULL]
    MemberChange.objects.filter(member__candidate__in=files).delete()
    Member.objects.filter(candidate__in=files).delete()
    head = Event.objects.order_by("-seq").values_list("seq", flat=True)[0]

    def not_one_by_one(**_: object) -> None:
        raise AssertionError("a new member went through follow_record")

    monkeypatch.setattr(history, "follow_record", not_one_by_one)
    with at("2021-08-01"):
        assert follow_roster([f.pk for f in files]) == 2
    assert _roster_of(files, after_seq=head) == one_by_one
    assert verify_chain().ok
