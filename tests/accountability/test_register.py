"""The register of irregularities (issue 15 item 1): every violation and late finding of any file
enters at the recording that makes it, stays with the organization where it happened, and is closed
with a reason, never deleted, when a correction makes it disappear."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from fazhan.accountability.models import ClosedBecause, Irregularity, State
from fazhan.accountability.register import registered_findings, sync_register
from fazhan.audit.chain import verify_chain
from fazhan.people.actions import Mode, do_correct_event, do_record_step, do_transfer_out
from fazhan.people.models import Candidate
from fazhan.people.sweep import reproject

pytestmark = pytest.mark.django_db

APPLIED = date(2026, 1, 5)
# 细则 art. 7: the talk within one month of the application, so on or before 2026-02-05.
IN_TIME = date(2026, 2, 5)
LATE = date(2026, 2, 6)


def _applied(cast, name="cand_a"):
    candidate = cast.candidates[name]
    do_record_step(cast.users["zhibu"], candidate, step="S01", happened_on=APPLIED, mode=Mode.PAST)
    return candidate


def test_it_registers_a_late_talk_under_the_branch_where_it_happened(cast):
    candidate = _applied(cast)
    event = do_record_step(
        cast.users["zhibu"], candidate, step="S02", happened_on=LATE, mode=Mode.PAST
    )
    row = Irregularity.objects.get(candidate=candidate, step="S02")
    assert (row.finding, row.severity, row.step, row.finding_date) == (
        "talk.late",
        "late",
        "S02",
        LATE,
    )
    assert row.org_id == cast.branch_a.pk and row.state == State.OPEN
    assert row.basis == "细则第七条"
    assert event.seq > 0


def test_it_leaves_nothing_open_for_a_talk_on_the_last_day(cast):
    candidate = _applied(cast)
    # Entered today as a past fact: until the talk is entered, the talk is overdue (a row opens).
    do_record_step(cast.users["zhibu"], candidate, step="S02", happened_on=IN_TIME, mode=Mode.PAST)
    rows = Irregularity.objects.filter(candidate=candidate, step="S02")
    assert [(r.state, r.closed_because) for r in rows] == [(State.CLOSED, ClosedBecause.GONE)]


def test_it_follows_an_overdue_talk_into_the_late_one_as_one_row(cast):
    with time_machine.travel(date(2026, 3, 1)):
        candidate = _applied(cast)
        overdue = Irregularity.objects.get(candidate=candidate, step="S02")
        assert overdue.finding_date == IN_TIME  # nothing recorded by the deadline
        do_record_step(cast.users["zhibu"], candidate, step="S02", happened_on=date(2026, 2, 20))
    rows = list(Irregularity.objects.filter(candidate=candidate, step="S02"))
    assert [(r.pk, r.finding_date, r.state) for r in rows] == [
        (overdue.pk, date(2026, 2, 20), State.OPEN)
    ]


def test_it_closes_with_the_reason_and_keeps_the_row_when_a_correction_clears_it(cast):
    candidate = _applied(cast)
    late = do_record_step(
        cast.users["zhibu"], candidate, step="S02", happened_on=LATE, mode=Mode.PAST
    )
    do_correct_event(
        cast.users["zhibu"],
        candidate,
        seq=late.seq,
        replacement={"type": "S02", "date": IN_TIME},
        reason="纸质谈话记录日期为2月5日，录入有误",
    )
    row = Irregularity.objects.get(candidate=candidate, step="S02")
    assert row.state == State.CLOSED
    assert row.closed_because == ClosedBecause.GONE
    assert row.closed_on is not None
    assert verify_chain().ok


def test_it_opens_a_new_row_when_a_closed_finding_comes_back(cast):
    candidate = _applied(cast)
    late = do_record_step(
        cast.users["zhibu"], candidate, step="S02", happened_on=LATE, mode=Mode.PAST
    )
    do_correct_event(
        cast.users["zhibu"],
        candidate,
        seq=late.seq,
        replacement={"type": "S02", "date": IN_TIME},
        reason="按纸质记录更正",
    )
    do_correct_event(
        cast.users["zhibu"],
        candidate,
        seq=late.seq,
        replacement={"type": "S02", "date": LATE},
        reason="核对原件后恢复原日期",
    )
    states = sorted(
        Irregularity.objects.filter(candidate=candidate, step="S02").values_list("state", flat=True)
    )
    assert states == [State.CLOSED, State.OPEN]


def test_it_keeps_a_breach_with_the_branch_that_made_it_after_a_transfer(cast):
    candidate = _applied(cast)
    do_record_step(cast.users["zhibu"], candidate, step="S02", happened_on=LATE, mode=Mode.PAST)
    do_transfer_out(cast.users["qu"], candidate, to_org=cast.branch_b, happened_on=date(2026, 3, 1))
    Candidate.objects.filter(pk=candidate.pk).update(org=cast.branch_b)
    reproject(Candidate.objects.filter(pk=candidate.pk))
    rows = Irregularity.objects.filter(candidate=candidate, step="S02")
    assert list(rows.values_list("org_id", flat=True)) == [cast.branch_a.pk]


def test_it_leaves_warnings_and_import_gaps_out():
    projection = {
        "findings": [
            {"id": "a", "severity": "warning", "step": "S05", "date": "2026-01-01"},
            {"id": "b", "severity": "violation", "step": "S12", "date": "2026-01-01", "gap": True},
            {"id": "c", "severity": "violation", "step": "S13", "date": "2026-01-02"},
            {"id": "d", "severity": "late", "step": "", "date": "2026-01-03"},
        ]
    }
    assert set(registered_findings(projection)) == {
        ("c", "S13", "2026-01-02"),
        ("d", "", "2026-01-03"),
    }


def test_it_fills_in_from_the_daily_sweep_when_a_deadline_passes(cast):
    with time_machine.travel(date(2026, 1, 20)):
        candidate = _applied(cast)
    talks = Irregularity.objects.filter(candidate=candidate, step="S02")
    assert not talks.exists()
    with time_machine.travel(date(2026, 2, 6)):
        reproject(Candidate.objects.filter(pk=candidate.pk))
    row = talks.get()
    assert (row.finding, row.found_on) == ("talk.late", date(2026, 2, 6))


def test_it_syncs_nothing_for_no_files():
    assert sync_register([]) == (0, 0)
