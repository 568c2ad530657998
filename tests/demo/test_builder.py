"""The demo district (contracts.md §6): a valid chain, projections equal to fresh evaluations,
the six accounts, demo ID numbers, zhibu's branch with work due, and at full scale the population
floors of §6."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta
from random import Random

import pytest
from django.contrib.auth import authenticate

from fazhan.accounts.models import Role, RoleKind, User
from fazhan.audit.chain import events_of, read_head, verify_chain
from fazhan.demo.builder import DemoSummary, build_demo
from fazhan.demo.histories import history, quick_stage
from fazhan.demo.life import Days, Plan, Roster, tally
from fazhan.orgs.models import Kind, Member, Organization
from fazhan.people import idnumber
from fazhan.people.models import EDUCATION_RANK, Candidate, Person
from fazhan.people.record import evaluate_candidate
from fazhan.policy.calendar import shipped_table
from fazhan.policy.engine import today_in_shanghai
from fazhan.policy.voting import majority_met, quorum_met
from fazhan.web.models import Installation

SMALL = 0.05
# The findings the demo breaks the rules for on purpose (about 3–5% of files); anything else is a
# bug in the generator. calendar.provisional appears only when a notice runs into a year the
# holiday table does not know (the demo run at the very end of 2026 or later).
INTENDED = {"talk.late", "notice.too_short", "target.too_early", "approval.late"}
TOLERATED = {"calendar.provisional"}


@pytest.fixture
def demo(db) -> DemoSummary:
    return build_demo(scale=SMALL)


def test_it_builds_a_chain_that_verifies(demo):
    result = verify_chain()
    assert result.ok, result
    assert result.events == demo.events > 0
    assert result.head == demo.head == read_head().code


def test_it_stores_the_projection_a_fresh_evaluation_of_the_stored_events_gives(demo):
    candidates = list(Candidate.objects.select_related("person"))
    assert len(candidates) == demo.candidates
    for candidate in candidates:
        events = events_of(candidate.pk)
        fresh = evaluate_candidate(candidate, events)
        assert candidate.projection == fresh.as_dict(), candidate.pk
        assert candidate.stage == fresh.stage
        assert candidate.head_seq == events[-1].seq
        assert candidate.applied_on == events[0].happened_on


def test_it_reaches_every_stage_even_at_a_small_scale(demo):
    stages = Counter(Candidate.objects.values_list("stage", flat=True))
    for stage in ("applicant", "activist", "target", "probationary", "member"):
        assert stages[stage] >= 5, stages
    for stage in ("withdrawn", "rejected", "revoked"):
        assert stages[stage] >= 1, stages
    assert stages["activist"] > stages["member"] > stages["target"]


def test_it_breaks_rules_only_where_it_means_to(demo):
    found: Counter[str] = Counter()
    flagged = 0
    for projection in Candidate.objects.values_list("projection", flat=True):
        ids = {f["id"] for f in projection["findings"]}
        found.update(ids)
        flagged += bool(ids - TOLERATED)
    assert set(found) <= INTENDED | TOLERATED, found
    assert 0 < flagged <= 0.15 * demo.candidates


def test_it_creates_the_six_accounts_with_their_roles_and_the_demo_password(demo):
    expected = {
        "qu": RoleKind.DISTRICT_STAFF,
        "dangwei": RoleKind.SUB_STAFF,
        "zhibu": RoleKind.BRANCH_SECRETARY,
        "zhibu2": RoleKind.BRANCH_SECRETARY,
        "shenji": RoleKind.AUDITOR,
        "admin": RoleKind.SYSADMIN,
    }
    for username, kind in expected.items():
        user = authenticate(username=username, password="fazhan-demo")
        assert user is not None, username
        assert list(Role.objects.filter(user=user).values_list("kind", flat=True)) == [kind]
        assert authenticate(username=username, password="wrong") is None
    district = Organization.objects.get(kind=Kind.DISTRICT)
    assert Role.objects.get(user__username="qu").org == district
    dangwei = Role.objects.get(user__username="dangwei").org
    assert dangwei.kind == Kind.SUB and dangwei.can_approve
    assert Role.objects.get(user__username="shenji").org is None
    assert Role.objects.get(user__username="admin").org is None
    assert User.objects.count() == 6
    assert Installation.is_demo()


def test_it_gives_everyone_a_demo_id_number_matching_birth_date_and_sex(demo):
    seen = set()
    for person in Person.objects.all():
        clear = person.decrypt_id_number()
        assert clear is not None
        parsed = idnumber.parse(clear)
        assert parsed.is_demo and parsed.area == "999999"
        assert parsed.birth_date == person.birth_date
        assert parsed.sex == person.sex
        assert person.id_number_masked == idnumber.mask(clear)
        assert Person.objects.with_id_number(clear).get() == person
        seen.add(clear)
    assert len(seen) == Person.objects.count() == demo.candidates


def test_it_applies_at_eighteen_or_later(demo):
    for candidate in Candidate.objects.select_related("person"):
        born = candidate.person.birth_date
        assert candidate.applied_on >= born.replace(year=born.year + 18) - timedelta(days=1)


def test_it_puts_zhibu_inside_dangweis_subtree_and_zhibu2_outside(demo):
    dangwei = Role.objects.get(user__username="dangwei").org
    zhibu = Role.objects.get(user__username="zhibu").org
    zhibu2 = Role.objects.get(user__username="zhibu2").org
    inside = Organization.objects.subtree_ids([dangwei.pk])
    assert zhibu.kind == zhibu2.kind == Kind.BRANCH
    assert zhibu.pk in inside
    assert zhibu2.pk not in inside
    assert zhibu.parent.kind == Kind.GENERAL_BRANCH  # two levels below dangwei's 党工委
    assert Candidate.objects.filter(org=zhibu2).exists()


def test_it_gives_zhibu_a_dozen_files_with_work_due_this_week_and_overdue(demo):
    zhibu = User.objects.get(username="zhibu")
    today = today_in_shanghai()
    files = list(Candidate.objects.visible_to(zhibu))
    assert 12 <= len(files) <= 20
    assert {f.stage for f in files} >= {"applicant", "activist", "target", "probationary", "member"}
    due_this_week = [f for f in files if f.next_due and today <= f.next_due <= today + timedelta(7)]
    assert len(due_this_week) >= 3
    assert sum(f.overdue for f in files) >= 2
    assert any(f.lates for f in files)
    assert Member.objects.filter(org__in=[f.org_id for f in files]).count() >= 8


def test_it_leaves_some_notices_open_with_feedback_in_different_states(demo):
    today = today_in_shanghai()
    outcomes: Counter[str] = Counter()
    open_notices = 0
    for candidate in Candidate.objects.all():
        for event in events_of(candidate.pk):
            if event.kind.startswith("N-") and date.fromisoformat(event.payload["end"]) >= today:
                open_notices += 1
                outcomes.update(item["outcome"] for item in event.payload["feedback"])
    assert open_notices >= 2
    assert outcomes["pending"] >= 1 and outcomes["unfounded"] >= 1


def test_it_places_each_history_at_its_stage_deterministically():
    days = Days(shipped_table())
    today = date(2026, 6, 15)
    members = tuple(
        {"member_id": i, "status": "full", "discipline": None, "rights_restored": False}
        for i in range(1, 6)
    )
    roster = Roster(members, 12)
    for stage in ("applicant", "activist", "target", "probationary", "member"):
        for variant in ("", "extension", "prereview_returned", "approval_late"):
            plan = Plan(stage, variants=frozenset({variant} - {""}))
            events = history(f"t:{stage}:{variant}", plan, roster, today, days)
            assert quick_stage(events) == stage
            assert all(e.day <= today for e in events)
            assert events == history(f"t:{stage}:{variant}", plan, roster, today, days)


def test_it_tallies_votes_that_meet_quorum_and_majority_of_the_expected():
    rng = Random(7)
    for voters in range(3, 40):
        for _ in range(30):
            vote = tally(rng, voters)
            assert quorum_met(vote["expected"], vote["present"])
            assert majority_met(vote["expected"], vote["for"], vote["written_for"])
            assert vote["for"] + vote["against"] + vote["abstain"] == vote["present"]
            assert vote["returned"] <= vote["issued"]
            assert vote["secret"] and vote["candidates"] == 1 and vote["tellers"] == 2
            failed = tally(rng, voters, passed=False)
            assert not majority_met(failed["expected"], failed["for"], failed["written_for"])


@pytest.mark.slow
@pytest.mark.django_db
def test_it_builds_the_population_of_contracts_section_6_at_full_scale():
    started = time.perf_counter()
    summary = build_demo()
    elapsed = time.perf_counter() - started
    stages = Counter(Candidate.objects.values_list("stage", flat=True))
    assert stages["activist"] >= 1250
    for stage in ("applicant", "target", "probationary", "member"):
        assert stages[stage] >= 100, stage
    for stage in ("withdrawn", "rejected", "revoked"):
        assert stages[stage] >= 1, stage
    subs = Organization.objects.filter(kind=Kind.SUB)
    assert 13 <= subs.count() <= 18
    assert 1 <= subs.filter(can_approve=False).count() <= 2
    assert 250 <= Organization.objects.filter(kind=Kind.BRANCH).count() <= 350
    assert verify_chain().ok
    # About 3–5% of files break a rule on purpose (findings), and the people look like 2023's
    # newly admitted members (rules-reference.md §6).
    assert 0.03 <= summary.with_findings / summary.candidates <= 0.06
    people = list(Candidate.objects.select_related("person"))
    admitted = [c for c in people if c.admitted_on is not None]
    assert sum(bool(c.le35_at_admission) for c in admitted) >= 0.75 * len(admitted)
    female = sum(c.person.sex == "F" for c in people) / len(people)
    assert 0.40 <= female <= 0.50
    college = sum(EDUCATION_RANK[c.person.education] >= 4 for c in people) / len(people)
    assert 0.45 <= college <= 0.65
    assert elapsed < 60
