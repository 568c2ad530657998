"""Unreadable files (contracts.md §1): each named by its field and problem."""

from __future__ import annotations

import json

import pytest

from fazhan.policy.parse import Unreadable, parse_document, parse_text
from tests.policy.files import clean_full, with_event


def field_of(doc) -> str | None:
    with pytest.raises(Unreadable) as caught:
        parse_document(doc)
    assert caught.value.problem
    return caught.value.field


def test_it_reads_the_clean_example():
    parsed = parse_document(clean_full())
    assert len(parsed.events) == 30
    assert parsed.person.birth_date.isoformat() == "1995-08-15"


def test_it_says_a_text_that_is_not_json_has_no_field():
    with pytest.raises(Unreadable) as caught:
        parse_text("{not json")
    assert caught.value.field is None


def test_it_wants_the_exact_format():
    doc = clean_full()
    doc["format"] = "fazhan-candidate-file/2"
    assert field_of(doc) == "format"
    del doc["format"]
    assert field_of(doc) == "format"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["person"].pop("birth_date"), "person.birth_date"),
        (lambda d: d["person"].pop("sex"), "person.sex"),
        (lambda d: d["person"].update(sex="X"), "person.sex"),
        (lambda d: d["person"].update(birth_date="1995-02-30"), "person.birth_date"),
        (lambda d: d["person"].update(birth_date="1995/08/15"), "person.birth_date"),
        (lambda d: d["person"].update(education="college"), "person.education"),
        (lambda d: d["person"].update(occupations=["worker", "pilot"]), "person.occupations[1]"),
        (lambda d: d["person"].update(frontline="yes"), "person.frontline"),
        (lambda d: d.update(policy="national-2099"), "policy"),
        (lambda d: d.update(as_of="2021-13-01"), "as_of"),
        (lambda d: d.pop("events"), "events"),
        (lambda d: d.update(events={}), "events"),
        (lambda d: d["events"][3].pop("date"), "events[3].date"),
        (lambda d: d["events"][3].pop("type"), "events[3].type"),
        (lambda d: d["events"][3].update(type="S26"), "events[3].type"),
        (lambda d: d["events"][3].update(nomination="boss"), "events[3].nomination"),
        (lambda d: d["events"][2].pop("end"), "events[2].end"),
        (lambda d: d["events"][2].update(end="2019-04-14"), "events[2].end"),
        (
            lambda d: d["events"][8]["feedback"][0].update(resolved=None),
            "events[8].feedback[0].resolved",
        ),
        (
            lambda d: d["events"][8]["feedback"][0].update(outcome="pending"),
            "events[8].feedback[0].resolved",
        ),
        (lambda d: d["events"][8]["feedback"][0].pop("resolved"), "events[8].feedback[0].resolved"),
        (
            lambda d: d["events"][8]["feedback"][0].update(outcome="ok"),
            "events[8].feedback[0].outcome",
        ),
        (lambda d: d["events"][13].update(days=-1), "events[13].days"),
        (lambda d: d["events"][13].update(hours="24"), "events[13].hours"),
        (lambda d: d["events"][13].update(days=True), "events[13].days"),
        (lambda d: d["events"][12].update(result="ok"), "events[12].result"),
        (lambda d: d["events"][17]["vote"].pop("monitors"), "events[17].vote.monitors"),
        (lambda d: d["events"][17]["vote"].update(present=-1), "events[17].vote.present"),
        (lambda d: d["events"][17]["vote"].update(secret="yes"), "events[17].vote.secret"),
        (lambda d: d["events"][17].pop("vote"), "events[17].vote"),
        (lambda d: d["events"][27].pop("outcome"), "events[27].outcome"),
        (lambda d: d["events"][27].update(outcome="extend"), "events[27].extension_months"),
        (
            lambda d: d["events"][11]["introducers"][0].update(status="member"),
            "events[11].introducers[0].status",
        ),
        (lambda d: d["events"][5].update(contacts="李四"), "events[5].contacts"),
        (
            lambda d: d["events"][19].update(approver={"can_approve": "yes"}),
            "events[19].approver.can_approve",
        ),
        (lambda d: d["events"][4].update(id="e1"), "events[4].id"),
        (
            lambda d: d["events"].append(
                {"type": "correct", "date": "2021-08-01", "supersedes": "e99", "void": True}
            ),
            "events[30].supersedes",
        ),
        (lambda d: d["events"].append("S01"), "events[30]"),
    ],
)
def test_it_names_the_field_of_an_unreadable_file(mutate, field):
    doc = clean_full()
    mutate(doc)
    assert field_of(doc) == field


def test_it_ignores_unknown_keys_and_x_events():
    doc = clean_full()
    doc["extra"] = 1
    doc["person"]["nickname"] = "x"
    doc["events"].append({"type": "x-photo", "whatever": [1, 2]})
    doc["events"][0]["note"] = "paper file p. 3"
    assert len(parse_document(doc).events) == 30


def test_it_accepts_a_vote_without_result_and_optional_fields_absent():
    doc = with_event(clean_full(), "e18", _drop_result=None, _drop_vote=None)
    parsed = parse_document(doc)
    assert parsed.events[17].result is None


def test_it_accepts_nulls_for_optional_fields():
    doc = clean_full()
    doc["person"].update(education=None, occupations=None, frontline=None, name=None)
    doc["policy"] = None
    doc["as_of"] = None
    parsed = parse_document(doc)
    assert parsed.policy is None and parsed.as_of is None


def test_it_reads_bytes_with_utf8_chinese():
    text = json.dumps(clean_full(), ensure_ascii=False).encode("utf-8")
    assert parse_text(text).person.name == "张三"


def test_it_ignores_an_x_event_altogether_its_id_too():
    doc = clean_full()
    doc["events"].append({"type": "x-photo", "id": "e1", "date": "not a date"})
    assert len(parse_document(doc).events) == 30
    doc["events"].append({"type": "correct", "date": "2021-08-01", "id": "c", "supersedes": "p"})
    doc["events"][-2]["id"] = "p"
    doc["events"][-1]["void"] = True
    with pytest.raises(Unreadable) as error:
        parse_document(doc)
    assert error.value.field == "events[31].supersedes"
