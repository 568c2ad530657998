"""Intake: registering a 入党申请书, re-applications, and dated attribute changes (docs/intake.md)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import Http404

from fazhan.audit.chain import events_of, verify_chain
from fazhan.core.errors import ActionRefused
from fazhan.imports.actions import do_import_candidate
from fazhan.imports.document import person_fields
from fazhan.people.actions import do_record_step, do_withdraw
from fazhan.people.attributes import attributes_on
from fazhan.people.counts import report_counts
from fazhan.people.idnumber import make_demo_id
from fazhan.people.intake import (
    check_application,
    do_change_person_attributes,
    do_register_application,
)
from fazhan.people.models import Candidate, Person
from fazhan.people.record import candidate_document

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
BORN = date(2008, 2, 29)
CLEAN = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "clean-full.json").read_text("utf-8")
)


def at(day: str):
    return time_machine.travel(
        datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI), tick=False
    )


def register(user, org, *, number=None, applied_on=date(2026, 3, 1), born=BORN, **extra):
    return do_register_application(
        user,
        org=org,
        name=extra.pop("name", "李申请"),
        sex="F",
        birth_date=born,
        id_number=number or make_demo_id(born, "F", 7),
        applied_on=applied_on,
        **extra,
    )


def test_it_registers_an_application_on_the_18th_birthday_exactly(cast):
    # Born on 29 February: the 18th birthday is the birth date + 216 months, 28 February 2026.
    with at("2026-03-10"):
        candidate = register(cast.zhibu, cast.branch_a, applied_on=date(2026, 2, 28))
    assert candidate.stage == "applicant"
    assert candidate.applied_on == date(2026, 2, 28)
    kinds = [e.kind for e in events_of(candidate.pk)]
    assert kinds == ["candidate.opened", "S01"]
    assert candidate.person.id_number_masked.startswith("999999")
    assert verify_chain().ok


def test_it_refuses_an_application_the_day_before_the_18th_birthday(cast):
    with at("2026-03-10"), pytest.raises(ActionRefused, match="未满十八周岁") as refused:
        register(cast.zhibu, cast.branch_a, applied_on=date(2026, 2, 27))
    assert any("党章第一条" in r.basis for r in refused.value.reasons)
    assert not Person.objects.with_id_number(make_demo_id(BORN, "F", 7)).exists()
    assert Candidate.objects.count() == len(cast.candidates)


def test_it_refuses_a_wrong_check_character_with_the_standard_named(cast):
    good = make_demo_id(BORN, "F", 7)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with at("2026-03-10"), pytest.raises(ActionRefused, match="校验位不符"):
        register(cast.zhibu, cast.branch_a, number=wrong)
    checks = check_application(
        cast.zhibu, id_number=wrong, birth_date=None, sex=None, applied_on=None
    )
    assert [(c.ok, c.basis) for c in checks] == [(False, "GB 11643-1999")]


def test_it_refuses_a_birth_date_or_sex_the_number_contradicts(cast):
    with at("2026-03-10"), pytest.raises(ActionRefused, match="性别与身份证号码不符"):
        register(cast.zhibu, cast.branch_a, number=make_demo_id(BORN, "M", 7))


def test_it_names_an_open_file_in_reach_and_only_a_neutral_message_outside(cast):
    with at("2026-03-10"):
        first = register(cast.zhibu, cast.branch_a)
        number = make_demo_id(BORN, "F", 7)
        mine = check_application(
            cast.dangwei, id_number=number, birth_date=BORN, sex="F", applied_on=None
        )
        theirs = check_application(
            cast.zhibu2, id_number=number, birth_date=BORN, sex="F", applied_on=None
        )
        with pytest.raises(ActionRefused, match="重复"):
            register(cast.zhibu2, cast.branch_b)
    [dup] = [c for c in mine if not c.ok]
    assert "已有在办档案" in dup.message and dup.href == f"/candidates/{first.pk}/"
    [neutral] = [c for c in theirs if not c.ok]
    assert neutral.href == "" and cast.branch_a.name not in neutral.message
    assert "李申请" not in neutral.message
    assert Candidate.objects.filter(person=first.person).count() == 1


def test_it_opens_a_new_file_for_the_same_person_after_a_withdrawal(cast):
    with at("2026-03-10"):
        first = register(cast.zhibu, cast.branch_a)
        do_record_step(cast.zhibu, first, step="S02", happened_on=date(2026, 3, 5))
    with at("2026-05-10"):
        do_withdraw(cast.zhibu, first, happened_on=date(2026, 5, 1), reason="本人撤回")
    with at("2026-09-01"):
        # Registered by another branch of the district: the same person, a file of its own.
        again = register(cast.qu, cast.branch_b, applied_on=date(2026, 8, 20), education="bachelor")
    first.refresh_from_db()
    assert first.stage == "withdrawn"
    assert again.person_id == first.person_id and again.pk != first.pk
    assert Person.objects.count() == len({c.person_id for c in Candidate.objects.all()})
    opened = events_of(again.pk)[0]
    assert opened.kind == "candidate.opened" and opened.payload["earlier"] == [first.pk]
    # Judged on its own events only: the old S02 and withdrawal are not in the new file.
    document = candidate_document(again)
    assert [e["type"] for e in document["events"]] == ["S01"]
    assert again.stage == "applicant" and again.applied_on == date(2026, 8, 20)
    # What the new application says about the person applies from its date on.
    assert attributes_on(again.person, date(2026, 8, 19))["education"] == ""
    assert attributes_on(again.person, date(2026, 8, 20))["education"] == "bachelor"
    assert verify_chain().ok


def test_it_refuses_a_reapplication_dated_before_the_earlier_file_ended(cast):
    with at("2026-03-10"):
        first = register(cast.zhibu, cast.branch_a)
        do_withdraw(cast.zhibu, first, happened_on=date(2026, 3, 5), reason="本人撤回")
        with pytest.raises(ActionRefused, match="晚于以前档案结束的日期 2026-03-05"):
            register(cast.zhibu, cast.branch_a, applied_on=date(2026, 3, 5))
        again = register(cast.zhibu, cast.branch_a, applied_on=date(2026, 3, 6))
    assert again.person_id == first.person_id


def test_it_refuses_a_reapplication_while_a_file_is_open(cast):
    with at("2026-03-10"):
        register(cast.zhibu, cast.branch_a)
        with pytest.raises(ActionRefused, match="重复"):
            register(cast.zhibu, cast.branch_a, applied_on=date(2026, 3, 9))


def test_it_does_not_let_a_branch_register_in_another_branch(cast):
    with at("2026-03-10"), pytest.raises(Http404):
        register(cast.zhibu2, cast.branch_a)
    with at("2026-03-10"), pytest.raises(Http404):
        register(cast.outsider, cast.branch_a)


def test_it_imports_a_known_number_with_only_closed_files_as_a_reapplication(cast):
    number = make_demo_id(BORN, "F", 9)
    with at("2026-03-10"):
        first = register(cast.zhibu, cast.branch_a, number=number)
        fields = {"name": "李申请", "sex": "F", "birth_date": BORN.isoformat()}
        with pytest.raises(ActionRefused, match="重复"):
            do_import_candidate(
                cast.zhibu, org=cast.branch_a, person_fields=fields, id_number=number, events=[]
            )
        do_withdraw(cast.zhibu, first, happened_on=date(2026, 3, 10), reason="本人撤回")
        again = do_import_candidate(
            cast.zhibu,
            org=cast.branch_a,
            person_fields=fields,
            id_number=number,
            events=[{"type": "S01", "date": "2026-03-10"}],
        )
    assert again.person_id == first.person_id
    assert events_of(again.pk)[0].payload["earlier"] == [first.pk]
    assert verify_chain().ok


# -- dated attribute changes ----------------------------------------------------------------------


def _imported(cast, education: str = "senior") -> Candidate:
    document = json.loads(json.dumps(CLEAN))
    document["person"]["education"] = education
    with at("2021-08-02"):
        return do_import_candidate(
            cast.zhibu,
            org=cast.branch_a,
            person_fields=person_fields(document["person"]),
            id_number=None,
            events=document["events"],
        )


def _college_plus(cast) -> int:
    report = report_counts(cast.district, start=date(2020, 1, 1), as_of=date(2020, 12, 31))
    return report.root.counts.as_dict()["college_plus"]


def test_it_keeps_the_years_counts_when_a_diploma_is_earned_after_the_s15(cast):
    candidate = _imported(cast)  # S15 on 2020-06-29, S17 on 2020-07-22
    assert _college_plus(cast) == 0
    with at("2021-08-02"):
        do_change_person_attributes(
            cast.zhibu,
            candidate.person,
            effective_on=date(2020, 6, 30),
            values={"education": "bachelor"},
            reason="取得本科学历",
        )
    assert _college_plus(cast) == 0
    candidate.person.refresh_from_db()
    assert candidate.person.education == "bachelor"  # in force today
    assert verify_chain().ok


def test_it_counts_a_diploma_earned_on_the_s15(cast):
    candidate = _imported(cast)
    with at("2021-08-02"):
        do_change_person_attributes(
            cast.zhibu,
            candidate.person,
            effective_on=date(2020, 6, 29),
            values={"education": "bachelor"},
            reason="取得本科学历",
        )
    assert _college_plus(cast) == 1
    assert attributes_on(candidate.person, date(2020, 6, 28))["education"] == "senior"


def test_it_judges_the_graduation_rule_with_the_date_known_at_the_s15(cast):
    candidate = _imported(cast)
    with at("2021-08-02"):
        # A student graduating a month after the meeting: a rush admission (seed 三（二）)...
        do_change_person_attributes(
            cast.zhibu,
            candidate.person,
            effective_on=date(2020, 6, 1),
            values={"occupations": ["student"], "graduation_date": date(2020, 7, 31)},
            reason="在校学生",
        )
        candidate.refresh_from_db()
        assert "student.pre_graduation" in {f["id"] for f in candidate.projection["findings"]}
        # ...and a graduation postponed after the meeting does not rewrite what it knew.
        do_change_person_attributes(
            cast.zhibu,
            candidate.person,
            effective_on=date(2020, 7, 15),
            values={"graduation_date": date(2021, 7, 31)},
            reason="延期毕业",
        )
    candidate.refresh_from_db()
    assert "student.pre_graduation" in {f["id"] for f in candidate.projection["findings"]}
    changes = candidate_document(candidate)["person"]["changes"]
    assert [c["date"] for c in changes] == ["2020-06-01", "2020-07-15"]


def test_it_refuses_a_change_without_reason_or_in_the_future_or_out_of_reach(cast):
    candidate = _imported(cast)
    person = candidate.person
    with at("2021-08-02"):
        with pytest.raises(ActionRefused, match="理由"):
            do_change_person_attributes(
                cast.zhibu, person, effective_on=date(2021, 1, 1), values={}, reason=" "
            )
        with pytest.raises(ActionRefused, match="晚于今天"):
            do_change_person_attributes(
                cast.zhibu,
                person,
                effective_on=date(2021, 8, 3),
                values={"education": "bachelor"},
                reason="取得本科学历",
            )
        with pytest.raises(Http404):
            do_change_person_attributes(
                cast.zhibu2,
                person,
                effective_on=date(2021, 1, 1),
                values={"education": "bachelor"},
                reason="取得本科学历",
            )
        with pytest.raises(ActionRefused, match="只读"):
            do_change_person_attributes(
                cast.shenji,
                person,
                effective_on=date(2021, 1, 1),
                values={"education": "bachelor"},
                reason="取得本科学历",
            )


def test_it_imports_a_files_dated_changes_as_the_persons_history(cast):
    document = json.loads(json.dumps(CLEAN))
    document["person"]["education"] = "senior"
    document["person"]["changes"] = [
        {"date": "2020-06-30", "education": "bachelor"},
        {"date": "2021-03-01", "occupations": ["manager"], "education": None},
    ]
    with at("2021-08-02"):
        candidate = do_import_candidate(
            cast.zhibu,
            org=cast.branch_a,
            person_fields=person_fields(document["person"]),
            id_number=None,
            events=document["events"],
        )
    person = Person.objects.get(pk=candidate.person_id)
    assert (person.education, person.occupations) == ("", ["manager"])  # in force today
    assert attributes_on(person, date(2020, 6, 29))["education"] == "senior"
    assert attributes_on(person, date(2020, 7, 1))["education"] == "bachelor"
    assert candidate_document(candidate)["person"]["changes"] == document["person"]["changes"]
    kinds = [e.kind for e in events_of(candidate.pk)]
    # After the file's own events (the roster may follow with member.* events).
    assert kinds.count("person.attributes") == 2 and kinds.index("person.attributes") > kinds.index(
        "S01"
    )
    assert _college_plus(cast) == 0
    assert verify_chain().ok
