"""Recording steps from the candidate page and for many candidates at once."""

from __future__ import annotations

from datetime import date

import pytest

from fazhan.audit.chain import events_of
from fazhan.people.actions import Mode, do_create_candidate, do_record_step
from fazhan.people.models import Candidate
from tests.people.test_actions import at, new_candidate, record_clean_until

pytestmark = pytest.mark.django_db


def kinds(candidate):
    return [e.kind for e in events_of(candidate.pk)]


def test_it_records_a_step_from_the_form(client, cast):
    candidate = new_candidate(cast)
    client.force_login(cast.zhibu)
    with at("2019-03-04"):
        response = client.post(
            f"/candidates/{candidate.pk}/record/S01/", {"happened_on": "2019-03-04"}
        )
    assert response.status_code == 302
    assert "S01" in kinds(candidate)
    candidate.refresh_from_db()
    assert candidate.applied_on == date(2019, 3, 4)
    assert candidate.next_step == "S02"


def test_it_explains_why_a_target_a_month_early_is_refused(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e8")
    client.force_login(cast.zhibu)
    with at("2020-03-23"):
        response = client.post(
            f"/candidates/{candidate.pk}/record/S07/", {"happened_on": "2020-03-23"}
        )
    body = response.content.decode()
    assert response.status_code == 422
    assert "不能记录" in body and "细则第十三条" in body and "2020-04-23" in body
    assert "S07" not in kinds(candidate)


def test_it_records_the_same_breach_as_a_past_fact_when_asked(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e8")
    client.force_login(cast.zhibu)
    with at("2026-03-23"):
        response = client.post(
            f"/candidates/{candidate.pk}/past/S07/",
            {
                "happened_on": "2020-03-23",
                "source_kind": "branch_committee",
                "source_ref": "支部委员会会议记录第5页",
                "late_reason": "系统启用前的纸质档案",
            },
        )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert "target.too_early" in {f["id"] for f in candidate.projection["findings"]}


def test_it_takes_the_result_of_a_vote_from_its_counts(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e17")
    client.force_login(cast.zhibu)
    counts = {
        "vote_expected": 20,
        "vote_present": 10,
        "vote_for": 10,
        "vote_against": 0,
        "vote_abstain": 0,
        "vote_issued": 10,
        "vote_returned": 10,
        "vote_tellers": 2,
        "vote_monitors": 1,
        "vote_secret": "on",
        "happened_on": "2020-06-29",
        "result": "pass",  # a POST that says otherwise is not heard: the counts decide
    }
    with at("2020-06-29"):
        paper = {
            "source_kind": "general_meeting",
            "source_ref": "支部大会会议记录第8页",
            "late_reason": "系统启用前的纸质档案",
        }
        response = client.post(f"/candidates/{candidate.pk}/past/S15/", counts | paper)
    assert response.status_code == 302
    s15 = [e for e in events_of(candidate.pk) if e.kind == "S15"][-1]
    # 10 of 20 expected present: exactly half, no quorum (细则 art. 20): a failed meeting.
    assert s15.payload["result"] == "fail"
    candidate.refresh_from_db()
    assert candidate.stage == "target"


@pytest.mark.parametrize("username", ["zhibu2", "outsider", "admin"])
def test_it_hides_the_record_page_outside_the_subtree(client, cast, username):
    candidate = new_candidate(cast)
    client.force_login(cast.users[username])
    assert client.get(f"/candidates/{candidate.pk}/record/S01/").status_code == 404
    response = client.post(f"/candidates/{candidate.pk}/record/S01/", {"happened_on": "2019-03-04"})
    assert response.status_code == 404
    assert "S01" not in kinds(candidate)


def test_it_lets_the_auditor_look_but_not_record(client, cast):
    candidate = new_candidate(cast)
    client.force_login(cast.shenji)
    with at("2019-03-04"):
        response = client.post(
            f"/candidates/{candidate.pk}/record/S01/", {"happened_on": "2019-03-04"}
        )
    assert response.status_code == 422
    assert "只读" in response.content.decode()
    assert "S01" not in kinds(candidate)


def test_it_records_a_training_class_for_twenty_candidates_at_once(client, cast):
    targets = []
    for i in range(21):
        with at("2020-04-01"):
            candidate = do_create_candidate(
                cast.dangwei,
                org=cast.branch_a,
                name=f"学员{i}",
                sex="F",
                birth_date=date(1996, 1, 1),
            )
        for step, when, payload in (
            ("S01", "2019-01-07", {}),
            ("S02", "2019-01-14", {}),
            ("N-ACT", "2019-01-21", {"end": "2019-01-25"}),
            ("S03", "2019-01-28", {"nomination": "youth_league"}),
            ("N-TGT", "2020-02-03", {"end": "2020-02-07"}),
            ("S07", "2020-02-10", {}),
        ):
            if i == 20 and step in ("N-TGT", "S07"):
                continue  # still an activist: training for targets only
            with at("2020-04-01"):
                do_record_step(
                    cast.dangwei,
                    candidate,
                    step=step,
                    mode=Mode.PAST,
                    happened_on=date.fromisoformat(when),
                    payload=payload,
                )
        targets.append(candidate)
    client.force_login(cast.dangwei)
    with at("2020-05-29"):
        response = client.post(
            "/candidates/batch/?stage=",
            {
                "step": "S11",
                "happened_on": "2020-05-29",
                "days": 3,
                "hours": 24,
                "candidates": [c.pk for c in targets],
            },
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert "20 / 21" in body
    for candidate in targets[:20]:
        assert "S11" in kinds(candidate)
    assert "S11" not in kinds(targets[20])
    assert Candidate.objects.get(pk=targets[20].pk).stage == "activist"
