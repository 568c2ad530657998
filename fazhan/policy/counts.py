"""One file's part in the counts at a date (contracts.md §8): its stage, where it stands, and
which of the twelve counts of §4 it adds to.

Pure: the Django side (fazhan.people.counts) streams the files and adds these parts up per
organization; a test recounts exported files with the same rules. Everything is judged from the
record as it stood at the end of `as_of` (`effective_events`: corrections applied, later events
ignored), like `fazhan check`.

- Where a file stands: the branch it was opened or imported in, moved only by the transfers dated
  on or before `as_of`. The move is the `transfer-in`: the receiving organization reviews the
  materials and takes the file over (细则 art. 12; fazhan.people.actions.do_transfer_in is where
  the responsible organization changes); a `transfer-out` alone is a handover not yet accepted.
- `developed` and the structure counts: files with an approving S17 dated from `start` to
  `as_of` (inclusive); age, education and occupation as at the S15 — the latest passed S15
  before that S17, or without one the latest passed S15 (contracts §3's preamble).
- `activists`: files whose stage is `activist` or `target` at `as_of`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from fazhan.policy.calendar import add_months
from fazhan.policy.engine import effective_events, stage_at
from fazhan.policy.model import EDUCATION_RANK, CandidateFile, Event, Person
from fazhan.policy.targets import COUNT_KEYS

STAGES: tuple[str, ...] = (
    "applicant",
    "activist",
    "target",
    "probationary",
    "member",
    "withdrawn",
    "rejected",
    "revoked",
)
# seed 三（一）: the pool the year's admissions are chosen from.
POOL_STAGES = frozenset({"activist", "target"})
# contracts §4: hs_plus is `senior` and up, college_plus `associate` and up (研究生、大学本专科).
SENIOR = EDUCATION_RANK["senior"]
ASSOCIATE = EDUCATION_RANK["associate"]
MGMT_TECH_RICH = frozenset({"manager", "technician", "rural_entrepreneur"})
# contracts §4: 35 and under when the S15 is before the birth date + 432 months (25: 312).
LE35_MONTHS = 432
LE25_MONTHS = 312
NOTHING: tuple[int, ...] = (0,) * len(COUNT_KEYS)

# A person's attributes in force on a day: by default the file's person with its dated changes
# (`Person.on`); the attributes that came with an import apply from the file's first event.
AttributesAt = Callable[[date], Person]
# Where a `transfer-in` takes the file (an organization id), or None when it names no
# organization known here (a file from elsewhere naming an outside organization).
Destination = Callable[[Event], int | None]


def static_attributes(person: Person) -> AttributesAt:
    """The attributes in force at each day: the person's dated changes applied (Person.on)."""
    return person.on


def recorded_destination(event: Event) -> int | None:
    """The organization id the transfer actions record (fazhan.people.actions)."""
    return event.to_org_id


@dataclass(frozen=True, slots=True)
class FileCount:
    """`stage` is None for a file with no event on or before `as_of` (not counted at all);
    `flags` holds 0 or 1 for each of the twelve counts, in COUNT_KEYS order."""

    stage: str | None
    org: int | None
    flags: tuple[int, ...] = NOTHING

    @property
    def counted(self) -> bool:
        return self.stage is not None


def org_at(record: Sequence[Event], start: int | None, destination: Destination) -> int | None:
    """Where the file stands after the ordered record: `start`, moved by each transfer-in."""
    org = start
    for event in record:
        if event.type == "transfer-in":
            moved = destination(event)
            if moved is not None:
                org = moved
    return org


def _passed_s15(record: Sequence[Event], before: int) -> Event | None:
    found = None
    for event in record[:before]:
        if event.type == "S15" and event.result == "pass":
            found = event
    return found


def structure_flags(person: Person, s15: Event | None) -> tuple[int, ...]:
    """The counts one developed person adds to, `activists` aside (set by the caller)."""
    education = EDUCATION_RANK.get(person.education or "", -1)
    tags = person.occupations
    female = person.sex == "F"
    flags = {
        "developed": True,
        "le35": s15 is not None and s15.date < add_months(person.birth_date, LE35_MONTHS),
        "le25": s15 is not None and s15.date < add_months(person.birth_date, LE25_MONTHS),
        "hs_plus": education >= SENIOR,
        "college_plus": education >= ASSOCIATE,
        "female": female,
        "female_frontline": female and person.frontline,
        "worker": "worker" in tags,
        "farmer": "farmer" in tags,
        "mgmt_tech_rich": bool(tags & MGMT_TECH_RICH),
        "student": "student" in tags,
        "activists": False,
    }
    return tuple(int(flags[key]) for key in COUNT_KEYS)


def file_count(
    file: CandidateFile,
    *,
    start: date,
    as_of: date,
    org: int | None,
    destination: Destination = recorded_destination,
    attributes: AttributesAt | None = None,
) -> FileCount:
    """The file's stage and place at the end of `as_of` and its part in the counts of `start` to
    `as_of`. `org` is the organization it was opened or imported in."""
    record = effective_events(file.events, as_of)
    if not record:
        return FileCount(None, org)
    stage = stage_at(file, as_of, record)
    where = org_at(record, org, destination)
    flags = list(NOTHING)
    approval = next(
        (
            index
            for index, event in enumerate(record)
            if event.type == "S17" and event.result == "approved" and start <= event.date
        ),
        None,
    )
    if approval is not None:
        s15 = _passed_s15(record, approval) or _passed_s15(record, len(record))
        day = s15.date if s15 is not None else record[approval].date
        person = (attributes or static_attributes(file.person))(day)
        flags = list(structure_flags(person, s15))
    flags[COUNT_KEYS.index("activists")] = int(stage in POOL_STAGES)
    return FileCount(stage, where, tuple(flags))
