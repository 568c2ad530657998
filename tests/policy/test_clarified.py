"""The clarified points of contracts.md §1 and §3, each at its boundary."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from tests.policy.files import (
    clean_full,
    document,
    events_until,
    findings_of,
    ids,
    judge,
    with_event,
)
from tests.policy.test_rules import vote

OPTIONAL_EVENT_KEYS = (
    "id",
    "feedback",
    "nomination",
    "contacts",
    "introducers",
    "days",
    "hours",
    "exception",
    "result",
    "approver",
    "from_org",
    "to_org",
)
OPTIONAL_PERSON_KEYS = (
    "ref",
    "name",
    "ethnicity",
    "education",
    "occupations",
    "frontline",
    "graduation_date",
    "leaving_date",
)


def _as_dicts(doc):
    result = judge(doc)
    return result.stage, [f.as_dict() for f in result.findings], [n.as_dict() for n in result.next]


def test_it_reads_an_explicit_null_as_the_default_of_an_optional_key():
    doc = clean_full()
    nulled = copy.deepcopy(doc)
    nulled["policy"] = None
    for key in OPTIONAL_PERSON_KEYS:
        nulled["person"].setdefault(key, None)
    for event in nulled["events"]:
        for key in OPTIONAL_EVENT_KEYS:
            if key not in event:
                event[key] = None
        if "vote" in event:
            for key in ("written_for", "written_against", "written_abstain"):
                event["vote"].setdefault(key, None)
    stripped = copy.deepcopy(doc)
    for event in stripped["events"]:
        for key in [k for k, v in event.items() if v is None]:
            del event[key]
    assert _as_dicts(nulled) == _as_dicts(stripped)
    assert judge(nulled).findings == ()


@pytest.mark.parametrize(
    ("event_id", "keys", "finding"),
    [
        ("e14", ("days", "hours", "exception"), "training.insufficient"),  # null days is 0 days
        ("e4", ("nomination",), "activist.not_nominated"),
        ("e18", ("result",), None),  # no result: the vote is not judged for quorum
    ],
)
def test_it_judges_an_explicit_null_exactly_as_a_missing_key(event_id, keys, finding):
    explicit = with_event(clean_full(), event_id, **dict.fromkeys(keys))
    dropped = with_event(clean_full(), event_id, **{f"_drop_{key}": None for key in keys})
    assert _as_dicts(explicit) == _as_dicts(dropped)
    if finding is not None:
        assert finding in ids(judge(explicit))


@pytest.mark.parametrize(
    ("approver", "found"),
    [
        ({"can_approve": None}, False),  # authority not judged
        ({}, False),
        (None, False),
        ({"can_approve": True}, False),
        ({"can_approve": False}, True),
    ],
)
def test_it_does_not_judge_an_approver_whose_authority_is_null(approver, found):
    doc = with_event(clean_full(), "e20", approver=approver)
    assert ("approval.unauthorized" in ids(judge(doc))) is found


def test_it_orders_a_same_day_tie_by_rank_whatever_the_file_order():
    doc = document(
        [{"type": "S02", "date": "2019-03-04"}, {"type": "S01", "date": "2019-03-04"}],
        as_of="2019-03-05",
    )
    assert "order.S02" not in ids(judge(doc))
    closing = document(
        [
            {"type": "S01", "date": "2019-03-04"},
            {"type": "reject", "date": "2019-03-10"},
            {"type": "withdraw", "date": "2019-03-10"},
        ]
    )
    assert judge(closing).stage == "withdrawn"  # withdraw ranks before reject


def _two_extensions_on_one_day(first_months, second_months):
    doc = events_until(clean_full(), "e25")
    doc["as_of"] = "2023-01-31"
    doc["events"] += [
        {
            "id": f"x{i}",
            "type": "S23",
            "date": "2021-06-29",
            "result": "pass",
            "outcome": "extend",
            "extension_months": months,
            "vote": vote(),
        }
        for i, months in enumerate((first_months, second_months))
    ]
    return doc


@pytest.mark.parametrize(
    ("first", "second", "invalid"),
    [(6, 13, [13]), (13, 6, [13, 6])],
)
def test_it_keeps_the_file_order_of_events_of_the_same_date_and_rank(first, second, invalid):
    result = judge(_two_extensions_on_one_day(first, second))
    found = [f.message for f in result.findings if f.id == "extension.invalid"]
    assert len(found) == len(invalid)
    for message, months in zip(found, invalid, strict=True):
        assert str(months) in message


@pytest.mark.parametrize(("withdrawn_on", "late"), [("2019-04-04", False), ("2019-04-05", True)])
def test_it_gives_no_late_talk_to_a_file_closed_on_the_deadline_even_if_recorded_later(
    withdrawn_on, late
):
    # S01 2019-03-04: the talk is due by 2019-04-04; it is recorded after the closure.
    doc = document(
        [
            {"type": "S01", "date": "2019-03-04"},
            {"type": "withdraw", "date": withdrawn_on},
            {"type": "S02", "date": "2019-05-10"},
        ]
    )
    assert findings_of(judge(doc), "talk.late") == ([("S02", "2019-05-10")] if late else [])


@pytest.mark.parametrize(("withdrawn_on", "late"), [("2020-09-29", False), ("2020-09-30", True)])
def test_it_gives_no_late_approval_to_a_file_closed_on_the_deadline(withdrawn_on, late):
    # S15 2020-06-29: approval is late after 2020-09-29.
    doc = events_until(clean_full(), "e19")
    doc["events"] += [
        {"id": "w", "type": "withdraw", "date": withdrawn_on},
        {"id": "a", "type": "S17", "date": "2020-10-15", "result": "approved"},
    ]
    assert findings_of(judge(doc), "approval.late") == ([("S17", "2020-10-15")] if late else [])


def test_it_still_finds_an_expired_approval_after_a_closure_as_it_is_not_late():
    doc = events_until(clean_full(), "e19")
    doc["events"] += [
        {"id": "w", "type": "withdraw", "date": "2020-07-01"},
        {"id": "a", "type": "S17", "date": "2021-01-15", "result": "approved"},
    ]
    assert findings_of(judge(doc), "approval.expired") == [("S17", "2021-01-15")]


@pytest.mark.parametrize(
    ("as_of", "finding"),
    [("2021-04-04", None), ("2021-04-05", "approval.late"), ("2021-07-05", "approval.expired")],
)
def test_it_wants_an_approval_after_the_latest_passed_meeting(as_of, finding):
    # An S17 before the latest passed S15 is no S17 "after that S15".
    doc = events_until(clean_full(), "e19")
    doc["events"] += [
        {"id": "r", "type": "S17", "date": "2020-07-22", "result": "rejected"},
        {"id": "m2", "type": "S15", "date": "2021-01-04", "result": "pass", "vote": vote()},
    ]
    result = judge(doc, as_of=date.fromisoformat(as_of))
    found = [f.id for f in result.findings if f.id.startswith("approval.")]
    assert found == ([finding] if finding else [])


def test_it_counts_a_rejecting_approval_as_an_approval_after_the_meeting():
    doc = events_until(clean_full(), "e19")
    doc["events"] += [{"id": "r", "type": "S17", "date": "2020-07-22", "result": "rejected"}]
    result = judge(doc, as_of=date(2022, 1, 1))
    assert [f.id for f in result.findings if f.id.startswith("approval.")] == []


def test_it_judges_a_conversion_before_every_passed_meeting_against_the_latest_one():
    doc = document(
        [
            {
                "type": "S23",
                "date": "2020-01-06",
                "result": "pass",
                "outcome": "convert",
                "vote": vote(),
            },
            {"type": "S15", "date": "2020-03-02", "result": "fail", "vote": vote()},
            {"type": "S15", "date": "2020-06-29", "result": "pass", "vote": vote()},
        ]
    )
    early = [f for f in judge(doc).findings if f.id == "conversion.early"]
    assert [(f.step, f.date.isoformat()) for f in early] == [("S23", "2020-01-06")]
    assert "2021-06-29" in early[0].message  # the latest passed S15 + 12 months


def test_it_cannot_judge_a_conversion_without_any_passed_meeting():
    doc = document(
        [
            {"type": "S15", "date": "2019-06-03", "result": "fail", "vote": vote()},
            {
                "type": "S23",
                "date": "2020-01-06",
                "result": "pass",
                "outcome": "convert",
                "vote": vote(),
            },
        ]
    )
    assert "conversion.early" not in ids(judge(doc))


def test_it_adds_every_approved_extension_before_the_conversion():
    # contracts §3: E is the sum over the passed extending S23s before the converting one.
    doc = events_until(clean_full(), "e25")
    doc["as_of"] = "2023-01-31"
    doc["events"] += [
        {
            "id": "x",
            "type": "S23",
            "date": "2021-06-29",
            "result": "pass",
            "outcome": "extend",
            "extension_months": 6,
            "vote": vote(),
        },
        {"id": "xa", "type": "S24", "date": "2021-07-13", "result": "approved"},
        {"id": "m2", "type": "S15", "date": "2021-08-02", "result": "pass", "vote": vote()},
        {"id": "n", "type": "N-CONV", "date": "2022-12-05", "end": "2022-12-09"},
        {"id": "c", "type": "S23", "date": "2023-01-30", "outcome": "convert"},
    ]
    # Against the second S15 (2021-08-02) + 12 + 6 months = 2023-02-02.
    assert findings_of(judge(doc), "conversion.early") == [("S23", "2023-01-30")]


def _s23_without_application(outcome):
    doc = events_until(clean_full(), "e24")
    event = {"id": "d", "type": "S23", "date": "2021-03-01", "result": "pass", "outcome": outcome}
    event["vote"] = vote()
    if outcome == "extend":
        event["extension_months"] = 6
    doc["events"].append(event)
    return doc


@pytest.mark.parametrize(
    ("outcome", "found"), [("revoke", False), ("convert", True), ("extend", True)]
)
def test_it_lets_a_revocation_be_decided_without_an_application(outcome, found):
    result = judge(_s23_without_application(outcome))
    assert ("order.S23" in ids(result)) is found


def test_it_wants_an_admission_before_a_revocation():
    doc = document(
        [
            {"type": "S22", "date": "2020-01-06"},
            {
                "type": "S23",
                "date": "2020-02-03",
                "result": "pass",
                "outcome": "revoke",
                "vote": vote(),
            },
        ]
    )
    order = [f for f in judge(doc).findings if f.id == "order.S23"]
    assert len(order) == 1
    assert "S15" in order[0].message


@pytest.mark.parametrize(("corrected_on", "counted"), [("2019-03-30", True), ("2019-04-02", False)])
def test_it_counts_a_replacement_made_by_as_of_even_for_an_event_dated_after_it(
    corrected_on, counted
):
    # The talk was entered as 2019-05-20 by mistake; corrected to 2019-03-20 on `corrected_on`.
    doc = document(
        [
            {"type": "S01", "date": "2019-03-04"},
            {"type": "S02", "date": "2019-05-20"},
            {
                "type": "correct",
                "date": corrected_on,
                "supersedes": "e1",
                "replacement": {"type": "S02", "date": "2019-03-20"},
            },
        ],
        as_of="2019-04-01",
    )
    result = judge(doc)
    assert [n.step for n in result.next][:1] == (["N-ACT"] if counted else ["S02"])
    # By 2019-04-10 the correction is made either way: the talk counts, nothing is late.
    assert "talk.late" not in ids(judge(doc, as_of=date(2019, 4, 10)))
