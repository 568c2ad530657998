"""A person's dated changes in the candidate file (`person.changes`, docs/intake.md): the rules
and the counts read the attributes in force at the date they need (contracts §4: as at the S15)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from fazhan.policy.counts import file_count
from fazhan.policy.engine import evaluate
from fazhan.policy.parse import Unreadable, parse_document
from fazhan.policy.targets import COUNT_KEYS

CLEAN = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "clean-full.json").read_text("utf-8")
)
S15 = date(2020, 6, 29)


def document(changes, **person):
    raw = json.loads(json.dumps(CLEAN))
    raw["person"].update(person, changes=changes)
    return raw


def flags(raw) -> dict[str, int]:
    part = file_count(parse_document(raw), start=date(2020, 1, 1), as_of=date(2020, 12, 31), org=1)
    return dict(zip(COUNT_KEYS, part.flags, strict=True))


def test_it_applies_each_change_from_its_date_on():
    person = parse_document(
        document(
            [
                {"date": "2020-07-01", "education": "master"},
                {"date": "2020-06-01", "education": "bachelor", "occupations": ["student"]},
            ],
            education="senior",
        )
    ).person
    assert person.on(date(2020, 5, 31)).education == "senior"
    assert person.on(date(2020, 6, 1)).education == "bachelor"
    assert person.on(date(2020, 6, 1)).occupations == frozenset({"student"})
    assert person.on(date(2020, 7, 1)).education == "master"


def test_it_counts_the_education_in_force_at_the_s15():
    after = document([{"date": "2020-06-30", "education": "bachelor"}], education="senior")
    on = document([{"date": S15.isoformat(), "education": "bachelor"}], education="senior")
    assert flags(after)["college_plus"] == 0 and flags(after)["hs_plus"] == 1
    assert flags(on)["college_plus"] == 1


def test_it_counts_a_job_left_after_the_s15_as_at_the_s15():
    changed = document([{"date": "2020-07-01", "occupations": ["manager"]}])
    assert flags(changed)["worker"] == 1 and flags(changed)["mgmt_tech_rich"] == 0


def test_it_judges_the_pre_graduation_rule_with_the_student_as_at_the_s15():
    rush = document(
        [{"date": "2020-07-10", "occupations": ["worker"], "graduation_date": None}],
        occupations=["student"],
        graduation_date="2020-07-31",
    )
    ids = {f.id for f in evaluate(parse_document(rush)).findings}
    assert "student.pre_graduation" in ids
    later = document(
        [{"date": "2020-06-01", "graduation_date": "2021-07-31"}],
        occupations=["student"],
        graduation_date="2020-07-31",
    )
    assert "student.pre_graduation" not in {f.id for f in evaluate(parse_document(later)).findings}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date": "2020-06-01"}, None),
        ([{"education": "bachelor"}], "person.changes[0].date"),
        ([{"date": "2020-02-30", "education": "bachelor"}], "person.changes[0].date"),
        ([{"date": "2020-06-01", "education": "phd"}], "person.changes[0].education"),
        ([{"date": "2020-06-01", "occupations": "worker"}], "person.changes[0].occupations"),
    ],
)
def test_it_names_an_unreadable_change(changes, field):
    with pytest.raises(Unreadable) as error:
        parse_document(document(changes))
    assert error.value.field == (field or "person.changes")
