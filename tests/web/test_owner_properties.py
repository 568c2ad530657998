"""Any sequence of actions through the pages (the generic step page, /past/, the lifecycle pages)
leaves `fazhan check` on the exported file and the live projection in agreement."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhan.audit.chain import events_of
from fazhan.check_cli import check_one
from fazhan.people.actions import do_create_candidate
from fazhan.people.record import is_record_kind
from tests.people.test_actions import at

pytestmark = pytest.mark.django_db
START = date(2019, 1, 7)
TODAY = START + timedelta(days=1000)
LIVE = ["S01", "S02", "S04", "S06", "S07", "S08", "S12", "S14", "S18", "S19", "S20", "S21", "S25"]
PAST = [*LIVE, "S03", "S10", "S13", "S15", "S16", "S17", "S23", "S24", "N-ACT", "N-TGT"]


def _form(step: str, when: date, present: int) -> dict[str, object]:
    data: dict[str, object] = {"happened_on": when.isoformat()}
    if step == "S03":
        data["nomination"] = "member"
    elif step in ("S10", "S13"):
        data["result"] = "pass"
    elif step in ("S17", "S24"):
        data["result"] = "approved"
    elif step.startswith("N-"):
        data["end"] = (when + timedelta(days=6)).isoformat()
    if step in ("S15", "S23"):
        data |= {
            "vote_expected": 10,
            "vote_present": present,
            "vote_for": present,
            "vote_against": 0,
            "vote_abstain": 0,
            "vote_issued": present,
            "vote_returned": present,
            "vote_tellers": 2,
            "vote_monitors": 1,
            "vote_secret": "on",
            "result": "pass",  # never heard: the counts decide
        }
    if step == "S23":
        data["outcome"] = "convert"
    return data


days = st.integers(0, 1000)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("record"), st.sampled_from(LIVE), days, st.just(0)),
        st.tuples(st.just("past"), st.sampled_from(PAST), days, st.integers(3, 10)),
        st.tuples(
            st.sampled_from(["suspend", "resume", "withdraw", "reject"]),
            st.none(),
            days,
            st.just(0),
        ),
        st.tuples(st.just("correct"), st.integers(0, 20), days, st.booleans()),
    ),
    max_size=10,
)


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25, deadline=None
)
@given(operations)
def test_it_keeps_check_on_the_exported_file_equal_to_the_projection(client, cast, tmp_path, ops):
    with at(TODAY.isoformat()):
        candidate = do_create_candidate(
            cast.dangwei, org=cast.branch_a, name="页面性质", sex="F", birth_date=date(1990, 1, 1)
        )
        client.force_login(cast.dangwei)
        base = f"/candidates/{candidate.pk}"
        for kind, arg, offset, extra in ops:
            when = START + timedelta(days=offset)
            if kind in ("record", "past"):
                response = client.post(f"{base}/{kind}/{arg}/", _form(arg, when, int(extra)))
            elif kind == "correct":
                events = [
                    e
                    for e in events_of(candidate.pk)
                    if is_record_kind(e.kind) and e.kind != "correct"
                ]
                if not events:
                    continue
                target = events[int(arg) % len(events)]
                data = {
                    "seq": target.seq,
                    "reason": "核对纸质档案",
                    "happened_on": when.isoformat(),
                }
                if extra:
                    data["void"] = "on"
                response = client.post(f"{base}/correct/", data)
            else:
                data = {"happened_on": when.isoformat(), "reason": "核查"}
                response = client.post(f"{base}/{kind}/", data)
            assert response.status_code in (200, 302, 422), (kind, arg, response.status_code)
        exported = client.get(f"/imports/candidates/{candidate.pk}.json")
    assert exported.status_code == 200
    path = tmp_path / f"candidate-{candidate.pk}.json"
    path.write_bytes(exported.content)
    candidate.refresh_from_db()
    stored = candidate.projection
    document, result = check_one(str(path), None, date.fromisoformat(stored["as_of"]))
    assert document["ok"], document
    checked = result.as_dict()
    # `fazhan check` adds to a next step's `why` what the live pages would refuse today (its own
    # wording, contracts §2); the steps, their windows, the stage and the findings must agree.
    assert [{**n, "why": ""} for n in checked.pop("next")] == [
        {**n, "why": ""} for n in stored["next"]
    ]
    assert checked == {k: v for k, v in stored.items() if k != "next"}
    assert candidate.stage == result.stage
    assert json.loads(exported.content)["events"] is not None
