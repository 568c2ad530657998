"""取消预备党员资格 (issue 15 item 3; seed 责任追究制: "对已经发展的，要取消预备党员资格"): at any time
during probation, without a conversion application (contracts §3: a revoking S23 needs an S15,
not an S22), and not blocked by feedback found true on a notice — that is its reason."""

from __future__ import annotations

import pytest

from fazhan.audit.chain import append_event, events_of, verify_chain
from fazhan.core.errors import ActionRefused
from fazhan.meetings import actions as act
from fazhan.meetings.gates import candidate_gates
from fazhan.meetings.models import ItemKind
from fazhan.members.history import roster_on
from fazhan.people.actions import do_record_step
from tests.meetings.conftest import (
    VOTE,
    _past,
    count_paper,
    days_ago,
    new_meeting,
    ready_for_admission,
)

pytestmark = pytest.mark.django_db


def _admitted_without_conversion_application(branch, upheld: bool):
    """A probationary member half-way through probation: no S22, and (if `upheld`) feedback on
    the admission notice found true after the admission."""
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters, name="取消甲")
    _past(
        cast,
        candidate,
        [
            ("N-ADM", days_ago(39), {"end": days_ago(31).isoformat()}),
            ("S15", days_ago(30), {"result": "pass", "vote": VOTE}),
            ("S16", days_ago(25), {}),
            ("S17", days_ago(20), {"result": "approved"}),
        ],
    )
    if upheld:
        notice = next(e for e in events_of(candidate.pk) if e.kind == "N-ADM")
        for state in ("pending", "upheld"):
            append_event(
                kind="notice.feedback",
                candidate_id=candidate.pk,
                happened_on=days_ago(10),
                payload={"notice_seq": notice.seq, "feedback_id": 1, "state": state},
                recorded_by_id=cast.dangwei.pk,
            )
    candidate.refresh_from_db()
    assert candidate.stage == "probationary", candidate.projection
    return candidate


def test_it_revokes_with_upheld_feedback_and_no_conversion_application(branch):
    cast = branch.cast
    member = _admitted_without_conversion_application(branch, upheld=True)
    # A conversion is still blocked by the feedback found true; the revocation it calls for is
    # not (the stage is right, and no conversion notice or application is asked for).
    convert = candidate_gates(member, "S23", days_ago(0), "convert")
    assert any("经核查属实" in r.message for r in convert)
    assert candidate_gates(member, "S23", days_ago(0), "revoke") == []
    meeting = new_meeting(branch, present=9)
    item = act.do_add_item(cast.zhibu, meeting, candidate=member, kind=ItemKind.REVOCATION)
    act.do_open_meeting(cast.zhibu, meeting)
    act.do_start_voting(cast.zhibu, item)
    act.do_end_balloting(cast.zhibu, item)
    count_paper(branch, item, issued=9, votes_for=8, against=1)
    act.do_close_item(cast.zhibu, item)
    s23 = [e for e in events_of(member.pk) if e.kind == "S23"][-1]
    assert (s23.payload["outcome"], s23.payload["result"]) == ("revoke", "pass")
    do_record_step(
        cast.dangwei, member, step="S24", happened_on=days_ago(0), payload={"result": "approved"}
    )
    member.refresh_from_db()
    assert member.stage == "revoked"
    # The roster follows (issue 12 item 4): a probationary member until the revocation's approval.
    before = roster_on(cast.branch_a.pk, days_ago(5))
    assert member.pk in {m.candidate_id for m in before}
    assert member.pk not in {m.candidate_id for m in roster_on(cast.branch_a.pk, days_ago(0))}
    # Judged as the contract says: no S22 or conversion notice is missing for a revocation.
    assert not [
        f for f in member.projection.get("findings", []) if f["step"] in ("S22", "S23", "S24")
    ], member.projection["findings"]
    assert verify_chain().ok


def test_it_refuses_a_revocation_outside_probation_with_its_article(branch):
    cast = branch.cast
    target = ready_for_admission(cast, branch.voters, name="发展对象乙")
    meeting = new_meeting(branch, present=9)
    act.do_add_item(cast.zhibu, meeting, candidate=target, kind=ItemKind.REVOCATION)
    with pytest.raises(ActionRefused) as refused:
        act.do_open_meeting(cast.zhibu, meeting)
    assert "预备党员" in str(refused.value) and "细则第二十、三十三条" in str(refused.value)
