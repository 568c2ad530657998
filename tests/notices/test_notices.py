"""Notices: consent, publication through the engine, feedback as chain events, the decision gate."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import Http404

from fazhan.audit.chain import events_of, verify_chain
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused
from fazhan.notices.actions import (
    do_add_feedback_info,
    do_assign_feedback,
    do_cancel_notice,
    do_close_feedback,
    do_create_notice,
    do_publish_notice,
    do_record_consent,
    do_submit_feedback,
    find_by_receipt,
    notice_end,
)
from fazhan.notices.decision import decision_blockers
from fazhan.notices.models import Feedback, Notice, NoticeStatus
from fazhan.people.actions import do_record_step
from fazhan.people.record import FEEDBACK_KIND
from tests.notices.files import activist_ready, applicant_ready

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
CONTACT = "城关社区党委办公室 0851-2860123"
MONDAY = "2026-03-02"


def at(day: str | date):
    text = day if isinstance(day, str) else day.isoformat()
    return time_machine.travel(
        datetime.fromisoformat(text).replace(hour=10, tzinfo=SHANGHAI), tick=False
    )


def published(cast, candidates, *, user=None, kind="N-TGT"):
    user = user or cast.zhibu
    notice = do_create_notice(
        user, org=cast.branch_a, kind=kind, candidates=candidates, contact=CONTACT
    )
    for entry in notice.entries.all():
        do_record_consent(user, entry, consented_on=date.fromisoformat(MONDAY))
    return do_publish_notice(user, notice)


def test_it_counts_the_period_in_working_days_with_the_holiday_table():
    # 2024 National Day: 1–7 October off; the notice spans the holiday.
    assert notice_end(date(2024, 9, 30), 5) == date(2024, 10, 11)
    assert notice_end(date(2026, 3, 2), 5) == date(2026, 3, 6)
    assert notice_end(date(2026, 3, 6), 5) == date(2026, 3, 12)  # a weekend inside


def test_it_publishes_after_consent_and_appends_the_notice_event_for_each_candidate(cast):
    with at(MONDAY):
        one = activist_ready(cast, name="林一", serial=1)
        two = activist_ready(cast, name="林二", serial=2)
        notice = published(cast, [one, two])
    assert notice.status == NoticeStatus.PUBLISHED
    assert (notice.first_day, notice.end) == (date(2026, 3, 2), date(2026, 3, 6))
    assert len(notice.token) >= 22 and notice.head_code
    for entry in notice.entries.all():
        event = Event.objects.get(seq=entry.event_seq)
        assert (event.kind, event.candidate_id) == ("N-TGT", entry.candidate_id)
        assert event.payload == {"end": "2026-03-06"}
        consent = Event.objects.get(seq=entry.consent_seq)
        assert consent.kind == "notice.consent"
        assert set(consent.payload) == {"notice_id", "entry_id"}
    assert verify_chain().ok


def test_it_refuses_to_publish_before_every_candidate_consented(cast):
    with at(MONDAY):
        candidate = activist_ready(cast)
        notice = do_create_notice(
            cast.zhibu, org=cast.branch_a, kind="N-TGT", candidates=[candidate], contact=CONTACT
        )
        with pytest.raises(ActionRefused, match="尚未登记本人同意公示"):
            do_publish_notice(cast.zhibu, notice)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT
    assert not [e for e in events_of(candidate.pk) if e.kind == "N-TGT"]


def test_it_refuses_a_candidate_at_another_stage_and_a_period_below_the_minimum(cast):
    with at(MONDAY):
        applicant = applicant_ready(cast)
        with pytest.raises(ActionRefused, match="对象应为入党积极分子"):
            do_create_notice(
                cast.zhibu, org=cast.branch_a, kind="N-TGT", candidates=[applicant], contact="x"
            )
        with pytest.raises(ActionRefused, match="不得少于 5 个工作日"):
            do_create_notice(
                cast.zhibu,
                org=cast.branch_a,
                kind="N-ACT",
                candidates=[applicant],
                contact="x",
                working_days=3,
            )
        notice = do_create_notice(
            cast.zhibu, org=cast.branch_a, kind="N-ACT", candidates=[applicant], contact="x"
        )
        with pytest.raises(ActionRefused, match="已在另一份同类公示中"):
            do_create_notice(
                cast.zhibu, org=cast.branch_a, kind="N-ACT", candidates=[applicant], contact="x"
            )
        do_cancel_notice(cast.zhibu, notice, reason="重新组织")
        do_create_notice(
            cast.zhibu, org=cast.branch_a, kind="N-ACT", candidates=[applicant], contact="x"
        )


def test_it_keeps_notices_in_scope(cast, client):
    with at(MONDAY):
        candidate = activist_ready(cast)
        notice = published(cast, [candidate])
        for user in (cast.zhibu2, cast.outsider, cast.admin):
            client.force_login(user)
            assert client.get(f"/notices/{notice.pk}/").status_code == 404
            assert client.get(f"/notices/{notice.pk}/notice.pdf").status_code == 404
        for user in (cast.zhibu, cast.dangwei, cast.qu, cast.shenji):
            client.force_login(user)
            assert client.get(f"/notices/{notice.pk}/").status_code == 200
        with pytest.raises(ActionRefused, match="只读"):
            do_create_notice(
                cast.shenji, org=cast.branch_a, kind="N-TGT", candidates=[candidate], contact="x"
            )
        with pytest.raises(Http404):
            do_create_notice(
                cast.zhibu2, org=cast.branch_a, kind="N-TGT", candidates=[candidate], contact="x"
            )
        # A branch cannot put another branch's candidate on its notice.
        with pytest.raises((Http404, ActionRefused)):
            do_create_notice(
                cast.zhibu2, org=cast.branch_b, kind="N-TGT", candidates=[candidate], contact="x"
            )


def test_it_blocks_the_decision_while_an_item_is_open_and_releases_it_when_closed(cast):
    with at(MONDAY):
        candidate = activist_ready(cast)
        notice = published(cast, [candidate])
        entry = notice.entries.get()
        item, code = do_submit_feedback(notice, text="请核实该同志的表现。", entry=entry)
        # While the notice runs, the decision waits for its end (contracts §3 notice.missing).
        with pytest.raises(ActionRefused, match="公示须在决定日前结束"):
            do_record_step(cast.zhibu, candidate, step="S07", happened_on=date(2026, 3, 2))
    with at("2026-03-09"):
        with pytest.raises(ActionRefused) as refused:
            do_record_step(cast.zhibu, candidate, step="S07", happened_on=date(2026, 3, 9))
        assert "反馈尚未办结" in str(refused.value)
        assert "公示制" in str(refused.value)
        blockers = decision_blockers(candidate, "S07", date(2026, 3, 9))
        assert [b.message for b in blockers] == [r.message for r in refused.value.reasons]
        do_assign_feedback(cast.zhibu, item, handler=cast.zhibu, deadline=date(2026, 3, 10))
        do_close_feedback(cast.zhibu, item, state="unfounded", finding="经核实不属实。")
        assert decision_blockers(candidate, "S07", date(2026, 3, 9)) == []
        do_record_step(cast.zhibu, candidate, step="S07", happened_on=date(2026, 3, 9))
    candidate.refresh_from_db()
    assert candidate.stage == "target"
    assert find_by_receipt(code).state == "unfounded"


def test_an_upheld_item_keeps_blocking_the_decision(cast):
    with at(MONDAY):
        candidate = activist_ready(cast)
        notice = published(cast, [candidate])
        item, _ = do_submit_feedback(notice, text="反映的问题。")
        do_close_feedback(cast.dangwei, item, state="upheld", finding="经查属实。")
    with at("2026-03-09"), pytest.raises(ActionRefused, match="反馈尚未办结或经查属实"):
        do_record_step(cast.zhibu, candidate, step="S07", happened_on=date(2026, 3, 9))


def test_each_feedback_step_is_an_event_for_every_candidate_it_concerns(cast):
    with at(MONDAY):
        one = activist_ready(cast, name="林一", serial=1)
        two = activist_ready(cast, name="林二", serial=2)
        notice = published(cast, [one, two])
        seqs = dict(notice.entries.values_list("candidate_id", "event_seq"))
        item, code = do_submit_feedback(notice, text="对整份公示的意见。")  # the whole notice
        do_add_feedback_info(item, text="补充：有证明人。")
        do_assign_feedback(cast.zhibu, item, handler=cast.dangwei, deadline=date(2026, 3, 6))
        with pytest.raises(ActionRefused, match="承办人"):
            do_assign_feedback(cast.zhibu, item, handler=cast.zhibu2, deadline=date(2026, 3, 6))
        do_close_feedback(
            cast.dangwei, item, state="founded_minor", finding="部分属实。", reply="已提醒教育。"
        )
        with pytest.raises(ActionRefused, match="已办结"):
            do_close_feedback(cast.dangwei, item, state="upheld", finding="再查。")
    for candidate in (one, two):
        mine = [e for e in events_of(candidate.pk) if e.kind.startswith("notice.feedback")]
        assert [e.kind for e in mine] == [
            FEEDBACK_KIND,
            "notice.feedback.added",
            "notice.feedback.assigned",
            FEEDBACK_KIND,
        ]
        states = [e.payload["state"] for e in mine if e.kind == FEEDBACK_KIND]
        assert states == ["pending", "founded_minor"]
        assert {e.payload["notice_seq"] for e in mine if e.kind == FEEDBACK_KIND} == {
            seqs[candidate.pk]
        }
        assert mine[2].payload["handler_id"] == cast.dangwei.pk
        assert mine[0].recorded_by_id is None  # sent by the public
        for event in mine:
            assert "对整份公示" not in str(event.payload)  # never the text
        candidate.refresh_from_db()
        n_tgt = [e for e in candidate.projection["findings"] if e["id"].startswith("notice")]
        assert n_tgt == []
    stored = Feedback.objects.get(pk=item.pk)
    assert stored.receipt_hash != code and len(stored.receipt_hash) == 64
    assert verify_chain().ok


def test_the_notice_page_shows_why_the_decision_is_refused(cast, client):
    with at(MONDAY):
        candidate = activist_ready(cast)
        notice = published(cast, [candidate])
        entry = notice.entries.get()
        do_submit_feedback(notice, text="请核实。", entry=entry)
    client.force_login(cast.zhibu)
    with at("2026-03-09"):
        page = client.get(f"/notices/{notice.pk}/").content.decode()
        assert "2026-03-09 还不能作出决定" in page
        assert "反馈尚未办结或经查属实" in page
        response = client.post(
            f"/notices/{notice.pk}/decide/{entry.pk}/", {"happened_on": "2026-03-09"}
        )
    assert response.status_code == 422
    body = response.content.decode()
    assert "反馈尚未办结或经查属实" in body and "依据" in body


def test_the_staff_pages_walk_through_create_consent_publish_and_handle(cast, client):
    client.force_login(cast.zhibu)
    with at(MONDAY):
        candidate = activist_ready(cast)
        page = client.get("/notices/new/?kind=N-TGT")
        assert page.status_code == 200 and candidate.person.name in page.content.decode()
        response = client.post(
            "/notices/new/",
            {
                "org": cast.branch_a.pk,
                "kind": "N-TGT",
                "candidates": [candidate.pk],
                "contact": CONTACT,
                "working_days": 5,
                "create": "1",
            },
        )
        assert response.status_code == 302
        notice = Notice.objects.get()
        entry = notice.entries.get()
        assert (
            client.post(f"/notices/{notice.pk}/publish/", {"first_day": MONDAY}).status_code == 422
        )
        client.post(f"/notices/{notice.pk}/consent/{entry.pk}/", {"consented_on": MONDAY})
        client.post(f"/notices/{notice.pk}/publish/", {"first_day": MONDAY})
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.PUBLISHED
        item, _ = do_submit_feedback(notice, text="请核实。")
        listed = client.get("/notices/feedback/").content.decode()
        assert f"#{item.pk}" in listed and "未指定" in listed
        client.post(
            f"/notices/feedback/{item.pk}/",
            {"assign": "1", "handler": cast.zhibu.pk, "deadline": "2026-03-06"},
        )
        client.post(
            f"/notices/feedback/{item.pk}/",
            {
                "close": "1",
                "state": "unfounded",
                "finding": "经核实不属实。",
                "reply": "感谢监督。",
                "closed_on": MONDAY,
            },
        )
        item.refresh_from_db()
        assert (item.state, item.handler_id, item.reply) == (
            "unfounded",
            cast.zhibu.pk,
            "感谢监督。",
        )
        pdf = client.get(f"/notices/{notice.pk}/notice.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_an_outsider_cannot_handle_feedback(cast, client):
    with at(MONDAY):
        notice = published(cast, [activist_ready(cast)])
        item, _ = do_submit_feedback(notice, text="请核实。")
        client.force_login(cast.outsider)
        assert client.get(f"/notices/feedback/{item.pk}/").status_code == 404
        with pytest.raises(Http404):
            do_close_feedback(cast.zhibu2, item, state="unfounded", finding="x")
        with pytest.raises(ActionRefused):
            do_close_feedback(cast.shenji, item, state="unfounded", finding="x")


def test_feedback_is_only_taken_while_the_notice_runs(cast):
    with at(MONDAY):
        notice = published(cast, [activist_ready(cast)])
    with at(notice.end + timedelta(days=1)), pytest.raises(Http404):
        do_submit_feedback(notice, text="晚了。")
