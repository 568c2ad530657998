"""Whatever the histories — imports, transfers, corrections — `fazhan report counts` equals a full
recount by fazhan.policy over the exported candidate files, grouped by the organization each
file stood in at the date (contracts.md §4, §8)."""

from __future__ import annotations

import itertools
import json
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhan.accounts.models import RoleKind, User
from fazhan.audit.chain import events_of
from fazhan.core.errors import ActionRefused
from fazhan.orgs.models import Organization
from fazhan.people.actions import (
    do_correct_event,
    do_transfer_in,
    do_transfer_out,
)
from fazhan.people.models import Candidate
from fazhan.people.record import candidate_document, is_record_kind
from fazhan.policy.calendar import add_months
from fazhan.policy.engine import effective_events, evaluate
from fazhan.policy.model import EDUCATION_RANK
from fazhan.policy.parse import parse_document
from fazhan.policy.targets import COUNT_KEYS
from fazhan.testing.factories import (
    BranchFactory,
    DistrictFactory,
    GeneralBranchFactory,
    RoleFactory,
    SubOrgFactory,
    UserFactory,
)
from tests.reports.helpers import TODAY, counts_json, import_file, moved_events, on

pytestmark = pytest.mark.django_db

BRANCHES = ("branch_a", "branch_a2", "branch_b", "branch_b2")
STAGES = (
    "applicant",
    "activist",
    "target",
    "probationary",
    "member",
    "withdrawn",
    "rejected",
    "revoked",
)
DISTRICTS = itertools.count()

histories = st.lists(
    st.fixed_dictionaries(
        {
            "branch": st.sampled_from(BRANCHES),
            # Moves clean-full.json's S17 (2020-07-22) to between 2025-07 and 2027-03.
            "shift": st.integers(1800, 2420),
            "last": st.sampled_from(["e1", "e4", "e10", "e18", "e20", "e28", "e29"]),
            "rejected": st.booleans(),
            "withdraw": st.one_of(st.none(), st.integers(0, 690)),
            "sex": st.sampled_from("FM"),
            "born": st.dates(date(1975, 1, 1), date(2004, 12, 31)),
            "education": st.sampled_from([None, "junior", "senior", "associate", "master"]),
            "occupations": st.lists(
                st.sampled_from(["worker", "farmer", "manager", "rural_entrepreneur", "student"]),
                max_size=2,
                unique=True,
            ),
            "frontline": st.booleans(),
            "transfers": st.lists(
                st.tuples(st.sampled_from(BRANCHES), st.integers(0, 700), st.integers(0, 40)),
                max_size=2,
            ),
            "corrections": st.lists(
                st.tuples(st.integers(0, 40), st.booleans(), st.integers(-120, 120)),
                max_size=2,
            ),
        }
    ),
    min_size=1,
    max_size=4,
)
BASE = date(2025, 1, 1)


@dataclass
class World:
    """A district of its own for each example (the database keeps earlier examples' files: they
    sit in other districts), two sub-organizations, four branches and a district staff member.
    `opened_in`: where each file was imported, which the exported file does not say."""

    district: Organization
    user: User
    branches: dict[str, Organization]
    opened_in: dict[int, int] = field(default_factory=dict)


def world() -> World:
    n = next(DISTRICTS)
    district = DistrictFactory.create(code=f"P{n}")
    sub_a = SubOrgFactory.create(parent=district, code=f"P{n}-A")
    sub_b = SubOrgFactory.create(parent=district, code=f"P{n}-B")
    branches = {
        "branch_a": BranchFactory.create(parent=GeneralBranchFactory.create(parent=sub_a)),
        "branch_a2": BranchFactory.create(parent=sub_a),
        "branch_b": BranchFactory.create(parent=GeneralBranchFactory.create(parent=sub_b)),
        "branch_b2": BranchFactory.create(parent=sub_b),
    }
    user = UserFactory.create()
    RoleFactory.create(user=user, org=district, kind=RoleKind.DISTRICT_STAFF)
    return World(district, user, branches)


def build(here: World, history: dict[str, Any]) -> None:
    events = [e for e in moved_events(history["shift"], history["last"]) if e["date"] <= str(TODAY)]
    for event in events:
        if event["type"] == "S17" and history["rejected"]:
            event["result"] = "rejected"
    if history["withdraw"] is not None and events:
        day = BASE + timedelta(days=history["withdraw"])
        events.append({"id": "w", "type": "withdraw", "date": day.isoformat()})
    branch = here.branches[history["branch"]]
    candidate = import_file(
        here.user,
        branch,
        events,
        sex=history["sex"],
        birth_date=history["born"].isoformat(),
        education=history["education"],
        occupations=history["occupations"],
        frontline=history["frontline"],
    )
    here.opened_in[candidate.pk] = branch.pk
    for target, offset, delay in history["transfers"]:
        out = BASE + timedelta(days=offset)
        # A refused transfer (the file closed, the same branch) is a history too: the counts
        # must still equal the recount below.
        with suppress(ActionRefused), on():
            do_transfer_out(here.user, candidate, to_org=here.branches[target], happened_on=out)
            do_transfer_in(here.user, candidate, happened_on=out + timedelta(days=delay))
    for pick, void, delta in history["corrections"]:
        record = [
            e
            for e in events_of(candidate.pk)
            if is_record_kind(e.kind) and e.kind not in ("correct", "S05", "S09")
        ]
        if not record:
            continue
        target_event = record[pick % len(record)]
        assert target_event.happened_on is not None
        new_day = target_event.happened_on + timedelta(days=delta)
        replacement = {**target_event.payload, "type": target_event.kind, "date": new_day}
        # A refused correction (an unreadable replacement) leaves the file as it was.
        with suppress(ActionRefused), on(min(TODAY, max(BASE, new_day))):
            do_correct_event(
                here.user,
                candidate,
                seq=target_event.seq,
                void=void,
                replacement=None if void else replacement,
                reason="核对原始档案",
            )


def recount(here: World, start: date, as_of: date) -> dict[str, Any]:
    """The same numbers from the exported files, judged one by one with fazhan.policy."""
    district = here.district
    sub_of = {}
    for org in Organization.objects.all():
        node: Organization | None = org
        while node is not None and node.parent_id != district.pk:
            node = node.parent
        if node is not None:
            sub_of[org.pk] = node.code
    totals: dict[str, dict[str, Any]] = {
        code: {"counts": dict.fromkeys(COUNT_KEYS, 0), "stages": dict.fromkeys(STAGES, 0)}
        for code in ["", *sorted(set(sub_of.values()))]
    }
    for candidate in Candidate.objects.filter(pk__in=here.opened_in).select_related("person"):
        exported = json.loads(json.dumps(candidate_document(candidate), ensure_ascii=False))
        file = parse_document(exported)
        record = effective_events(file.events, as_of)
        if not record:
            continue
        stage = evaluate(file, as_of=as_of).stage
        where = here.opened_in[candidate.pk]
        for event in record:
            if event.type == "transfer-in" and event.to_org_id is not None:
                where = event.to_org_id
        values = dict.fromkeys(COUNT_KEYS, 0)
        values["activists"] = int(stage in ("activist", "target"))
        approvals = [
            i
            for i, e in enumerate(record)
            if e.type == "S17" and e.result == "approved" and start <= e.date <= as_of
        ]
        if approvals:
            passed = [e for e in record if e.type == "S15" and e.result == "pass"]
            before = [e for e in record[: approvals[0]] if e in passed]
            s15 = before[-1] if before else passed[-1] if passed else None
            person = file.person
            education = EDUCATION_RANK.get(person.education or "", -1)
            values.update(
                developed=1,
                le35=int(s15 is not None and s15.date < add_months(person.birth_date, 432)),
                le25=int(s15 is not None and s15.date < add_months(person.birth_date, 312)),
                hs_plus=int(education >= EDUCATION_RANK["senior"]),
                college_plus=int(education >= EDUCATION_RANK["associate"]),
                female=int(person.sex == "F"),
                female_frontline=int(person.sex == "F" and person.frontline),
                worker=int("worker" in person.occupations),
                farmer=int("farmer" in person.occupations),
                mgmt_tech_rich=int(
                    bool(person.occupations & {"manager", "technician", "rural_entrepreneur"})
                ),
                student=int("student" in person.occupations),
            )
        for code in ("", sub_of[where]):
            totals[code]["stages"][stage] += 1
            for key, value in values.items():
                totals[code]["counts"][key] += value
    return {
        "org": district.code,
        "from": start.isoformat(),
        "as_of": as_of.isoformat(),
        **totals.pop(""),
        "children": [{"org": code, **part} for code, part in totals.items()],
    }


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    max_examples=20,
    deadline=None,
)
@given(
    histories,
    st.dates(date(2025, 6, 1), date(2026, 11, 30)),
    st.one_of(st.none(), st.integers(0, 400)),
)
def test_it_equals_a_recount_of_the_exported_files(db, files, as_of, back):
    here = world()
    for history in files:
        build(here, history)
    start = date(as_of.year, 1, 1) if back is None else as_of - timedelta(days=back)
    args = ["--as-of", as_of.isoformat(), "--org", here.district.code]
    if back is not None:
        args += ["--from", start.isoformat()]
    assert counts_json(*args) == recount(here, start, as_of)
