"""Recording a candidate's steps through the actions: gates live, findings for past facts."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import Http404

from fazhan.audit.chain import events_of, verify_chain
from fazhan.core.errors import ActionRefused
from fazhan.orgs.models import Member
from fazhan.people.actions import (
    Mode,
    do_correct_event,
    do_create_candidate,
    do_record_step,
    do_resume,
    do_suspend,
    do_transfer_in,
    do_transfer_out,
    do_withdraw,
)
from fazhan.people.models import Candidate
from fazhan.people.record import evaluate_candidate

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
CLEAN = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "clean-full.json").read_text("utf-8")
)


def at(day: str):
    return time_machine.travel(
        datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI), tick=False
    )


def roster(org, count=3, **kw):
    return [Member.objects.create(org=org, name=f"党员{i}", **kw) for i in range(count)]


def new_candidate(cast, org=None, **kw):
    with at("2019-03-01"):
        return do_create_candidate(
            cast.zhibu,
            org=org or cast.branch_a,
            name="测试对象",
            sex="M",
            birth_date=date(1995, 8, 15),
            **kw,
        )


def record_clean_until(cast, candidate, last_id: str) -> None:
    """Record the clean example's events live, each on its own day, as the people would."""
    members = roster(cast.branch_a)
    for event in CLEAN["events"]:
        payload = {k: v for k, v in event.items() if k not in ("id", "type", "date")}
        if "contacts" in payload:
            payload["contacts"] = [members[0].pk]
        if "introducers" in payload:
            payload["introducers"] = [members[0].pk, members[1].pk]
        payload.pop("approver", None)
        actor = cast.dangwei if event["type"] in ("S13", "S16", "S17", "S18", "S24") else cast.zhibu
        with at(event["date"]):
            do_record_step(
                actor,
                candidate,
                step=event["type"],
                happened_on=date.fromisoformat(event["date"]),
                payload=payload,
            )
        if event["id"] == last_id:
            return


def returned_from_prereview(cast):
    """A file through S12 whose pre-review (S13) came back 'returned' on 2020-06-10."""
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e15")
    with at("2020-06-10"):
        do_record_step(
            cast.dangwei,
            candidate,
            step="S13",
            happened_on=date(2020, 6, 10),
            payload={"result": "returned"},
        )
    return candidate


def assert_target_on_the_anniversary(user, candidate) -> None:
    """A target notice that ended before the S03 anniversary, then S07 on the anniversary."""
    with at("2020-04-20"):
        do_record_step(
            user,
            candidate,
            step="N-TGT",
            happened_on=date(2020, 4, 13),
            payload={"end": "2020-04-17"},
        )
    with at("2020-04-23"):
        do_record_step(user, candidate, step="S07", happened_on=date(2020, 4, 23))
    candidate.refresh_from_db()
    assert candidate.stage == "target"


def test_it_records_the_whole_clean_procedure_live(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e30")
    candidate.refresh_from_db()
    assert candidate.stage == "member"
    assert candidate.violations == 0
    assert candidate.projection["findings"] == []
    assert verify_chain().ok


def test_it_refuses_a_target_less_than_a_year_after_the_activist_date(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e9")
    with at("2020-04-22"), pytest.raises(ActionRefused) as refused:
        do_record_step(cast.zhibu, candidate, step="S07", happened_on=date(2020, 4, 22))
    assert any("一年" in r.message and "第十三条" in r.basis for r in refused.value.reasons), (
        refused.value.reasons
    )
    assert not [e for e in events_of(candidate.pk) if e.kind == "S07"]


def test_it_accepts_the_target_on_the_anniversary(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e8")
    assert_target_on_the_anniversary(cast.zhibu, candidate)


def test_it_records_a_past_breach_as_a_finding(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e9")
    with at("2026-01-05"):
        do_record_step(
            cast.zhibu, candidate, step="S07", happened_on=date(2020, 1, 6), mode=Mode.PAST
        )
    candidate.refresh_from_db()
    assert candidate.stage == "target"
    assert "target.too_early" in {f["id"] for f in candidate.projection["findings"]}
    assert candidate.violations >= 1


def test_it_records_the_same_step_once_when_two_clerks_send_it(cast):
    candidate = new_candidate(cast)
    with at("2019-03-04"):
        first = do_record_step(cast.zhibu, candidate, step="S01", happened_on=date(2019, 3, 4))
        second = do_record_step(cast.dangwei, candidate, step="S01", happened_on=date(2019, 3, 4))
    assert first.seq == second.seq
    assert [e.kind for e in events_of(candidate.pk)].count("S01") == 1


def test_it_refuses_to_record_a_step_twice(cast):
    candidate = new_candidate(cast)
    with at("2019-03-05"):
        do_record_step(cast.zhibu, candidate, step="S01", happened_on=date(2019, 3, 4))
        with pytest.raises(ActionRefused, match="已记录过"):
            do_record_step(cast.zhibu, candidate, step="S01", happened_on=date(2019, 3, 5))


def test_it_lets_assessments_repeat_and_a_returned_prereview_be_redone(cast):
    candidate = returned_from_prereview(cast)
    with at("2020-06-12"):
        do_record_step(cast.zhibu, candidate, step="S12", happened_on=date(2020, 6, 12))
        do_record_step(
            cast.dangwei,
            candidate,
            step="S13",
            happened_on=date(2020, 6, 12),
            payload={"result": "pass"},
        )
    assert [e.kind for e in events_of(candidate.pk)].count("S13") == 2


def test_it_refuses_an_approval_by_a_branch_secretary(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e19")
    with at("2020-07-22"), pytest.raises(ActionRefused, match="审批权限"):
        do_record_step(
            cast.zhibu,
            candidate,
            step="S17",
            happened_on=date(2020, 7, 22),
            payload={"result": "approved"},
        )


def test_it_refuses_an_approval_by_a_committee_without_authority(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e19")
    cast.sub_a.can_approve = False
    cast.sub_a.save()
    with at("2020-07-22"), pytest.raises(ActionRefused) as refused:
        do_record_step(
            cast.dangwei,
            candidate,
            step="S17",
            happened_on=date(2020, 7, 22),
            payload={"result": "approved"},
        )
    assert any("权限" in r.message for r in refused.value.reasons)


def test_it_hides_the_file_from_the_other_branch_and_the_outsider(cast):
    candidate = new_candidate(cast)
    for user in (cast.zhibu2, cast.outsider, cast.admin):
        with at("2019-03-04"), pytest.raises(Http404):
            do_record_step(user, candidate, step="S01", happened_on=date(2019, 3, 4))


def test_it_lets_the_auditor_read_but_not_write(cast):
    candidate = new_candidate(cast)
    with at("2019-03-04"), pytest.raises(ActionRefused, match="只读"):
        do_record_step(cast.shenji, candidate, step="S01", happened_on=date(2019, 3, 4))


def test_it_refuses_a_date_in_the_future(cast):
    candidate = new_candidate(cast)
    with at("2019-03-04"), pytest.raises(ActionRefused, match="晚于今天"):
        do_record_step(cast.zhibu, candidate, step="S01", happened_on=date(2019, 3, 5))


def test_it_names_an_unreadable_payload(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e13")
    with at("2020-05-25"), pytest.raises(ActionRefused, match="hours"):
        do_record_step(
            cast.zhibu,
            candidate,
            step="S11",
            happened_on=date(2020, 5, 25),
            payload={"days": 3, "hours": -2},
        )


def test_it_corrects_a_typo_with_a_new_event(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e9")
    with at("2026-01-05"):
        typo = do_record_step(
            cast.zhibu, candidate, step="S07", happened_on=date(2020, 1, 6), mode=Mode.PAST
        )
        do_correct_event(
            cast.zhibu,
            candidate,
            seq=typo.seq,
            reason="纸质档案日期为4月27日",
            replacement={"date": "2020-04-27"},
        )
    candidate.refresh_from_db()
    assert candidate.projection["findings"] == []
    assert candidate.target_on == date(2020, 4, 27)
    assert [e.kind for e in events_of(candidate.pk)].count("S07") == 1  # nothing edited


def test_it_stops_forward_steps_while_suspended(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e2")
    with at("2019-03-25"):
        do_suspend(cast.zhibu, candidate, happened_on=date(2019, 3, 25), reason="反馈核查")
        with pytest.raises(ActionRefused, match="暂缓"):
            do_record_step(
                cast.zhibu,
                candidate,
                step="S03",
                happened_on=date(2019, 3, 25),
                payload={"nomination": "member"},
            )
        # Within a day a resume sorts before a suspend (contracts §1): it must come a day later.
        with pytest.raises(ActionRefused, match="晚于"):
            do_resume(cast.zhibu, candidate, happened_on=date(2019, 3, 25))
    with at("2019-03-26"):
        do_resume(cast.zhibu, candidate, happened_on=date(2019, 3, 26))
    candidate.refresh_from_db()
    assert candidate.suspended is False


def test_it_closes_a_withdrawn_file(cast):
    candidate = new_candidate(cast)
    with at("2019-03-04"):
        do_record_step(cast.zhibu, candidate, step="S01", happened_on=date(2019, 3, 4))
        do_withdraw(cast.zhibu, candidate, happened_on=date(2019, 3, 4))
        with pytest.raises(ActionRefused, match="已结束"):
            do_record_step(cast.zhibu, candidate, step="S02", happened_on=date(2019, 3, 4))


def test_it_keeps_activist_time_across_a_transfer(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e8")
    with at("2019-12-01"):
        do_transfer_out(cast.zhibu, candidate, to_org=cast.branch_b, happened_on=date(2019, 12, 1))
    with at("2019-12-05"):
        do_transfer_in(cast.zhibu2, candidate, happened_on=date(2019, 12, 5))
    candidate.refresh_from_db()
    assert candidate.org == cast.branch_b
    assert not Candidate.objects.visible_to(cast.zhibu).filter(pk=candidate.pk).exists()
    assert_target_on_the_anniversary(cast.zhibu2, candidate)


def test_it_keeps_every_projection_equal_to_a_fresh_evaluation(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e20")
    candidate.refresh_from_db()
    fresh = evaluate_candidate(candidate, as_of=date.fromisoformat(candidate.projection["as_of"]))
    assert fresh.as_dict() == candidate.projection


def test_it_folds_feedback_events_into_the_notice_and_blocks_the_decision(cast):
    from django.db import transaction

    from fazhan.audit.chain import append_event

    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e8")
    with at("2020-04-17"):
        notice = do_record_step(
            cast.zhibu,
            candidate,
            step="N-TGT",
            happened_on=date(2020, 4, 13),
            payload={"end": "2020-04-17"},
        )
        with transaction.atomic():
            append_event(
                kind="notice.feedback",
                candidate_id=candidate.pk,
                happened_on=date(2020, 4, 15),
                payload={"notice_seq": notice.seq, "feedback_id": 7, "state": "pending"},
            )
    with at("2020-04-23"), pytest.raises(ActionRefused) as refused:
        do_record_step(cast.zhibu, candidate, step="S07", happened_on=date(2020, 4, 23))
    assert any("反馈" in r.message for r in refused.value.reasons)
    with at("2020-04-22"), transaction.atomic():
        append_event(
            kind="notice.feedback",
            candidate_id=candidate.pk,
            happened_on=date(2020, 4, 22),
            payload={"notice_seq": notice.seq, "feedback_id": 7, "state": "unfounded"},
        )
    with at("2020-04-23"):
        do_record_step(cast.zhibu, candidate, step="S07", happened_on=date(2020, 4, 23))
    candidate.refresh_from_db()
    assert candidate.stage == "target"


def test_it_issues_the_volunteer_form_only_after_a_passed_prereview(cast):
    candidate = returned_from_prereview(cast)
    with at("2020-06-10"), pytest.raises(ActionRefused, match="预审同意后"):
        do_record_step(cast.zhibu, candidate, step="S14", happened_on=date(2020, 6, 10))
