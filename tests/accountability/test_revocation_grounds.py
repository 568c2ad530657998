"""The grounds of a revocation (issue 15 item 3): the case proposes, with a category and a text,
for a probationary member whose breach it holds; outside probation it is refused with its article;
the text never reaches the chain."""

from __future__ import annotations

from datetime import date

import pytest

from fazhan.accountability.actions import do_open_case, do_propose_revocation
from fazhan.accountability.models import Ground, Irregularity
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused

pytestmark = pytest.mark.django_db

REASON = "经核查，该同志入党前隐瞒受处分情况，属违规发展。"


def _case(cast, name):
    candidate = cast.candidates[name]
    row = Irregularity.objects.create(
        candidate=candidate,
        org=candidate.org,
        finding="approval.late",
        severity="late",
        step="S17",
        finding_date=date(2026, 5, 1),
        found_on=date(2026, 5, 2),
    )
    return candidate, do_open_case(cast.users["qu"], [row.pk], title="违规发展")


def test_it_keeps_the_grounds_with_the_case_and_off_the_chain(cast):
    candidate, case = _case(cast, "cand_b2")  # probationary
    revocation = do_propose_revocation(
        cast.users["qu"], case, candidate.pk, ground=Ground.IRREGULAR, reason=REASON
    )
    assert (revocation.case_id, revocation.ground) == (case.pk, Ground.IRREGULAR)
    event = Event.objects.get(kind="revocation.proposed", candidate_id=candidate.pk)
    assert event.payload == {
        "revocation_id": revocation.pk,
        "case_id": case.pk,
        "ground": "irregular",
    }


def test_it_refuses_the_grounds_outside_probation_with_its_article(cast):
    candidate, case = _case(cast, "cand_b")  # a development target
    with pytest.raises(ActionRefused) as refused:
        do_propose_revocation(
            cast.users["qu"], case, candidate.pk, ground=Ground.IRREGULAR, reason=REASON
        )
    assert "细则第三十三条" in str(refused.value) and "发展对象" in str(refused.value)


def test_it_refuses_a_file_the_case_does_not_hold(cast):
    _candidate, case = _case(cast, "cand_b2")
    other = cast.candidates["cand_a"]
    with pytest.raises(ActionRefused, match="不在本案件"):
        do_propose_revocation(
            cast.users["qu"], case, other.pk, ground=Ground.UNQUALIFIED, reason=REASON
        )


def test_it_shows_the_form_for_the_probationary_member_of_the_case(client, cast):
    candidate, case = _case(cast, "cand_b2")
    client.force_login(cast.users["qu"])
    page = client.get(f"/register/cases/{case.pk}/").content.decode()
    assert 'id="revoke-reason"' in page and candidate.person.name in page
    response = client.post(
        f"/register/cases/{case.pk}/revocation/",
        {"candidate": candidate.pk, "ground": "irregular", "reason": REASON},
    )
    assert response.status_code == 302
    assert REASON in client.get(f"/register/cases/{case.pk}/").content.decode()
