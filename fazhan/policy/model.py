"""The candidate file (contracts.md §1) as plain typed values.

The same shapes serve `fazhan check`, imports and the projection of a candidate's events in the
database: the engine sees nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeAlias

# The fields below are named `date` as in the file format, so annotate through an alias.
Day: TypeAlias = date

FORMAT = "fazhan-candidate-file/1"

SEXES = frozenset({"F", "M"})
EDUCATIONS = (
    "none",
    "primary",
    "junior",
    "senior",
    "associate",
    "bachelor",
    "master",
    "doctor",
)
EDUCATION_RANK = {name: rank for rank, name in enumerate(EDUCATIONS)}
OCCUPATIONS = frozenset(
    {
        "worker",
        "farmer",
        "manager",
        "technician",
        "rural_entrepreneur",
        "student",
        "civil_servant",
        "military",
        "retired",
        "other",
    }
)
STEPS = tuple(f"S{n:02d}" for n in range(1, 26))
NOTICE_TYPES = ("N-ACT", "N-TGT", "N-ADM", "N-CONV")
LIFECYCLE_TYPES = ("transfer-out", "transfer-in", "suspend", "resume", "withdraw", "reject")
CORRECT = "correct"
EVENT_TYPES = frozenset(STEPS + NOTICE_TYPES + LIFECYCLE_TYPES + (CORRECT,))

NOMINATIONS = frozenset(
    {"member", "youth_league", "women_federation", "trade_union", "federation_of_industry"}
)
MEMBER_STATUSES = frozenset({"full", "probationary"})
DISCIPLINES = frozenset({"留党察看"})
FEEDBACK_OUTCOMES = frozenset({"pending", "unfounded", "founded_minor", "upheld"})
RESULTS: dict[str, frozenset[str]] = {
    "S10": frozenset({"pass", "fail"}),
    "S13": frozenset({"pass", "returned", "fail"}),
    "S15": frozenset({"pass", "fail"}),
    "S23": frozenset({"pass", "fail"}),
    "S17": frozenset({"approved", "rejected"}),
    "S24": frozenset({"approved", "rejected"}),
}
S23_OUTCOMES = frozenset({"convert", "extend", "revoke"})
POLICIES = ("national-2014", "national-2026")

# Order within one day (contracts.md §1): resume and transfer-in first; then the steps in numeric
# order, each notice just before the step it serves; then transfer-out, suspend, withdraw, reject.
RANK: dict[str, int] = {"resume": 0, "transfer-in": 1}
RANK.update({step: 10 * int(step[1:]) + 5 for step in STEPS})
RANK.update({"N-ACT": 34, "N-TGT": 74, "N-ADM": 154, "N-CONV": 234})
RANK.update({"transfer-out": 1000, "suspend": 1001, "withdraw": 1002, "reject": 1003})
RANK[CORRECT] = 1004


@dataclass(slots=True, frozen=True)
class PartyMember:
    """A cultivation contact (S05) or an introducer (S09)."""

    name: str | None
    status: str | None
    discipline: str | None = None
    rights_restored: bool = False

    @property
    def is_full(self) -> bool:
        return self.status == "full"

    @property
    def may_introduce(self) -> bool:
        # 细则 art. 14: a member under 留党察看 whose rights are not restored cannot introduce.
        return self.is_full and (self.discipline is None or self.rights_restored)


@dataclass(slots=True, frozen=True)
class Feedback:
    date: Day
    resolved: Day | None
    outcome: str


@dataclass(slots=True, frozen=True)
class Vote:
    """A branch general meeting's tally. A field absent from the file is None."""

    expected: int | None = None
    present: int | None = None
    in_favour: int | None = None
    against: int | None = None
    abstain: int | None = None
    written_for: int = 0
    written_against: int = 0
    written_abstain: int = 0
    secret: bool | None = None
    candidates: int | None = None
    issued: int | None = None
    returned: int | None = None
    tellers: int | None = None
    monitors: int | None = None


@dataclass(slots=True)
class Event:
    type: str
    date: Day
    index: int = 0
    id: str | None = None
    end: Day | None = None
    feedback: tuple[Feedback, ...] = ()
    nomination: str | None = None
    contacts: tuple[PartyMember, ...] = ()
    introducers: tuple[PartyMember, ...] = ()
    days: int = 0
    hours: int = 0
    exception: bool = False
    result: str | None = None
    outcome: str | None = None
    extension_months: int | None = None
    vote: Vote | None = None
    can_approve: bool | None = None
    from_org: str | None = None
    to_org: str | None = None
    # The project's own optional fields (contracts.md §1 allows them): the organizations' ids in
    # this database, which the transfer actions record; a file from elsewhere names orgs only.
    from_org_id: int | None = None
    to_org_id: int | None = None
    supersedes: str | None = None
    replacement: Event | None = None
    void: bool = False

    @property
    def sort_key(self) -> tuple[Day, int, int]:
        return (self.date, RANK.get(self.type, 2000), self.index)


# The attributes a dated change may set (a diploma earned, a new job): contracts.md §1's person
# fields that the statistics and the rules read as at a date (contracts §4: as at the S15).
CHANGEABLE = ("education", "occupations", "frontline", "graduation_date", "leaving_date")


@dataclass(slots=True, frozen=True)
class PersonChange:
    """From `date` on, the attributes named in `values` (keys of CHANGEABLE) have these values."""

    date: Day
    values: tuple[tuple[str, Any], ...]


@dataclass(slots=True, frozen=True)
class Person:
    sex: str
    birth_date: Day
    ref: str | None = None
    name: str | None = None
    ethnicity: str | None = None
    education: str | None = None
    occupations: frozenset[str] = frozenset()
    frontline: bool = False
    graduation_date: Day | None = None
    leaving_date: Day | None = None
    # Dated changes (the optional `person.changes` of the file): the fields above are the
    # attributes the file came with; each change applies from its date on, in date order.
    changes: tuple[PersonChange, ...] = ()

    def on(self, day: Day) -> Person:
        """The person with the attributes in force at the end of `day`."""
        values: dict[str, Any] = {}
        for change in sorted(self.changes, key=lambda c: c.date):
            if change.date <= day:
                values.update(change.values)
        return replace(self, **values) if values else self


@dataclass(slots=True)
class CandidateFile:
    person: Person
    events: list[Event] = field(default_factory=list)
    policy: str | None = None
    as_of: Day | None = None


# contracts.md §2: the stages a file can be at, with their Chinese names (people.models.Stage).
STAGE_NAMES = {
    "applicant": "入党申请人",
    "activist": "入党积极分子",
    "target": "发展对象",
    "probationary": "预备党员",
    "member": "正式党员",
    "withdrawn": "已撤回",
    "rejected": "未通过",
    "revoked": "取消预备党员资格",
}
CLOSED_STAGES = frozenset({"withdrawn", "rejected", "revoked"})
