"""A branch with a roster, three accounts to count and confirm, and candidates ready for a vote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from fazhan.accounts.models import RoleKind
from fazhan.meetings import actions as act
from fazhan.meetings.models import AgendaItem, ItemKind, Meeting
from fazhan.orgs.models import Member, MemberStatus
from fazhan.people.actions import Mode, do_create_candidate, do_record_step
from fazhan.people.models import Candidate
from fazhan.testing.factories import RoleFactory, UserFactory


def today() -> date:
    return timezone.localdate()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


@dataclass
class Branch:
    """branch_a of the cast with `full` voting members, one probationary member and one under
    留党察看 (neither votes), and the accounts: zhibu (secretary), zuzhi (a second branch
    account, the other teller) and jiancha (a third, the monitor)."""

    cast: object
    voters: list[Member]
    probationary: Member
    disciplined: Member
    zuzhi: object
    jiancha: object


def build_branch(cast, full: int = 10, password: str | None = None) -> Branch:
    voters = [Member.objects.create(org=cast.branch_a, name=f"党员{i:02d}") for i in range(full)]
    probationary = Member.objects.create(
        org=cast.branch_a, name="预备党员甲", status=MemberStatus.PROBATIONARY
    )
    disciplined = Member.objects.create(org=cast.branch_a, name="留察党员乙", under_discipline=True)
    accounts = []
    for username, display in (("zuzhi", "组织委员"), ("jiancha", "纪检委员")):
        user = UserFactory.create(username=username, display_name=display, password=password)
        RoleFactory.create(user=user, org=cast.branch_a, kind=RoleKind.BRANCH_SECRETARY)
        accounts.append(user)
    return Branch(cast, voters, probationary, disciplined, *accounts)


@pytest.fixture
def branch(cast) -> Branch:
    return build_branch(cast)


def _past(cast, candidate, steps) -> None:
    for step, when, payload in steps:
        actor = cast.dangwei if step in ("S13", "S16", "S17", "S18", "S24") else cast.zhibu
        do_record_step(
            actor, candidate, step=step, happened_on=when, payload=payload, mode=Mode.PAST
        )


def ready_for_admission(cast, members: list[Member], name: str = "王小红") -> Candidate:
    """A development target with every step up to S14 on file (pre-review passed)."""
    candidate = do_create_candidate(
        cast.zhibu, org=cast.branch_a, name=name, sex="F", birth_date=date(1998, 5, 4)
    )

    def notice(kind: str, start: int) -> tuple[str, date, dict]:
        return (kind, days_ago(start), {"end": days_ago(start - 14).isoformat()})

    _past(
        cast,
        candidate,
        [
            ("S01", days_ago(820), {}),
            ("S02", days_ago(810), {}),
            notice("N-ACT", 800),
            ("S03", days_ago(780), {"nomination": "member"}),
            ("S04", days_ago(775), {}),
            ("S05", days_ago(775), {"contacts": [members[0].pk]}),
            ("S06", days_ago(600), {}),
            notice("N-TGT", 400),
            ("S07", days_ago(380), {}),
            ("S08", days_ago(375), {}),
            ("S09", days_ago(370), {"introducers": [members[0].pk, members[1].pk]}),
            ("S10", days_ago(360), {"result": "pass"}),
            ("S11", days_ago(350), {"days": 3, "hours": 24}),
            ("S12", days_ago(60), {}),
            ("S13", days_ago(50), {"result": "pass"}),
            ("S14", days_ago(40), {}),
        ],
    )
    candidate.refresh_from_db()
    assert candidate.stage == "target", candidate.projection
    return candidate


VOTE = {
    "expected": 10,
    "present": 9,
    "for": 9,
    "against": 0,
    "abstain": 0,
    "secret": True,
    "candidates": 1,
    "issued": 9,
    "returned": 9,
    "tellers": 2,
    "monitors": 1,
}


def probationary(cast, members: list[Member], name: str = "李预备") -> Candidate:
    """A probationary member admitted 13 months ago, approved, with the conversion notice over."""
    candidate = ready_for_admission(cast, members, name=name)
    _past(
        cast,
        candidate,
        [
            ("S15", days_ago(400), {"result": "pass", "vote": VOTE}),
            ("S16", days_ago(390), {}),
            ("S17", days_ago(380), {"result": "approved"}),
            ("S18", days_ago(375), {}),
            ("S19", days_ago(370), {}),
            ("S20", days_ago(365), {}),
            ("S21", days_ago(200), {}),
            ("S22", days_ago(30), {}),
            ("N-CONV", days_ago(28), {"end": days_ago(14).isoformat()}),
        ],
    )
    candidate.refresh_from_db()
    assert candidate.stage == "probationary", candidate.projection
    return candidate


def new_meeting(b: Branch, *, present: int | None = None, late: bool = False, **kw) -> Meeting:
    cast = b.cast
    meeting = act.do_create_meeting(
        cast.zhibu,
        org=cast.branch_a,
        held_on=kw.pop("held_on", today()),
        late_entry=late,
        late_reason="系统停机，会议以纸质方式召开" if late else "",
    )
    count = len(b.voters) if present is None else present
    # The probationary member attends too: present, but never counted (no vote).
    ids = [m.pk for m in b.voters[:count]] + [b.probationary.pk]
    act.do_set_roll_call(cast.zhibu, meeting, present_ids=ids)
    return meeting


def count_paper(
    b: Branch,
    item: AgendaItem,
    *,
    issued: int,
    votes_for: int,
    against: int = 0,
    abstain: int = 0,
    invalid: int = 0,
    returned: int | None = None,
    e_issued: int = 0,
) -> None:
    """Both tellers enter the same count, the monitor confirms."""
    valid = votes_for + against + abstain
    counts = {
        "issued": issued,
        "returned": valid + invalid if returned is None else returned,
        "valid": valid,
        "invalid": invalid,
        "votes_for": votes_for,
        "against": against,
        "abstain": abstain,
        "e_issued": e_issued,
    }
    one, two, monitor = officers_for(b, item.meeting)
    act.do_enter_count(b.cast.zhibu, item, teller=one, **counts)
    act.do_enter_count(b.zuzhi, item, teller=two, **counts)
    act.do_confirm_count(b.jiancha, item, monitor=monitor)


def officers_for(b: Branch, meeting: Meeting) -> tuple[int, int, int]:
    """The meeting's two tellers and monitor, chosen from the members present on first use."""
    from fazhan.meetings.models import MeetingOfficer, OfficerRole

    rows = list(MeetingOfficer.objects.filter(meeting=meeting).order_by("role", "pk"))
    if not rows:
        present = set(meeting.attendance.filter(present=True).values_list("member_id", flat=True))
        barred = act.voted_on(meeting)
        members = [b.probationary, b.disciplined, *b.voters]
        pool = [m.pk for m in members if m.pk in present - barred.keys()]
        act.do_set_officers(b.cast.zhibu, meeting, tellers=pool[:2], monitors=pool[2:3])
        rows = list(MeetingOfficer.objects.filter(meeting=meeting).order_by("role", "pk"))
    tellers = [r.member_id for r in rows if r.role == OfficerRole.TELLER]
    monitors = [r.member_id for r in rows if r.role == OfficerRole.MONITOR]
    return tellers[0], tellers[1], monitors[0]


def admission_item(b: Branch, meeting: Meeting, candidate: Candidate, **kw) -> AgendaItem:
    return act.do_add_item(
        b.cast.zhibu, meeting, candidate=candidate, kind=kw.pop("kind", ItemKind.ADMISSION), **kw
    )


def fast_ready_for_admission(cast, members: list[Member], name: str = "快速对象") -> Candidate:
    """The same file as `ready_for_admission`, bulk-loaded (one projection instead of sixteen
    engine runs) for tests that need a fresh candidate per generated example."""
    from django.db import transaction

    from fazhan.audit.chain import NewEvent, append_events_bulk
    from fazhan.people.record import project

    candidate = do_create_candidate(
        cast.zhibu, org=cast.branch_a, name=name, sex="M", birth_date=date(1997, 1, 1)
    )
    steps = [
        ("S01", 820, {}),
        ("S02", 810, {}),
        ("N-ACT", 800, {"end": days_ago(786).isoformat()}),
        ("S03", 780, {"nomination": "member"}),
        ("S04", 775, {}),
        ("S05", 775, {"contacts": [members[0].snapshot()]}),
        ("S06", 600, {}),
        ("N-TGT", 400, {"end": days_ago(386).isoformat()}),
        ("S07", 380, {}),
        ("S08", 375, {}),
        ("S09", 370, {"introducers": [members[0].snapshot(), members[1].snapshot()]}),
        ("S10", 360, {"result": "pass"}),
        ("S11", 350, {"days": 3, "hours": 24}),
        ("S12", 60, {}),
        ("S13", 50, {"result": "pass"}),
        ("S14", 40, {}),
    ]
    with transaction.atomic():
        append_events_bulk(
            NewEvent(kind, candidate.pk, days_ago(n), payload | {"mode": "past"}, cast.zhibu.pk)
            for kind, n, payload in steps
        )
        project(candidate)
    assert candidate.stage == "target", candidate.projection
    return candidate
