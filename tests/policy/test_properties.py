"""Invariants of the engine over generated candidate files."""

from __future__ import annotations

import copy
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from fazhan.policy.data import load_policy
from fazhan.policy.model import LIFECYCLE_TYPES, NOTICE_TYPES, STEPS
from tests.policy.files import clean_full, document, judge

START = date(2018, 1, 1)
TYPES = STEPS + NOTICE_TYPES + LIFECYCLE_TYPES
MEMBER = st.fixed_dictionaries(
    {"name": st.sampled_from(["甲", "乙"]), "status": st.sampled_from(["full", "probationary"])},
    optional={"discipline": st.sampled_from([None, "留党察看"]), "rights_restored": st.booleans()},
)


@st.composite
def votes(draw):
    expected = draw(st.integers(1, 40))
    present = draw(st.integers(0, expected))
    in_favour = draw(st.integers(0, present))
    against = draw(st.integers(0, present - in_favour))
    return {
        "expected": expected,
        "present": present,
        "for": in_favour,
        "against": against,
        "abstain": present - in_favour - against,
        "written_for": draw(st.integers(0, 3)),
        "secret": draw(st.booleans()),
        "candidates": draw(st.integers(1, 2)),
        "issued": present,
        "returned": draw(st.integers(max(0, present - 1), present + 1)),
        "tellers": draw(st.integers(0, 2)),
        "monitors": draw(st.integers(0, 2)),
    }


@st.composite
def events(draw):
    kind = draw(st.sampled_from(TYPES))
    when = START + timedelta(days=draw(st.integers(0, 1400)))
    event = {"type": kind, "date": when.isoformat()}
    if kind in NOTICE_TYPES:
        event["end"] = (when + timedelta(days=draw(st.integers(0, 12)))).isoformat()
        event["feedback"] = draw(
            st.lists(
                st.sampled_from(
                    [
                        {"date": when.isoformat(), "resolved": None, "outcome": "pending"},
                        {
                            "date": when.isoformat(),
                            "resolved": when.isoformat(),
                            "outcome": "unfounded",
                        },
                        {
                            "date": when.isoformat(),
                            "resolved": (when + timedelta(days=30)).isoformat(),
                            "outcome": "upheld",
                        },
                    ]
                ),
                max_size=2,
            )
        )
    elif kind == "S03":
        event["nomination"] = draw(st.sampled_from([None, "member", "youth_league"]))
    elif kind == "S05":
        event["contacts"] = draw(st.lists(MEMBER, max_size=3))
    elif kind == "S09":
        event["introducers"] = draw(st.lists(MEMBER, max_size=3))
    elif kind == "S11":
        event.update(days=draw(st.integers(0, 4)), hours=draw(st.integers(0, 30)))
    elif kind in ("S10", "S13"):
        event["result"] = draw(st.sampled_from(["pass", "fail"]))
    elif kind in ("S17", "S24"):
        event["result"] = draw(st.sampled_from(["approved", "rejected"]))
        event["approver"] = {"can_approve": draw(st.booleans())}
    elif kind in ("S15", "S23"):
        event["result"] = draw(st.sampled_from(["pass", "fail"]))
        event["vote"] = draw(votes())
        if kind == "S23":
            event["outcome"] = draw(st.sampled_from(["convert", "extend", "revoke"]))
            event["extension_months"] = draw(st.integers(3, 14))
    return event


def unique_by_day_and_type(evs):
    seen, out = set(), []
    for e in evs:
        if (e["date"], e["type"]) not in seen:
            seen.add((e["date"], e["type"]))
            out.append(e)
    return out


files = st.builds(
    lambda evs, as_of, birth: document(unique_by_day_and_type(evs), as_of=as_of, birth_date=birth),
    st.lists(events(), max_size=30),
    st.sampled_from(["2019-06-30", "2020-12-31", "2023-01-01"]),
    st.sampled_from(["1990-01-31", "2001-02-28", "2000-02-29"]),
)


def summary(result):
    return (
        result.stage,
        result.suspended,
        sorted((f.id, f.step, f.date, f.severity) for f in result.findings),
    )


@given(files, st.randoms(use_true_random=False))
def test_it_gives_the_same_result_for_the_same_events_in_any_order(doc, rnd):
    shuffled = copy.deepcopy(doc)
    rnd.shuffle(shuffled["events"])
    for i, e in enumerate(shuffled["events"]):
        e["id"] = f"e{i}"
    assert summary(judge(doc)) == summary(judge(shuffled))


@given(files)
def test_it_reports_only_catalogued_findings_once_per_event(doc):
    catalogue = load_policy().findings
    result = judge(doc)
    keys = [(f.id, f.step, f.date) for f in result.findings]
    for finding in result.findings:
        spec = catalogue["order" if finding.id.startswith("order.") else finding.id]
        assert finding.severity == spec.severity
        assert finding.basis and finding.message
    # Same-day events of one type are not generated, so (id, step, date) names one event.
    assert len(keys) == len(set(keys))


@given(st.integers(1, 60), st.data())
def test_it_never_fails_a_vote_because_one_more_member_voted_for(expected, data):
    present = data.draw(st.integers(0, expected))
    in_favour = data.draw(st.integers(0, max(0, present - 1)))
    against = present - in_favour
    doc = clean_full()
    tally = doc["events"][17]["vote"]
    tally.update(
        {
            "expected": expected,
            "present": present,
            "for": in_favour,
            "against": against,
            "abstain": 0,
            "written_for": 0,
            "issued": present,
            "returned": present,
        }
    )
    before = {f.id for f in judge(doc).findings if f.id.startswith("vote.")}
    if against:
        tally.update({"for": in_favour + 1, "against": against - 1})
        after = {f.id for f in judge(doc).findings if f.id.startswith("vote.")}
        assert after <= before
