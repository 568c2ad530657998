"""A file's spans (fazhan.policy.spans, what the counts summary stores) say, at every date and for
every period, exactly what `file_count` says: random cuts of clean-full.json with extra approving
S17s, corrections (moving, voiding, back-dating) and transfers."""

from __future__ import annotations

import copy
import itertools
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fazhan.policy.counts import file_count
from fazhan.policy.parse import parse_document
from fazhan.policy.spans import OPEN_END, breakpoints, counted, file_spans
from tests.policy.files import clean_full, document

CLEAN = clean_full()["events"]
ORIGIN = 1


def _day(text: str, delta: int) -> str:
    return (date.fromisoformat(text) + timedelta(days=delta)).isoformat()


@st.composite
def files(draw: Any) -> dict[str, Any]:
    cut = draw(st.integers(1, len(CLEAN)))
    events = copy.deepcopy(CLEAN[:cut])
    ids = [e["id"] for e in events]
    for n in range(draw(st.integers(0, 2))):  # another approving S17 (a second decision)
        source = next((e for e in CLEAN if e["type"] == "S17"), None)
        assert source is not None
        extra = {**copy.deepcopy(source), "id": f"a{n}"}
        extra["date"] = _day(source["date"], draw(st.integers(-400, 400)))
        events.append(extra)
    for n in range(draw(st.integers(0, 2))):
        day = _day(events[0]["date"], draw(st.integers(0, 1500)))
        events.append({"id": f"t{n}", "type": "transfer-in", "date": day, "to_org_id": n + 2})
    for n in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(events))
        made = _day(target["date"], draw(st.integers(-30, 300)))
        correction: dict[str, Any] = {
            "id": f"c{n}",
            "type": "correct",
            "date": made,
            "supersedes": target["id"],
        }
        # A correction may be voided by another, never replaced by one.
        if target["type"] != "correct" and draw(st.booleans()):
            moved = {k: v for k, v in copy.deepcopy(target).items() if k != "id"}
            delta = draw(st.integers(-200, 200))
            moved["date"] = _day(target["date"], delta)
            if "end" in moved:  # a notice keeps its length
                moved["end"] = _day(moved["end"], delta)
            moved.pop("feedback", None)
            correction["replacement"] = moved
        else:
            correction["void"] = True
        events.append(correction)
        ids.append(correction["id"])
    return document(events, sex=draw(st.sampled_from("FM")))


@settings(max_examples=60, deadline=None)
@given(files(), st.data())
def test_it_says_what_file_count_says_at_every_date(doc, data):
    file = parse_document(doc)
    spans = file_spans(file, org=ORIGIN)
    days = breakpoints(file.events)
    probes = {d + timedelta(days=k) for d in days for k in (-1, 0, 1)}
    starts = data.draw(st.lists(st.sampled_from(sorted(probes)), min_size=1, max_size=4))
    for as_of in sorted(probes):
        for start in [date(as_of.year, 1, 1), *starts]:
            expected = file_count(file, start=start, as_of=as_of, org=ORIGIN)
            found = counted(spans, start=start, as_of=as_of)
            if expected.stage is None:
                assert found.stage is None
            else:
                assert found == expected, (start, as_of)


def test_it_merges_days_that_change_nothing_and_leaves_the_last_span_open():
    file = parse_document(clean_full())
    spans = file_spans(file, org=ORIGIN)
    # The approval (S17) starts a span of its own inside the probation.
    assert [s.stage for s in spans] == [
        "applicant",
        "activist",
        "target",
        "probationary",
        "probationary",
        "member",
    ]
    assert spans[4].valid_from == date(2020, 7, 22)
    assert spans[-1].valid_to == OPEN_END
    assert all(a.valid_to == b.valid_from for a, b in itertools.pairwise(spans))
    approvals = [s.approvals for s in spans if s.approvals]
    assert approvals and all(len(a) == 1 for a in approvals)
    assert approvals[0][0].approved_on == date(2020, 7, 22)
