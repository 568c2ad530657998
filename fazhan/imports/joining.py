"""The member roster following an import's approved files, worked out with the plan.

A file whose admission was approved puts its person on the branch's member roster
(docs/members.md): `fazhan.members.history.follow_records` writes, for a file new to the roster,
the member row folded from its record-sourced changes, the changes, then one `member.<kind>`
chain event each. An import plans those rows with its projections (`plan_joins`, the values
converted for the database beforehand, `fazhan.lib.bulkinsert.Prepared`) and, once it is
committed, writes them in one short transaction (`write_joins`, called by
`actions._follow_planned` after checking that no file moved): the same rows and the same chain
events as `follow_records` would write, without building and converting them then. A person an
imported roster may already hold (`_may_match_imported`: linked, not duplicated) is left to
`follow_records`, as is every file that is not plainly new to the roster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from fazhan.audit.chain import append_events_bulk
from fazhan.lib.bulkinsert import Prepared
from fazhan.members.history import (
    RecordFacts,
    _may_match_imported,
    change_events,
    joining_member,
)
from fazhan.members.models import ChangeKind, MemberChange
from fazhan.orgs.models import Member
from fazhan.policy.membership import Fact


@dataclass
class Joining:
    """One file new to the roster: what `follow_records` is given for it."""

    person: Any
    candidate: Any
    facts: Sequence[Fact]
    recorded_by_id: int | None


@dataclass
class Joins:
    """The new members of an import's approved files and their changes, ready to insert."""

    joining: list[Joining]
    members: Prepared
    changes: Prepared


def _member_person(member: Member) -> Any:
    person = member.person
    return person.pk if person is not None else None


def _member_candidate(member: Member) -> Any:
    candidate = member.candidate
    return candidate.pk if candidate is not None else None


def _change_member(change: MemberChange) -> Any:
    return change.member.pk


def _now(_change: MemberChange) -> Any:
    return timezone.now()


def plan_joins(joining: list[Joining]) -> Joins:
    """The rows `follow_records` writes for files new to the roster (each history starting with
    joining), as `_join_in_bulk` builds them; the people and files are not inserted yet (their
    ids are put in at the write)."""
    members: list[Member] = []
    changes: list[MemberChange] = []
    for entry in joining:
        member, own = joining_member(
            entry.facts,
            entry.candidate.org_id,
            entry.person,
            entry.candidate.admitted_on,
            entry.recorded_by_id,
        )
        member.person = entry.person
        member.candidate = entry.candidate
        members.append(member)
        changes.extend(own)
    return Joins(
        joining,
        Prepared(members, late={"person": _member_person, "candidate": _member_candidate}),
        Prepared(changes, late={"member": _change_member, "recorded_at": _now}),
    )


def joins_plainly(entry: Joining) -> bool:
    """A file `plan_joins` can take: its history starts with joining (any other goes through
    `follow_record`)."""
    return bool(entry.facts) and entry.facts[0].kind == ChangeKind.JOINED


def write_joins(joins: Joins) -> bool:
    """Insert the planned members, their changes and their events (in the caller's transaction,
    once the import is committed). False, writing nothing, when an imported roster may already
    hold one of the people: `follow_records` then links them instead."""
    if not joins.joining:
        return True
    facts = [
        RecordFacts(
            candidate_id=entry.candidate.pk,
            person=entry.person,
            org_id=entry.candidate.org_id,
            facts=entry.facts,
            admitted_on=entry.candidate.admitted_on,
            recorded_by_id=entry.recorded_by_id,
        )
        for entry in joins.joining
    ]
    if _may_match_imported(facts):
        return False
    joins.members.insert()
    changes = [change for change in joins.changes.objs if isinstance(change, MemberChange)]
    # Setting member_id drops the cached member: the files' ids are read first.
    candidate_ids = [change.member.candidate_id for change in changes]
    joins.changes.insert()
    append_events_bulk(change_events(changes, candidate_ids))
    return True
