"""Live indicators (contracts §4 "Live counts for a year Y") from one aggregate query, against a
direct count in Python over the raw fields of a hand-built set of files."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from random import Random
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fazhan.orgs.models import Member, Organization
from fazhan.people.actions import do_create_candidate, do_record_step
from fazhan.people.models import Candidate
from fazhan.plans import indicators
from fazhan.policy.calendar import add_months
from fazhan.policy.targets import COUNT_KEYS
from tests.plans.helpers import make

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
HS_PLUS = {"senior", "associate", "bachelor", "master", "doctor"}
COLLEGE = {"associate", "bachelor", "master", "doctor"}
OCCUPATIONS = [
    ["worker"],
    ["farmer"],
    ["farmer", "rural_entrepreneur"],
    ["manager"],
    ["technician"],
    ["student"],
    ["civil_servant"],
    [],
]


def direct_count(year: int, org_ids: set[int]) -> dict[str, int]:
    """The contract read literally, file by file, from the raw columns (never the derived)."""
    counts = dict.fromkeys(COUNT_KEYS, 0)
    for c in Candidate.objects.select_related("person"):
        if c.org_id not in org_ids:
            continue
        if c.stage in ("activist", "target"):
            counts["activists"] += 1
        if c.approved_on is None or c.approved_on.year != year:
            continue
        p = c.person
        tags = set(p.occupations)
        flags = {
            "developed": True,
            "le35": c.admitted_on < add_months(p.birth_date, 432),
            "le25": c.admitted_on < add_months(p.birth_date, 312),
            "hs_plus": p.education in HS_PLUS,
            "college_plus": p.education in COLLEGE,
            "female": p.sex == "F",
            "female_frontline": p.sex == "F" and p.frontline,
            "worker": "worker" in tags,
            "farmer": "farmer" in tags,
            "mgmt_tech_rich": bool(tags & {"manager", "technician", "rural_entrepreneur"}),
            "student": "student" in tags,
        }
        for key, on in flags.items():
            counts[key] += int(on)
    return counts


def random_files(cast, n: int = 80, seed: int = 7) -> None:
    # The cast's factory files carry dates but not the age columns the projection would fill.
    for candidate in cast.candidates.values():
        if candidate.admitted_on is not None:
            born = candidate.person.birth_date
            candidate.le35_at_admission = candidate.admitted_on < add_months(born, 432)
            candidate.le25_at_admission = candidate.admitted_on < add_months(born, 312)
            candidate.save(update_fields=["le35_at_admission", "le25_at_admission"])
    rng = Random(seed)
    branches = [cast.branch_a, cast.branch_a2, cast.branch_b, cast.branch_b2]
    for _ in range(n):
        stage = rng.choice(["activist", "target", "probationary", "member", "revoked", "applicant"])
        born = date(rng.randint(1968, 2004), rng.randint(1, 12), rng.randint(1, 28))
        admitted = approved = None
        if stage in ("probationary", "member", "revoked"):
            admitted = date(rng.choice([2025, 2026]), rng.randint(1, 12), rng.randint(1, 28))
            approved = admitted if rng.random() < 0.1 else add_months(admitted, 1)
        make(
            rng.choice(branches),
            stage=stage,
            born=born,
            sex=rng.choice("FM"),
            education=rng.choice(["junior", "senior", "associate", "bachelor", "master", ""]),
            occupations=rng.choice(OCCUPATIONS),
            frontline=rng.random() < 0.6,
            admitted_on=admitted,
            approved_on=approved,
        )


def test_it_counts_like_a_direct_python_count(cast):
    random_files(cast)
    everyone = set(Organization.objects.values_list("pk", flat=True))
    for year in (2025, 2026, 2027):
        assert indicators.indicator_counts(year, everyone).as_dict() == direct_count(year, everyone)
    sub_a = Organization.objects.subtree_ids([cast.sub_a.pk])
    assert indicators.indicator_counts(2026, sub_a).as_dict() == direct_count(2026, sub_a)


def test_it_is_one_aggregate_query(cast, django_assert_num_queries):
    random_files(cast, n=20)
    ids = set(Organization.objects.values_list("pk", flat=True))
    with django_assert_num_queries(1):
        indicators.indicator_counts(2026, ids)
    with django_assert_num_queries(1):
        indicators.indicator_counts_by_org(2026, ids)


def test_it_groups_every_sub_organization_like_separate_queries(cast):
    random_files(cast, n=60, seed=11)
    grouped = indicators.counts_by_child(2026, cast.district.pk)
    assert set(grouped) == {cast.sub_a.pk, cast.sub_b.pk}
    for sub in (cast.sub_a, cast.sub_b):
        subtree = Organization.objects.subtree_ids([sub.pk])
        assert grouped[sub.pk] == indicators.indicator_counts(2026, subtree)
    assert indicators.add_counts(grouped.values()) == indicators.indicator_counts(2026, None)


def test_it_maps_every_organization_to_its_sub_organization(cast):
    mapping = indicators.group_under(cast.district.pk)
    assert mapping[cast.branch_a.pk] == cast.sub_a.pk
    assert mapping[cast.general_branch_b.pk] == cast.sub_b.pk
    assert mapping[cast.sub_b.pk] == cast.sub_b.pk
    assert cast.district.pk not in mapping


def test_it_counts_approval_on_31_december_in_that_year_only(cast):
    make(cast.branch_a, admitted_on=date(2026, 11, 1), approved_on=date(2026, 12, 31))
    make(cast.branch_a, admitted_on=date(2026, 11, 1), approved_on=date(2027, 1, 1))
    make(cast.branch_a, admitted_on=date(2025, 11, 1), approved_on=date(2026, 1, 1))
    ids = {cast.branch_a.pk}
    assert indicators.indicator_counts(2026, ids).developed == 2
    assert indicators.indicator_counts(2027, ids).developed == 1
    assert indicators.monthly_developed(2026, ids) == [1] + [0] * 10 + [1]


def test_it_counts_the_pool_by_stage_today(cast):
    make(cast.branch_b, stage="activist")
    make(cast.branch_b, stage="target")
    make(cast.branch_b, stage="applicant")
    counts = indicators.indicator_counts(2026, {cast.branch_b.pk})
    # cast.candidates["cand_b"] is a 发展对象 of branch_b too.
    assert counts.activists == 3
    assert counts.developed == 0


CLEAN = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "clean-full.json").read_text("utf-8")
)


def _record_until_approval(cast, born: date) -> Candidate:
    """The clean example's events through the actions, so the projection computes the age."""
    with time_machine.travel(datetime(2019, 3, 1, 10, tzinfo=SHANGHAI), tick=False):
        candidate = do_create_candidate(
            cast.zhibu, org=cast.branch_a, name="测试对象", sex="M", birth_date=born
        )
    members = [Member.objects.create(org=cast.branch_a, name=f"党员{i}") for i in range(2)]
    for event in CLEAN["events"]:
        payload = {k: v for k, v in event.items() if k not in ("id", "type", "date")}
        if "contacts" in payload:
            payload["contacts"] = [members[0].pk]
        if "introducers" in payload:
            payload["introducers"] = [members[0].pk, members[1].pk]
        payload.pop("approver", None)
        actor = cast.dangwei if event["type"] in ("S13", "S16", "S17", "S18") else cast.zhibu
        moment = datetime.fromisoformat(event["date"]).replace(hour=10, tzinfo=SHANGHAI)
        with time_machine.travel(moment, tick=False):
            do_record_step(
                actor,
                candidate,
                step=event["type"],
                happened_on=date.fromisoformat(event["date"]),
                payload=payload,
            )
        if event["type"] == "S17":
            break
    candidate.refresh_from_db()
    return candidate


def test_it_counts_35_and_under_until_the_day_before_the_birth_date_plus_432_months(cast):
    # contracts §4: le35 when the S15 is before the birth date + 432 months (35岁以下 is inclusive:
    # someone aged 35 counts until the 36th birthday). The clean example's S15 is 2020-06-29.
    on_the_boundary = _record_until_approval(cast, date(1984, 6, 29))
    day_before = _record_until_approval(cast, date(1984, 6, 30))
    assert add_months(on_the_boundary.person.birth_date, 432) == on_the_boundary.admitted_on
    assert on_the_boundary.approved_on == day_before.approved_on == date(2020, 7, 22)
    counts = indicators.indicator_counts(2020, {cast.branch_a.pk})
    assert counts.developed == 2
    assert counts.le35 == 1
    assert counts.le25 == 0
    assert on_the_boundary.le35_at_admission is False
    assert day_before.le35_at_admission is True


def test_it_counts_25_and_under_until_the_birth_date_plus_312_months(cast):
    on_the_boundary = _record_until_approval(cast, date(1994, 6, 29))
    day_before = _record_until_approval(cast, date(1994, 6, 30))
    counts = indicators.indicator_counts(2020, {cast.branch_a.pk})
    assert (counts.le35, counts.le25) == (2, 1)
    assert on_the_boundary.le25_at_admission is False
    assert day_before.le25_at_admission is True


def test_it_lists_branches_without_anyone_approved_for_two_years(cast):
    make(cast.branch_a, admitted_on=date(2024, 10, 1), approved_on=date(2024, 11, 28))
    make(cast.branch_b, admitted_on=date(2024, 10, 1), approved_on=date(2024, 11, 26))
    everyone = set(Organization.objects.values_list("pk", flat=True))
    dormant = indicators.dormant_branches(everyone, date(2026, 11, 27))
    names = {o.pk: o.last_approved for o in dormant}
    # branch_a's last approval is inside 24 months; branch_b's is exactly 24 months and a day old;
    # branch_a2 approved nobody since cand_a2 is an activist; branch_b2's cand_b2 has a date.
    assert cast.branch_a.pk not in names
    assert names[cast.branch_b.pk] == date(2024, 11, 26)
    assert names[cast.branch_a2.pk] is None


def test_it_follows_a_unit_moved_to_another_sub_organization(cast):
    make(cast.branch_a2, admitted_on=date(2026, 3, 1), approved_on=date(2026, 4, 1))
    before = indicators.counts_by_child(2026, cast.district.pk)
    assert (before[cast.sub_a.pk].developed, before[cast.sub_b.pk].developed) == (1, 0)
    Organization.objects.filter(pk=cast.branch_a2.pk).update(parent=cast.sub_b)
    after = indicators.counts_by_child(2026, cast.district.pk)
    assert (after[cast.sub_a.pk].developed, after[cast.sub_b.pk].developed) == (0, 1)
