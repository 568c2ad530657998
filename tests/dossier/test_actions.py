"""Past facts with their paper, reason and second person; the 思想汇报 log (fazhan.dossier)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import Http404

from fazhan.audit.chain import events_of, verify_chain
from fazhan.core.errors import ActionRefused
from fazhan.dossier.actions import (
    do_confirm_past_fact,
    do_decline_past_fact,
    do_record_past_fact,
    do_record_thought_report,
)
from fazhan.dossier.models import PastFact, PastStatus
from fazhan.dossier.summary import missing_in_branches, past_rows, pending_for, thought_status
from fazhan.people.actions import Mode, do_create_candidate, do_record_step
from fazhan.policy.thoughts import Quarter

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
PAPER = {
    "source_kind": "general_meeting",
    "source_ref": "支部大会会议记录第3页",
    "reason": "系统启用前的纸质档案",
}


def at(day: str):
    return time_machine.travel(
        datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI), tick=False
    )


def activist(cast, filed_on: date = date(2026, 2, 15)):
    """A file in branch_a: applied, talked to, designated and filed (S04) on `filed_on`."""
    with at("2026-01-02"):
        candidate = do_create_candidate(
            cast.zhibu, org=cast.branch_a, name="测试对象", sex="M", birth_date=date(1995, 8, 15)
        )
    with at("2026-11-20"):
        for step, day in (("S01", "2025-01-06"), ("S02", "2025-01-20"), ("S03", "2025-12-01")):
            do_record_step(
                cast.zhibu,
                candidate,
                step=step,
                happened_on=date.fromisoformat(day),
                mode=Mode.PAST,
            )
        do_record_step(cast.zhibu, candidate, step="S04", happened_on=filed_on, mode=Mode.PAST)
    candidate.refresh_from_db()
    return candidate


def kinds(candidate) -> list[str]:
    return [e.kind for e in events_of(candidate.pk)]


def test_it_refuses_a_past_fact_without_its_paper_or_its_reason(cast):
    candidate = activist(cast)
    before = kinds(candidate)
    with at("2026-11-20"), pytest.raises(ActionRefused) as refused:
        do_record_past_fact(
            cast.zhibu,
            candidate,
            step="S05",
            happened_on=date(2025, 12, 5),
            source_kind="",
            source_ref=" ",
            reason="",
        )
    text = str(refused.value)
    assert "纸质材料" in text and "材料出处" in text and "为何没有及时记录" in text
    assert kinds(candidate) == before
    assert not PastFact.objects.exists()


def test_it_refuses_a_past_fact_dated_after_today(cast):
    candidate = activist(cast)
    with at("2026-11-20"), pytest.raises(ActionRefused, match="晚于今天"):
        do_record_past_fact(
            cast.zhibu, candidate, step="S06", happened_on=date(2026, 11, 21), **PAPER
        )


def test_it_records_a_past_fact_with_its_paper_on_the_chain_and_keeps_breaches(cast):
    candidate = activist(cast)
    with at("2026-11-20"):
        fact = do_record_past_fact(
            cast.zhibu, candidate, step="S06", happened_on=date(2026, 8, 1), **PAPER
        )
    assert fact.status == PastStatus.RECORDED
    event = events_of(candidate.pk)[-1]
    assert (event.seq, event.kind, event.happened_on) == (fact.event_seq, "S06", date(2026, 8, 1))
    assert event.payload["mode"] == "past"
    assert event.payload["past"] == {
        "source_kind": "general_meeting",
        "source_ref": "支部大会会议记录第3页",
        "reason": "系统启用前的纸质档案",
    }
    row = next(r for r in past_rows(candidate) if r.step == "S06")
    assert (row.source, row.recorded_by) == ("支部大会会议记录", cast.zhibu.display_name)
    # The earlier past facts entered without a paper are shown as such, not hidden.
    assert {r.step for r in past_rows(candidate) if r.status == "unsourced"} == {
        "S01",
        "S02",
        "S03",
        "S04",
    }


def short_training(cast, candidate, **kw):
    with at("2026-11-20"):
        return do_record_past_fact(
            cast.zhibu,
            candidate,
            step="S11",
            happened_on=date(2026, 9, 1),
            payload={"days": 1, "hours": 8},
            exception=True,
            **(PAPER | {"source_kind": "certificate", "source_ref": "党校结业证书第12号"} | kw),
        )


def test_it_holds_a_claimed_exception_until_a_second_person_above_confirms_it(cast):
    candidate = activist(cast)
    fact = short_training(cast, candidate)
    assert fact.status == PastStatus.PENDING
    assert fact.confirm_org_id == cast.general_branch_a.pk
    # The engine never sees the pending fact: no S11 on the record, only the request.
    assert "S11" not in kinds(candidate)
    request = events_of(candidate.pk)[-1]
    assert request.kind == "pastfact.requested" and request.seq == fact.request_seq
    assert request.payload["step_payload"] == {"days": 1, "hours": 8}
    assert [f.pk for f in pending_for(cast.dangwei)] == [fact.pk]
    assert pending_for(cast.zhibu) == []  # the recorder's own request is not in their queue

    with at("2026-11-21"), pytest.raises(ActionRefused, match="录入人以外的另一人"):
        do_confirm_past_fact(cast.zhibu, fact)
    with at("2026-11-21"), pytest.raises(Http404):
        do_confirm_past_fact(cast.zhibu2, fact)  # another branch: the fact does not exist
    with at("2026-11-21"):
        confirmed = do_confirm_past_fact(cast.dangwei, fact)
    assert confirmed.status == PastStatus.CONFIRMED and confirmed.decided_by_id == cast.dangwei.pk
    confirmation, step = events_of(candidate.pk)[-2:]
    assert confirmation.kind == "pastfact.confirmed"
    assert confirmation.payload == {"past_fact_id": fact.pk, "request_seq": fact.request_seq}
    assert step.kind == "S11" and step.payload["exception"] is True
    assert step.payload["past"]["confirm_seq"] == confirmation.seq
    assert step.seq == confirmed.event_seq
    with at("2026-11-22"), pytest.raises(ActionRefused, match="已经处理"):
        do_confirm_past_fact(cast.qu, fact)
    assert verify_chain().ok
    row = next(r for r in past_rows(candidate) if r.step == "S11")
    assert (row.recorded_by, row.confirmed_by) == (
        cast.zhibu.display_name,
        cast.dangwei.display_name,
    )


def test_it_lets_only_an_account_above_the_branch_confirm(cast):
    from fazhan.accounts.models import RoleKind
    from fazhan.testing.factories import RoleFactory, UserFactory

    candidate = activist(cast)
    fact = short_training(cast, candidate)
    colleague = UserFactory.create(username="zuzhi", display_name="组织委员")
    RoleFactory.create(user=colleague, org=cast.branch_a, kind=RoleKind.BRANCH_SECRETARY)
    with at("2026-11-21"), pytest.raises(ActionRefused, match="上级党组织有权限的账号"):
        do_confirm_past_fact(colleague, fact)
    assert PastFact.objects.get(pk=fact.pk).status == PastStatus.PENDING


def test_it_declines_an_exception_only_with_a_reason_and_records_nothing(cast):
    candidate = activist(cast)
    fact = short_training(cast, candidate)
    with at("2026-11-21"), pytest.raises(ActionRefused, match="理由"):
        do_decline_past_fact(cast.dangwei, fact, note=" ")
    with at("2026-11-21"):
        declined = do_decline_past_fact(cast.dangwei, fact, note="无审批材料")
    assert declined.status == PastStatus.DECLINED
    assert kinds(candidate)[-1] == "pastfact.declined" and "S11" not in kinds(candidate)


def test_it_refuses_an_exception_the_rules_do_not_allow(cast):
    candidate = activist(cast)
    with at("2026-11-20"), pytest.raises(ActionRefused, match="没有规则允许的特殊情况"):
        do_record_past_fact(
            cast.zhibu,
            candidate,
            step="S07",
            happened_on=date(2026, 3, 1),
            exception=True,
            **PAPER,
        )
    with at("2026-11-20"), pytest.raises(ActionRefused, match="不需要按特殊情况处理"):
        do_record_past_fact(
            cast.zhibu,
            candidate,
            step="S11",
            happened_on=date(2026, 9, 1),
            payload={"days": 3, "hours": 24},
            exception=True,
            **PAPER,
        )


def test_it_counts_the_missing_quarters_from_the_filing_date(cast):
    candidate = activist(cast, filed_on=date(2026, 2, 15))
    with at("2026-10-10"):
        assert thought_status(candidate).missing == [Quarter(2026, 2), Quarter(2026, 3)]
        report = do_record_thought_report(
            cast.zhibu, candidate, received_on=date(2026, 6, 30), note="学习党章的体会"
        )
        assert (report.period_year, report.period_quarter) == (2026, 2)
        assert thought_status(candidate).missing == [Quarter(2026, 3)]
        rows = missing_in_branches(cast.zhibu)
        assert [(r["candidate"].pk, r["missing"]) for r in rows] == [
            (candidate.pk, [Quarter(2026, 3)])
        ]
        assert missing_in_branches(cast.zhibu2) == []
    event = events_of(candidate.pk)[-1]
    assert event.kind == "thought.report"
    assert event.payload == {"report_id": report.pk, "period": "2026Q2", "attachment": False}


def test_it_refuses_a_thought_report_for_a_later_quarter_or_from_outside(cast):
    candidate = activist(cast)
    with at("2026-10-10"):
        with pytest.raises(ActionRefused, match="以后的季度"):
            do_record_thought_report(
                cast.zhibu, candidate, received_on=date(2026, 6, 30), period=Quarter(2026, 3)
            )
        with pytest.raises(ActionRefused, match="晚于今天"):
            do_record_thought_report(cast.zhibu, candidate, received_on=date(2026, 10, 11))
        with pytest.raises(Http404):
            do_record_thought_report(cast.zhibu2, candidate, received_on=date(2026, 10, 1))
