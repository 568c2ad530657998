"""Import gaps (Step 9 item 6): a roster has no column for S12, S14, S16 or S22, so the findings
that only say so are marked as gaps, shown apart, kept out of the counts; recording the missing
step as a past fact clears them. The same findings on a candidate file stay breaches."""

from __future__ import annotations

from datetime import date

import pytest

from fazhan.imports.actions import do_apply_batch, do_import_candidate
from fazhan.people.actions import Mode, do_record_step
from fazhan.people.models import Candidate
from fazhan.policy.gaps import ROSTER_GAPS
from tests.imports.helpers import on, xlsx
from tests.imports.test_roster import MEMBER, PROBATIONARY, person, preview

pytestmark = pytest.mark.django_db


def _imported(cast, name: str, **steps: object) -> Candidate:
    batch = preview(cast.zhibu, cast.branch_a, xlsx([person(name, serial=7, **steps)]))
    with on():
        do_apply_batch(cast.zhibu, batch)
    return Candidate.objects.get(person__name=name)


def _by_kind(candidate: Candidate) -> tuple[set[str], set[str]]:
    findings = candidate.projection["findings"]
    return (
        {f["id"] for f in findings if f.get("gap")},
        {f["id"] for f in findings if not f.get("gap")},
    )


def test_it_marks_what_a_roster_cannot_hold_as_gaps_and_counts_none(cast):
    member = _imported(cast, "示例成员", **MEMBER)
    gaps, breaches = _by_kind(member)
    assert gaps == set(ROSTER_GAPS)  # order.S13, order.S15, order.S23, approval.no_talk
    assert not breaches & set(ROSTER_GAPS)
    counted = sum(
        f["severity"] == "violation" for f in member.projection["findings"] if not f.get("gap")
    )
    assert member.violations == counted
    everything = sum(f["severity"] == "violation" for f in member.projection["findings"])
    assert member.violations == everything - len(gaps)  # the gaps are violations, not counted


def test_recording_the_missing_step_as_a_past_fact_clears_its_gap(cast):
    candidate = _imported(cast, "示例预备", **PROBATIONARY)
    gaps, _ = _by_kind(candidate)
    assert "approval.no_talk" in gaps
    s17 = date.fromisoformat(candidate.approved_on.isoformat())
    with on():
        do_record_step(
            cast.dangwei, candidate, step="S16", happened_on=s17, payload={}, mode=Mode.PAST
        )
    candidate.refresh_from_db()
    gaps, breaches = _by_kind(candidate)
    assert "approval.no_talk" not in gaps | breaches


def test_the_same_findings_in_a_candidate_file_stay_breaches(cast):
    events = [
        {"type": "S01", "date": "2020-01-06"},
        {"type": "S02", "date": "2020-01-20"},
        {"type": "S12", "date": "2021-03-01"},
        {"type": "S13", "date": "2021-03-10", "result": "pass"},
    ]
    with on():
        candidate = do_import_candidate(
            cast.zhibu,
            org=cast.branch_a,
            person_fields={"name": "示例档案", "sex": "M", "birth_date": "1990-05-17"},
            id_number=None,
            events=[e for e in events if e["type"] != "S12"],
            policy=None,
        )
    gaps, breaches = _by_kind(candidate)
    assert not gaps and "order.S13" in breaches
    assert candidate.violations >= 1
