"""One file's part in the counts at a date (fazhan.policy.counts; contracts.md §4, §8). Pure."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from fazhan.policy.counts import FileCount, file_count
from fazhan.policy.engine import effective_events
from fazhan.policy.model import Person
from fazhan.policy.parse import parse_document
from fazhan.policy.targets import COUNT_KEYS
from tests.policy.files import clean_full, events_until

# clean-full.json: S15 passed 2020-06-29, S17 approved 2020-07-22, born 1995-08-15, M,
# associate, worker, front line.
S17 = date(2020, 7, 22)


def count(doc: dict[str, Any], start: date, as_of: date, **kwargs: Any) -> FileCount:
    return file_count(
        parse_document(copy.deepcopy(doc)),
        start=start,
        as_of=as_of,
        org=kwargs.pop("org", 1),
        **kwargs,
    )


def flags(part: FileCount) -> dict[str, int]:
    return dict(zip(COUNT_KEYS, part.flags, strict=True))


def approved_file(**person: Any) -> dict[str, Any]:
    doc = events_until(clean_full(), "e20")
    doc["person"].update(person)
    return doc


def test_it_counts_an_approval_on_the_first_and_on_the_last_day_but_not_the_day_after() -> None:
    doc = approved_file()
    assert flags(count(doc, S17, S17))["developed"] == 1
    assert flags(count(doc, date(2020, 1, 1), S17))["developed"] == 1
    assert flags(count(doc, date(2020, 7, 23), date(2020, 12, 31)))["developed"] == 0
    # The day before the S17: not approved yet, and a development target no longer (S15 passed).
    before = count(doc, date(2020, 1, 1), date(2020, 7, 21))
    assert flags(before)["developed"] == 0
    assert before.stage == "probationary"


def test_it_gives_the_structure_of_a_developed_person_as_at_the_admission_meeting() -> None:
    part = count(approved_file(), date(2020, 1, 1), date(2020, 12, 31))
    assert flags(part) == {
        "developed": 1,
        "le35": 1,
        "le25": 1,  # S15 2020-06-29 < 1995-08-15 + 312 months (2021-08-15)
        "hs_plus": 1,
        "college_plus": 1,
        "female": 0,
        "female_frontline": 0,
        "worker": 1,
        "farmer": 0,
        "mgmt_tech_rich": 0,
        "student": 0,
        "activists": 0,
    }


def test_it_judges_25_and_35_on_the_day_of_the_s15() -> None:
    year = (date(2020, 1, 1), date(2020, 12, 31))
    # contracts §4: the S15 (2020-06-29) before birth + 312 months (le25) or + 432 (le35); on
    # that very day (the 26th or 36th birthday) it is not.
    assert flags(count(approved_file(birth_date="1995-06-29"), *year))["le25"] == 1
    assert flags(count(approved_file(birth_date="1994-06-29"), *year))["le25"] == 0
    assert flags(count(approved_file(birth_date="1984-06-30"), *year))["le35"] == 1
    assert flags(count(approved_file(birth_date="1984-06-29"), *year))["le35"] == 0


def test_it_reads_the_attributes_in_force_on_the_day_of_the_s15() -> None:
    seen: list[date] = []

    def attributes(day: date) -> Person:
        seen.append(day)
        return Person(sex="F", birth_date=date(1960, 1, 1), education="master", frontline=True)

    part = count(approved_file(), date(2020, 1, 1), date(2020, 12, 31), attributes=attributes)
    assert seen == [date(2020, 6, 29)]
    got = flags(part)
    assert (got["female_frontline"], got["le35"], got["worker"]) == (1, 0, 0)


def test_it_ignores_events_after_the_day() -> None:
    doc = clean_full()
    part = count(doc, date(2020, 1, 1), date(2020, 4, 26))
    assert part.stage == "activist"  # S07 is on 2020-04-27
    assert flags(part)["activists"] == 1
    assert count(doc, date(2020, 1, 1), date(2020, 4, 27)).stage == "target"
    assert count(doc, date(2021, 1, 1), date(2021, 12, 31)).stage == "member"


def test_it_does_not_count_a_file_with_no_event_by_the_day() -> None:
    part = count(clean_full(), date(2019, 1, 1), date(2019, 3, 3))
    assert part.stage is None
    assert not part.counted
    assert part.flags == (0,) * 12
    assert count(clean_full(), date(2019, 1, 1), date(2019, 3, 4)).stage == "applicant"


def test_it_does_not_count_an_approval_voided_by_a_correction_dated_by_then() -> None:
    doc = approved_file()
    doc["events"].append(
        {"id": "c1", "type": "correct", "date": "2020-08-01", "supersedes": "e20", "void": True}
    )
    assert flags(count(doc, date(2020, 1, 1), date(2020, 7, 31)))["developed"] == 1
    assert flags(count(doc, date(2020, 1, 1), date(2020, 8, 1)))["developed"] == 0


def test_it_counts_a_rejecting_s17_as_no_approval() -> None:
    doc = approved_file()
    doc["events"][-1]["result"] = "rejected"
    part = count(doc, date(2020, 1, 1), date(2020, 12, 31))
    assert flags(part)["developed"] == 0
    assert part.stage == "target"


def transferred(*moves: tuple[str, str, int]) -> dict[str, Any]:
    doc = events_until(clean_full(), "e8")
    for index, (kind, day, to_org) in enumerate(moves):
        doc["events"].append(
            {"id": f"t{index}", "type": kind, "date": day, "from_org_id": 1, "to_org_id": to_org}
        )
    return doc


def test_it_moves_a_file_at_the_transfer_in_dated_by_then() -> None:
    doc = transferred(("transfer-out", "2020-01-10", 2), ("transfer-in", "2020-01-20", 2))
    assert count(doc, date(2020, 1, 1), date(2020, 1, 9)).org == 1
    # Handed over but not yet taken over: still the old branch's file.
    assert count(doc, date(2020, 1, 1), date(2020, 1, 19)).org == 1
    assert count(doc, date(2020, 1, 1), date(2020, 1, 20)).org == 2


def test_it_resolves_a_transfer_named_by_code_through_the_callers_lookup() -> None:
    doc = events_until(clean_full(), "e8")
    doc["events"].append({"id": "t", "type": "transfer-in", "date": "2020-01-20", "to_org": "X-7"})

    def lookup(event: Any) -> int | None:
        return 7 if event.to_org == "X-7" else None

    assert count(doc, date(2020, 1, 1), date(2020, 2, 1), destination=lookup).org == 7
    # Without a known destination the file stays where it was.
    assert count(doc, date(2020, 1, 1), date(2020, 2, 1)).org == 1


def test_it_does_not_take_a_correction_recorded_after_the_day_for_an_event() -> None:
    doc = events_until(clean_full(), "e2")
    doc["events"].append(
        {"id": "c1", "type": "correct", "date": "2019-05-01", "supersedes": "e2", "void": True}
    )
    # Before the S01 the file had no event: the correction of 2019-05-01 is not one either.
    assert effective_events(parse_document(doc).events, date(2019, 3, 3)) == []
    assert count(doc, date(2019, 1, 1), date(2019, 3, 3)).stage is None
    assert count(doc, date(2019, 1, 1), date(2019, 3, 4)).stage == "applicant"
