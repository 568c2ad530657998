"""The member roster as dated history (Issue 12 item 4).

`record_member_change` is the one door for a change of a member (the staff actions, the record's
decisions and an organization merge all go through it): it keeps the change, appends one
`member.<kind>` chain event and re-projects the `Member` row. `state_on` and `roster_on` answer
who was on a branch's roster on a day, with which status and voting right. `follow_record` keeps
the roster in step with a candidate's record; `fazhan.people.record.project` calls it after each
projection, so every decision (live, past, a meeting's, a correction) reaches the roster through
this one place.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q

from fazhan.audit.chain import NewEvent, append_event, append_events_bulk
from fazhan.members.models import ChangeKind, MemberChange, Source
from fazhan.members.state import MemberState, fold
from fazhan.orgs.models import Member, MemberStatus, Organization
from fazhan.policy.membership import Fact

# The fields each kind of change sets (the others are left as they were).
EFFECTS: dict[str, dict[str, Any]] = {
    ChangeKind.JOINED: {
        "status": MemberStatus.PROBATIONARY,
        "active": True,
        "under_discipline": False,
        "rights_restored": False,
    },
    ChangeKind.CONVERTED: {"status": MemberStatus.FULL},
    ChangeKind.EXTENDED: {},
    ChangeKind.REVOKED: {"active": False},
    ChangeKind.TRANSFERRED: {},
    ChangeKind.MOVED_AWAY: {"active": False},
    ChangeKind.DISCIPLINE: {"under_discipline": True, "rights_restored": False},
    ChangeKind.RESTORED: {"rights_restored": True},
    ChangeKind.DIED: {"active": False},
}


def current_state(member: Member) -> MemberState:
    return MemberState(
        org_id=member.org_id,
        status=member.status,
        active=member.active,
        under_discipline=member.under_discipline,
        rights_restored=member.rights_restored,
    )


def _changes(member: Member) -> list[MemberChange]:
    cache = getattr(member, "_prefetched_objects_cache", {})
    if "changes" in cache:
        return list(cache["changes"])
    return list(MemberChange.objects.filter(member=member))


def state_on(
    member: Member, day: date, changes: Sequence[MemberChange] | None = None
) -> MemberState:
    """The member's state at the end of `day`."""
    history = _changes(member) if changes is None else list(changes)
    return fold(
        current_state(member),
        history,
        day,
        joined_on=member.joined_on,
        converted_on=member.converted_on,
    )


def as_of(member: Member, state: MemberState) -> Member:
    """A copy of the member showing `state` (for pickers and snapshots; never saved); the member
    itself when the state is its row's."""
    if state == current_state(member):
        return member
    view = copy.copy(member)
    view.org_id = state.org_id if state.org_id is not None else member.org_id
    view.status = state.status
    view.active = state.active
    view.under_discipline = state.under_discipline
    view.rights_restored = state.rights_restored
    return view


def roster_on(org: Organization | int, day: date) -> list[Member]:
    """The members on the branch's roster at the end of `day`, as they stood that day (status,
    discipline, voting right through `may_vote`), ordered by name."""
    org_id = org if isinstance(org, int) else org.pk
    # Members of the branch now, and those a dated change ever placed there (moved since).
    moved = set(MemberChange.objects.filter(org_id=org_id).values_list("member_id", flat=True))
    here = Q(org_id=org_id) | Q(pk__in=moved) if moved else Q(org_id=org_id)
    candidates = Member.objects.filter(here).prefetch_related("changes")
    found = []
    for member in candidates:
        state = state_on(member, day)
        if state.active and (state.org_id or member.org_id) == org_id:
            found.append(as_of(member, state))
    return sorted(found, key=lambda m: (m.name, m.pk))


def rosters_up_from(org_id: int, day: date) -> list[Member]:
    """The members of an organization and of every organization above it, as they stood on
    `day`: whom a candidate's contacts, introducers and talkers are chosen from (a committee
    member may introduce or talk)."""
    orgs = sorted(Organization.objects.ancestor_ids(org_id))
    return [member for above in orgs for member in roster_on(above, day)]


def members_on(ids: Sequence[int], day: date) -> dict[int, Member]:
    """The given members on the roster on `day`, as they stood then (others left out)."""
    found: dict[int, Member] = {}
    for member in Member.objects.filter(pk__in=ids).prefetch_related("changes"):
        state = state_on(member, day)
        if state.active:
            found[member.pk] = as_of(member, state)
    return found


def reproject(member: Member) -> None:
    """Save the member's row as the fold of all its history (every recorded change applied)."""
    changes = list(MemberChange.objects.filter(member=member))
    _take_state(member, fold(current_state(member), changes, date.max))
    member.save(update_fields=["org", "status", "active", "under_discipline", "rights_restored"])


def _take_state(member: Member, state: MemberState) -> None:
    member.org_id = state.org_id or member.org_id
    member.status = state.status
    member.active = state.active
    member.under_discipline = state.under_discipline
    member.rights_restored = state.rights_restored


def _payload(change: MemberChange) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "member_id": change.member_id,
        "change_id": change.pk,
        "kind": change.kind,
        "source": change.source,
    }
    if change.org_id is not None:
        payload["org_id"] = change.org_id
    if change.status:
        payload["status"] = change.status
    if change.months is not None:
        payload["months"] = change.months
    return payload


def _event(change: MemberChange, kind: str, candidate_id: int | None) -> None:
    append_event(
        kind=kind,
        candidate_id=candidate_id,
        happened_on=change.happened_on,
        payload=_payload(change),
        recorded_by_id=change.recorded_by_id,
    )


def _baseline(member: Member, recorded_by_id: int | None) -> None:
    """Before the first change of a member the roster held without history, keep how it held
    them (undated), so the history can be folded from it."""
    change = MemberChange.objects.create(
        member=member,
        kind=ChangeKind.BASELINE,
        happened_on=None,
        source=Source.BASELINE,
        org_id=member.org_id,
        status=member.status,
        active=member.active,
        under_discipline=member.under_discipline,
        rights_restored=member.rights_restored,
        recorded_by_id=recorded_by_id,
    )
    _event(change, "member.baseline", member.candidate_id)


def record_member_change(
    member: Member,
    kind: str,
    happened_on: date,
    *,
    org: Organization | int | None = None,
    months: int | None = None,
    reason: str = "",
    recorded_by_id: int | None = None,
    source: str = Source.STAFF,
) -> MemberChange:
    """Keep one dated change of `member`, append its `member.<kind>` event and re-project the
    row. No rights are checked here: callers are do_ actions (or a merge) that checked them.
    An organization merge moves each member with kind `transferred` and the surviving `org`."""
    if kind not in EFFECTS:
        raise ValueError(f"unknown member change {kind!r}")
    org_id = org if isinstance(org, int) or org is None else org.pk
    if kind in (ChangeKind.JOINED, ChangeKind.TRANSFERRED) and org_id is None:
        raise ValueError(f"a {kind} change needs the organization")
    with transaction.atomic():
        if kind != ChangeKind.JOINED and not MemberChange.objects.filter(member=member).exists():
            _baseline(member, recorded_by_id)
        change = MemberChange.objects.create(
            member=member,
            kind=kind,
            happened_on=happened_on,
            source=source,
            org_id=org_id,
            months=months,
            reason=reason.strip()[:200],
            recorded_by_id=recorded_by_id,
            **EFFECTS[kind],
        )
        _event(change, f"member.{kind}", member.candidate_id)
        reproject(member)
    return change


# -- the record ----------------------------------------------------------------------------------


def _key(
    kind: str, happened_on: date | None, org_id: int | None, months: int | None
) -> tuple[Any, ...]:
    return (kind, happened_on, org_id, months)


def follow_record(
    *,
    candidate_id: int,
    person: Any,
    org_id: int,
    facts: Sequence[Fact],
    admitted_on: date | None,
    recorded_by_id: int | None,
) -> Member | None:
    """Bring the candidate's member row and its record-sourced history in line with the
    record's facts: idempotent (the same facts change nothing); a fact the record no longer holds
    (a corrected S17, a voided S24) is voided together with every later one, and the record's
    facts from there on are recorded again."""
    member = Member.objects.select_for_update().filter(candidate_id=candidate_id).first()
    if member is None and not facts:
        return None
    if member is None:
        member = _imported_match(person, facts[0].org_id or org_id)
        if member is not None:
            member.candidate_id, member.person_id = candidate_id, person.pk
            member.save(update_fields=["candidate", "person"])
    if member is None:
        member = _new_member(facts, org_id, person)
        member.person_id, member.candidate_id = person.pk, candidate_id
        member.save()
    # The branch a joining names when it does not say: the file's own.
    wanted = [(f, _key(f.kind, f.happened_on, _org_of(f, org_id), f.months)) for f in facts]
    have = list(
        MemberChange.objects.filter(member=member, source=Source.RECORD, voided=False).order_by(
            "happened_on", "pk"
        )
    )
    keys = [_key(c.kind, c.happened_on, c.org_id, c.months) for c in have]
    same = 0
    while same < min(len(keys), len(wanted)) and keys[same] == wanted[same][1]:
        same += 1
    if same == len(keys) == len(wanted):
        _dates(member, admitted_on, facts)
        return member
    for stale in have[same:]:
        stale.voided = True
        stale.save(update_fields=["voided"])
        _event(stale, "member.voided", candidate_id)
    _dates(member, admitted_on, facts)
    for fact, _ in wanted[same:]:
        record_member_change(
            member,
            fact.kind,
            fact.happened_on,
            org=_org_of(fact, org_id),
            months=fact.months,
            recorded_by_id=recorded_by_id,
            source=Source.RECORD,
        )
    reproject(member)
    return member


def _imported_match(person: Any, org_id: int) -> Member | None:
    """The same person already on an imported roster (by the ID number's blind index, or in the
    branch by name and birth date, as the member import matches): linked, not duplicated."""
    unlinked = Member.objects.select_for_update().filter(candidate__isnull=True)
    index = getattr(person, "id_number_index", None)
    if index:
        found = unlinked.filter(id_number_index=index).first()
        if found is not None:
            return found
    return unlinked.filter(org_id=org_id, name=person.name, birth_date=person.birth_date).first()


def _org_of(fact: Fact, file_org_id: int) -> int | None:
    if fact.kind in (ChangeKind.JOINED, ChangeKind.TRANSFERRED):
        return fact.org_id or file_org_id
    return None


def _dates(member: Member, admitted_on: date | None, facts: Sequence[Fact]) -> None:
    """入党日期 is the admitting meeting's (党章 art. 7: probation runs from it), 转正日期 the
    conversion's; both follow the record."""
    if _dated(member, admitted_on, facts):
        member.save(update_fields=["joined_on", "converted_on"])


def _dated(member: Member, admitted_on: date | None, facts: Sequence[Fact]) -> bool:
    """Set the member's 入党日期 and 转正日期 from the record (not saved); whether they changed."""
    converted = next((f.happened_on for f in facts if f.kind == ChangeKind.CONVERTED), None)
    joined = admitted_on if facts else None
    if (member.joined_on, member.converted_on) == (joined, converted):
        return False
    member.joined_on, member.converted_on = joined, converted
    return True


# -- many files at once ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordFacts:
    """What `follow_record` is given for one file."""

    candidate_id: int
    person: Any
    org_id: int
    facts: Sequence[Fact]
    admitted_on: date | None
    recorded_by_id: int | None


def follow_one(entry: RecordFacts) -> Member | None:
    return follow_record(
        candidate_id=entry.candidate_id,
        person=entry.person,
        org_id=entry.org_id,
        facts=entry.facts,
        admitted_on=entry.admitted_on,
        recorded_by_id=entry.recorded_by_id,
    )


def follow_records(entries: Sequence[RecordFacts]) -> None:
    """`follow_record` for many files, in order, in the caller's transaction: the same rows and
    the same chain events. A file new to the roster (no member row, none on an imported roster
    to link, a history that starts with joining: what a bulk import brings) is written in bulk
    with the others like it; any other file goes through `follow_record` itself."""
    ids = [e.candidate_id for e in entries]
    linked = set(Member.objects.filter(candidate_id__in=ids).values_list("candidate_id", flat=True))
    matchable = _may_match_imported([e for e in entries if e.facts])
    fresh: list[RecordFacts] = []
    for entry in entries:
        if (
            entry.candidate_id in linked
            or entry.candidate_id in matchable
            or (entry.facts and entry.facts[0].kind != ChangeKind.JOINED)
        ):
            _join_in_bulk(fresh)
            fresh = []
            follow_one(entry)
        elif entry.facts:
            fresh.append(entry)
    _join_in_bulk(fresh)


def _may_match_imported(entries: Sequence[RecordFacts]) -> set[int]:
    """The files whose person `_imported_match` could find on an imported roster (one query)."""
    if not entries:
        return set()
    indexes = {i for e in entries if (i := getattr(e.person, "id_number_index", None))}
    names = {e.person.name for e in entries}
    found = Member.objects.filter(candidate__isnull=True).filter(
        Q(id_number_index__in=indexes) | Q(name__in=names)
    )
    by_index, by_name = set(), set()
    for index, org_id, name, born in found.values_list(
        "id_number_index", "org_id", "name", "birth_date"
    ):
        by_index.add(index)
        by_name.add((org_id, name, born))
    return {
        e.candidate_id
        for e in entries
        if getattr(e.person, "id_number_index", None) in by_index
        or (e.facts[0].org_id or e.org_id, e.person.name, e.person.birth_date) in by_name
    }


def _new_member(facts: Sequence[Fact], org_id: int, person: Any) -> Member:
    """A probationary member not yet on the roster (inactive until the record says so), in the
    branch its joining names or the file's own; not saved."""
    return Member(
        org_id=facts[0].org_id or org_id,
        name=person.name,
        status=MemberStatus.PROBATIONARY,
        active=False,
        sex=person.sex or "",
        birth_date=person.birth_date,
    )


def joining_member(
    facts: Sequence[Fact],
    org_id: int,
    person: Any,
    admitted_on: date | None,
    recorded_by_id: int | None,
) -> tuple[Member, list[MemberChange]]:
    """A file new to the roster (its history starting with joining): the member row, not saved
    and not yet linked to its person and file, folded from its record-sourced changes, and those
    changes (the rows `follow_record` writes one by one; `_join_in_bulk` and an import's plan
    write them in bulk)."""
    member = _new_member(facts, org_id, person)
    _dated(member, admitted_on, facts)
    own = [
        MemberChange(
            member=member,
            kind=fact.kind,
            happened_on=fact.happened_on,
            source=Source.RECORD,
            org_id=_org_of(fact, org_id),
            months=fact.months,
            reason="",
            recorded_by_id=recorded_by_id,
            **EFFECTS[fact.kind],
        )
        for fact in facts
    ]
    _take_state(member, fold(current_state(member), own, date.max))
    return member, own


def change_events(
    changes: Sequence[MemberChange], candidate_ids: Sequence[int | None]
) -> Iterator[NewEvent]:
    """One `member.<kind>` event per change written in bulk, on the file it came from."""
    for change, candidate_id in zip(changes, candidate_ids, strict=True):
        yield NewEvent(
            kind=f"member.{change.kind}",
            candidate_id=candidate_id,
            happened_on=change.happened_on,
            payload=_payload(change),
            recorded_by_id=change.recorded_by_id,
        )


def _join_in_bulk(entries: Sequence[RecordFacts]) -> None:
    """New members and their record-sourced changes, as `follow_record` writes them one by one:
    the member row (folded from its changes), the changes, then their events in the same order."""
    if not entries:
        return
    members: list[Member] = []
    changes: list[MemberChange] = []
    for entry in entries:
        member, own = joining_member(
            entry.facts, entry.org_id, entry.person, entry.admitted_on, entry.recorded_by_id
        )
        member.person_id, member.candidate_id = entry.person.pk, entry.candidate_id
        members.append(member)
        changes.extend(own)
    Member.objects.bulk_create(members)
    # Setting member_id drops the cached member (Django clears it when the id changes): keep the
    # candidate ids first, so the events below read no member back one by one.
    candidate_ids = [change.member.candidate_id for change in changes]
    for change in changes:
        change.member_id = change.member.pk
    MemberChange.objects.bulk_create(changes)
    append_events_bulk(change_events(changes, candidate_ids))
