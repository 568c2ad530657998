"""Candidate files at the stages the notices, pre-review and approval tests start from.

Past facts are entered as 补录 (Mode.PAST) so the tests begin where the work is; what the tests
check is then done live, as staff would.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from fazhan.orgs.models import Member
from fazhan.people.actions import Mode, do_create_candidate, do_record_step
from fazhan.people.idnumber import make_demo_id

BIRTH = date(1996, 7, 14)
VOTE = {
    "expected": 10,
    "present": 9,
    "for": 8,
    "against": 1,
    "abstain": 0,
    "written_for": 0,
    "written_against": 0,
    "written_abstain": 0,
    "secret": True,
    "candidates": 1,
    "issued": 9,
    "returned": 9,
    "tellers": 2,
    "monitors": 1,
}


def today() -> date:
    return timezone.localdate()


def new_person(cast, *, org=None, name="林晓华", sex="F", birth=BIRTH, serial=7, **fields):
    org = org or cast.branch_a
    return do_create_candidate(
        cast.qu,
        org=org,
        name=name,
        sex=sex,
        birth_date=birth,
        id_number=make_demo_id(birth, sex, serial),
        unit="城关社区居委会",
        education="bachelor",
        **fields,
    )


def past(cast, candidate, steps):
    for step, when, payload in steps:
        do_record_step(
            cast.qu, candidate, step=step, happened_on=when, payload=payload, mode=Mode.PAST
        )
    candidate.refresh_from_db()
    return candidate


def applicant_ready(cast, **kw):
    """An applicant talked to; the activist notice (N-ACT) and S03 come next."""
    candidate = new_person(cast, **kw)
    t = today()
    return past(
        cast, candidate, [("S01", t - timedelta(days=80), {}), ("S02", t - timedelta(days=70), {})]
    )


def activist_ready(cast, *, years=1, **kw):
    """An activist whose year of cultivation is complete: the N-TGT notice and S07 come next."""
    candidate = new_person(cast, **kw)
    t = today()
    s03 = t.replace(year=t.year - years) - timedelta(days=30)
    member = Member.objects.create(org=candidate.org, name="李四")
    return past(
        cast,
        candidate,
        [
            ("S01", s03 - timedelta(days=90), {}),
            ("S02", s03 - timedelta(days=80), {}),
            ("N-ACT", s03 - timedelta(days=20), {"end": (s03 - timedelta(days=10)).isoformat()}),
            ("S03", s03, {"nomination": "member"}),
            ("S04", s03 + timedelta(days=3), {}),
            ("S05", s03 + timedelta(days=3), {"contacts": [member.pk]}),
            ("S06", s03 + timedelta(days=180), {}),
            ("S06", t - timedelta(days=20), {}),
        ],
    )


def target_ready(cast, **kw):
    """A development target with everything the pre-review needs: S12 and S13 come next."""
    candidate = activist_ready(cast, years=2, **kw)
    t = today()
    s07 = t - timedelta(days=200)
    members = [Member.objects.create(org=candidate.org, name=f"介绍人{i}") for i in range(2)]
    return past(
        cast,
        candidate,
        [
            ("N-TGT", s07 - timedelta(days=14), {"end": (s07 - timedelta(days=5)).isoformat()}),
            ("S07", s07, {}),
            ("S08", s07 + timedelta(days=3), {}),
            ("S09", s07 + timedelta(days=10), {"introducers": [m.pk for m in members]}),
            ("S10", s07 + timedelta(days=30), {"result": "pass"}),
            ("S11", s07 + timedelta(days=40), {"days": 3, "hours": 24}),
        ],
    )


def admitted(cast, *, days_ago=30, **kw):
    """A probationary member admitted `days_ago` days ago: S16 and S17 come next."""
    candidate = target_ready(cast, **kw)
    t = today()
    s15 = t - timedelta(days=days_ago)
    return past(
        cast,
        candidate,
        [
            ("S12", s15 - timedelta(days=30), {}),
            ("S13", s15 - timedelta(days=20), {"result": "pass"}),
            ("S14", s15 - timedelta(days=10), {}),
            ("S15", s15, {"result": "pass", "vote": VOTE}),
        ],
    )
