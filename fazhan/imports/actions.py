"""Bringing in what exists: previews, confirmation and the one action that imports a candidate.

Every mutation is one function (DESIGN principle 5). `do_import_candidate` records a whole file of
past facts for one new person: it refuses only unreadable data, never a rule breach, which the
projection keeps as findings (principle 4). A batch is applied in one transaction, all or nothing:
if one row is refused, nothing of the batch is written and the reason goes back to that row.
"""

from __future__ import annotations

import gc
import itertools
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.audit.chain import (
    ChainError,
    EncodedEvent,
    NewEvent,
    _payload_json,
    append_event,
    append_events_bulk,
    encode_event,
    read_head,
)
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.holidays.table import current_table
from fazhan.imports import document, kept, members, orgtree, packing, preview
from fazhan.imports.joining import Joining, Joins, joins_plainly, plan_joins, write_joins
from fazhan.imports.models import (
    SHEET_KINDS,
    BatchKind,
    BatchStatus,
    ImportBatch,
    ImportRow,
    JobState,
)
from fazhan.imports.roster import Located, Table, TableError, read_table
from fazhan.lib.bulkinsert import Prepared
from fazhan.members.history import RecordFacts, follow_records
from fazhan.members.models import MemberChange
from fazhan.orgs.models import Kind, Member, MemberStatus, Organization
from fazhan.people import crypto, idnumber
from fazhan.people import summary as count_summary
from fazhan.people.actions import Mode
from fazhan.people.idnumber import IdNumberError
from fazhan.people.models import CLOSED_STAGES, AttributeChange, Candidate, Person
from fazhan.people.record import (
    apply_projection,
    candidate_document,
    follow_roster,
    project,
    projected,
)
from fazhan.policy.data import DEFAULT_POLICY
from fazhan.policy.engine import effective_events, evaluate
from fazhan.policy.membership import Fact, membership_facts
from fazhan.policy.parse import Unreadable, parse_document

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    User = AbstractBaseUser

log = logging.getLogger(__name__)


# -- one candidate --------------------------------------------------------------------------------


class _Roster:
    """The branch's roster by name, for contacts and introducers named in a paper file. A name
    not on it becomes a Member marked imported=True (orgs.models.Member), so events still refer
    to members by id (DESIGN principle 8).

    Read before the write transaction: a new member gets a placeholder id (negative) and waits
    in `pending` until `_write` inserts it and puts its real id in the events."""

    def __init__(self, org: Organization) -> None:
        self.org = org
        self.existing: dict[str, int] | None = None
        self._by_name: dict[str, int] = {}
        self.names: dict[int, str] = {}
        self.pending: dict[int, Member] = {}

    def _load(self) -> None:
        self.existing = {}
        rows = Member.objects.filter(org=self.org, active=True).order_by("pk")
        for pk, name in rows.values_list("pk", "name"):
            self.existing.setdefault(name, pk)
            self.names[pk] = name
        self._by_name = dict(self.existing)

    def member(self, item: Mapping[str, Any]) -> int:
        if self.existing is None:
            self._load()
        name = str(item.get("name") or "").strip()
        found = self._by_name.get(name) if name else None
        if found is None:
            status = item.get("status")
            found = next(_PLACEHOLDERS)
            self.pending[found] = Member(
                org=self.org,
                name=name or _("（未具名）"),
                status=status if status in MemberStatus.values else MemberStatus.FULL,
                under_discipline=item.get("discipline") == "留党察看",
                rights_restored=bool(item.get("rights_restored")),
                imported=True,
            )
            self.names[found] = self.pending[found].name
            if name:
                self._by_name[name] = found
        return found

    def snapshots(self, items: Sequence[Any]) -> list[dict[str, Any]]:
        # The status the file gives is the status at the time of the event, which is what the
        # rules judge (细则 arts. 9, 14); the roster row may have changed since.
        return [
            {
                "member_id": self.member(item),
                "status": item.get("status"),
                "discipline": item.get("discipline"),
                "rights_restored": bool(item.get("rights_restored")),
            }
            for item in items
            if isinstance(item, Mapping)
        ]


# Placeholder ids of members not yet inserted (negative: never a real primary key).
_PLACEHOLDERS = itertools.count(-1, -1)


def _with_members(payload: Mapping[str, Any], ids: Mapping[int, int]) -> dict[str, Any] | None:
    """`payload` with the placeholder member ids replaced by `ids`; None when it has none."""
    changed = False

    def lists(part: Mapping[str, Any]) -> dict[str, Any]:
        nonlocal changed
        out = dict(part)
        for key in document.MEMBER_LISTS:
            if key in out:
                items = []
                for entry in out[key]:
                    member = entry.get("member_id")
                    if isinstance(member, int) and member < 0:
                        items.append({**entry, "member_id": ids[member]})
                        changed = True
                    else:
                        items.append(entry)
                out[key] = items
        return out

    result = lists(payload)
    replacement = result.get("replacement")
    if isinstance(replacement, Mapping):
        result["replacement"] = lists(replacement)
    return result if changed else None


def _payload(
    event: Mapping[str, Any], path: str, roster: _Roster, seqs: Mapping[str, int]
) -> dict[str, Any]:
    payload = document.clean_event(event, path)
    for key in document.MEMBER_LISTS:
        if key in payload:
            payload[key] = roster.snapshots(payload[key])
    replacement = payload.get("replacement")
    if isinstance(replacement, Mapping):
        inner = dict(replacement)
        for key in document.MEMBER_LISTS:
            if key in inner:
                inner[key] = roster.snapshots(inner[key])
        payload["replacement"] = inner
    if "supersedes" in payload:
        # The file's event ids become the chain's seqs (fazhan.people.record.file_event).
        payload["supersedes"] = str(seqs[str(payload["supersedes"])])
    if not str(event.get("type", "")).startswith("x-"):
        payload["mode"] = str(Mode.PAST)
    return payload


def _refusal(error: Unreadable) -> ActionRefused:
    where = f"{error.field}：" if error.field else ""
    return ActionRefused(
        Reason(_("数据无法读取：%(where)s%(problem)s") % {"where": where, "problem": error.problem})
    )


def do_import_candidate(
    user: User,
    *,
    org: Organization,
    person_fields: Mapping[str, Any],
    id_number: str | None,
    events: Sequence[Mapping[str, Any]],
    policy: str | None = None,
) -> Candidate:
    """Create a person and their candidate file in branch `org` with `events` (contract events,
    contacts and introducers by name) recorded as past facts, and project once.

    Refuses (ActionRefused) only what cannot be read: the document `parse_document` rejects, a
    date after today, an ID number that is invalid, contradicts the birth date or sex, or is
    already on file. Rule breaches are kept as findings (DESIGN principle 4).
    """
    if not authority(user).may_write(org.pk):
        raise Http404(_("没有这个组织"))
    item = _Item(org, person_fields, id_number, events, policy, _Roster(org))
    try:
        # A savepoint: a refusal leaves the caller's transaction usable.
        with transaction.atomic():
            [candidate] = _import_candidates(user, [item])
    except _ItemRefused as refused:
        raise refused.refusal from None
    return candidate


@dataclass(frozen=True)
class _Item:
    """One candidate to import: the person's fields, the clear ID number, the file's events."""

    org: Organization
    person_fields: Mapping[str, Any]
    id_number: str | None
    events: Sequence[Mapping[str, Any]]
    policy: str | None
    roster: _Roster
    # The batch's kind: "roster" files may carry import gaps (fazhan.policy.gaps).
    source: str = ""


class _ItemRefused(Exception):
    def __init__(self, position: int, refusal: ActionRefused) -> None:
        super().__init__(str(refusal))
        self.position = position
        self.refusal = refusal


def _person(item: _Item, today: date) -> Person:
    """The person of `item`, checked as `do_import_candidate` promises; not saved."""
    if item.org.kind != Kind.BRANCH:
        raise ActionRefused(_("只能导入到党支部"))
    unknown = set(item.person_fields) - {*document.PERSON_FIELDS, document.CHANGES}
    if unknown:
        raise ActionRefused(_("未知的人员字段：%(keys)s") % {"keys": "、".join(sorted(unknown))})
    try:
        document.validate(
            item.person_fields, item.events, policy=item.policy or DEFAULT_POLICY, as_of=today
        )
    except Unreadable as error:
        raise _refusal(error) from None
    given = item.person_fields
    fields = {key: given.get(key) for key in document.PERSON_FIELDS if key in given}
    for key in document.DATE_FIELDS:
        if key in fields:
            fields[key] = document.as_date(fields[key])
    for key in ("ethnicity", "education", "unit", "ref"):
        fields[key] = fields.get(key) or ""
    person = Person(**fields)
    if item.id_number:
        try:
            mismatches = person.set_id_number(item.id_number, today=today)
        except IdNumberError as error:
            raise ActionRefused(Reason(str(error), "GB 11643-1999")) from None
        if mismatches:
            raise ActionRefused([Reason(m, "GB 11643-1999") for m in mismatches])
    try:
        # Lengths and choices; the occupations were read by parse_document above.
        person.clean_fields(exclude=["id_number_index"])
    except ValidationError as error:
        raise ActionRefused([Reason(m) for m in error.messages]) from None
    person.fill_derived()  # bulk_create does not call save()
    person._attribute_changes = ()  # new: no dated changes (fazhan.people.attributes)
    return person


def _unique_id_numbers(persons: Sequence[Person]) -> dict[str, Person]:
    """An ID number twice in the batch, or already on file with a file still open, refuses the
    row that holds it (the blind index's unique constraint would refuse the whole insert without
    saying where). Returns the people known by a number whose every file has ended: their row
    opens a new file for the same person (a re-application, docs/intake.md). Read when the plan
    is made and again under the chain head's lock in `_write`, which serializes every import."""
    first: dict[str, int] = {}
    for position, person in enumerate(persons):
        index = person.id_number_index
        if index is None:
            continue
        if index in first:
            raise _ItemRefused(position, ActionRefused(_("该身份证号码已有档案（重复录入）")))
        first[index] = position
    indexes = sorted(first)
    ended: dict[str, Person] = {}
    for start in range(0, len(indexes), 500):
        chunk = indexes[start : start + 500]
        open_files = Candidate.objects.filter(person__id_number_index__in=chunk).exclude(
            stage__in=CLOSED_STAGES
        )
        clash = open_files.values_list("person__id_number_index", flat=True).first()
        if clash is not None:
            refusal = ActionRefused(_("该身份证号码已有档案（重复录入）"))
            raise _ItemRefused(first[clash], refusal)
        for known in Person.objects.filter(id_number_index__in=chunk):
            if known.id_number_index is not None:
                ended[known.id_number_index] = known
    return ended


def _reapplications(persons: list[Person]) -> list[Person]:
    """The batch's people, a known person (every file ended) in place of a second one."""
    ended = _unique_id_numbers(persons)
    if not ended:
        return persons
    return [ended.get(p.id_number_index, p) if p.id_number_index else p for p in persons]


Progress = Callable[[int], None]


class _Planned(NamedTuple):
    """An event as `candidate_document` reads it, before it is on the chain."""

    seq: int
    kind: str
    happened_on: date | None
    payload: dict[str, Any]


@dataclass
class _Plan:
    """Everything an import of candidates writes, worked out before the write transaction: the
    people (ID numbers encrypted and indexed), the files with their projections, every event
    checked and encoded for the chain. The seqs are those the events get if the chain head is
    still at `head_seq` when `_write` locks it; `_write` checks that and what else was read."""

    user_id: int | None
    items: Sequence[_Item]
    head_seq: int
    persons: list[Person]
    candidates: list[Candidate]
    streams: list[list[EncodedEvent]]
    rosters: list[_Roster]
    person_rows: Prepared
    candidate_rows: Prepared
    # People already on file (re-applications): their dated history is not the file's to write.
    known_ids: frozenset[int] = frozenset()
    # No event names another by its seq (`supersedes`) and no person is on file already: if the
    # head has moved when `_write` locks it, the plan is moved along (`_rebase`), not made again.
    rebasable: bool = False
    # A plan kept since the preview (fazhan.imports.kept) holds no clear ID number: the items to
    # plan again from, should anything it read have changed, are rebuilt from the batch's rows.
    fresh_items: Callable[[], Sequence[_Item]] | None = None
    # Each file's membership facts (empty unless the admission was approved), for the member
    # roster to follow once the import is committed (`_follow_after_commit`).
    facts: list[list[Fact]] = field(default_factory=list)
    # Each new file's counts summary rows (fazhan.people.summary.planned_rows, their id left 0),
    # written with the files; None for a file the projection listener judges at the write.
    count_rows: list[list[count_summary.Row] | None] = field(default_factory=list)
    # The members the files new to the roster make, written with them (fazhan.imports.joining).
    joins: Joins | None = None


def _plan(
    user: User | None, items: Sequence[_Item], head_seq: int, progress: Progress | None = None
) -> _Plan:
    """Prepare the import of `items` with the chain head at `head_seq`; reads, never writes.

    The chain is the one appending file by file would make (file order, the opening event then
    the file's events), and each projection is the engine's verdict on the very document
    `fazhan.people.record.candidate_document` will read back from those events, as `project`
    computes it: the events' seqs are known before they are written, because `_write` appends
    them only if the head has not moved. `user` None is the server's operator (`fazhan import`):
    the events are recorded by no account. A refused item is an _ItemRefused naming its
    position."""
    today = dates.today()
    recorded_by = user.pk if user is not None else None
    persons: list[Person] = []
    for position, item in enumerate(items):
        try:
            persons.append(_person(item, today))
        except ActionRefused as refused:
            raise _ItemRefused(position, refused) from None
        if progress is not None and position % 250 == 249:
            progress(position + 1)
    persons = _reapplications(persons)
    table = current_table()
    seq = head_seq
    candidates: list[Candidate] = []
    streams: list[list[EncodedEvent]] = []
    facts: list[list[Fact]] = []
    counted: list[list[count_summary.Row] | None] = []
    for position, (item, person) in enumerate(zip(items, persons, strict=True)):
        policy = item.policy or DEFAULT_POLICY
        candidate = Candidate(person=person, org=item.org, policy=policy)
        opened = seq + 1
        seqs = {
            str(event["id"]): opened + offset
            for offset, event in enumerate(item.events, start=1)
            if event.get("id") is not None
        }
        opening: dict[str, Any] = {"org_id": item.org.pk, "mode": str(Mode.PAST)}
        if person.pk is not None:
            # A re-application: linked to the person's earlier files, judged on its own events.
            opening["earlier"] = list(
                Candidate.objects.filter(person=person).order_by("pk").values_list("pk", flat=True)
            )
        if item.source:
            opening["source"] = item.source
        stream: list[tuple[str, date | None, dict[str, Any]]] = [
            ("candidate.opened", today, opening)
        ]
        try:
            stream += [
                (
                    str(event["type"]),
                    document.as_date(event["date"]),
                    _payload(event, f"events[{index}]", item.roster, seqs),
                )
                for index, event in enumerate(item.events)
            ]
            encoded = [
                encode_event(NewEvent(kind, None, day, payload, recorded_by))
                for kind, day, payload in stream
            ]
        except Unreadable as error:
            raise _ItemRefused(position, _refusal(error)) from None
        except ChainError as error:
            raise _ItemRefused(position, ActionRefused(str(error))) from None
        # Light stand-ins for the chain's rows: candidate_document reads only these four.
        chain = [
            _Planned(opened + offset, event.kind, event.happened_on, event.payload)
            for offset, event in enumerate(encoded)
        ]
        seq = chain[-1].seq
        record = candidate_document(candidate, chain, names=item.roster.names)
        imported_on = today if item.source == "roster" else None
        file = parse_document(record)
        result = evaluate(file, table=table)
        apply_projection(candidate, result, seq, imported_on)
        # What `follow_roster` would find reading the file back (fazhan.people.record._facts).
        approved = result.dates.approved_on is not None
        events = effective_events(file.events, result.as_of) if approved else []
        facts.append(membership_facts(events, result.dates, result.stage) if approved else [])
        counted.append(_summary_rows(item, person, candidate, chain))
        candidates.append(candidate)
        streams.append(encoded)
        if progress is not None and position % 250 == 249:
            progress(len(items) + position + 1)
    rosters = list({id(item.roster): item.roster for item in items}.values())
    joining = _joining(items, persons, candidates, facts, recorded_by)
    return _Plan(
        recorded_by,
        items,
        head_seq,
        persons,
        candidates,
        streams,
        rosters,
        # A re-application's person is on file already: only new people are inserted.
        Prepared([person for person in persons if person.pk is None]),
        Prepared(candidates, late={"person": _person_pk}),
        frozenset(person.pk for person in persons if person.pk is not None),
        rebasable=all(person.pk is None for person in persons)
        and not any("supersedes" in event.payload for stream in streams for event in stream),
        facts=facts,
        count_rows=counted,
        joins=plan_joins(joining),
    )


def _joining(
    items: Sequence[_Item],
    persons: Sequence[Person],
    candidates: Sequence[Candidate],
    facts: Sequence[Sequence[Fact]],
    recorded_by: int | None,
) -> list[Joining]:
    """The approved files new to the member roster (fazhan.imports.joining)."""
    return [
        entry
        for item, person, candidate, found in zip(items, persons, candidates, facts, strict=True)
        if candidate.approved_on is not None
        and person.pk is None
        and not item.person_fields.get(document.CHANGES)
        and joins_plainly(entry := Joining(person, candidate, found, recorded_by))
    ]


def _summary_rows(
    item: _Item, person: Person, candidate: Candidate, chain: Sequence[_Planned]
) -> list[count_summary.Row] | None:
    """The file's counts summary rows as `sync_summary` will judge them once it is written; None
    for a person already on file or one with dated changes (their history is read at the write)."""
    if person.pk is not None or item.person_fields.get(document.CHANGES):
        return None
    row = (
        0,
        item.org.pk,
        candidate.policy,
        None,
        person.sex,
        person.birth_date,
        person.education,
        person.occupations,
        person.frontline,
        person.graduation_date,
        person.leaving_date,
    )
    return count_summary.planned_rows(row, chain)


def _person_pk(candidate: Candidate) -> Any:
    """The candidate's person's id, known once the people are inserted (a function, not a
    lambda, so that a kept plan can be pickled)."""
    return candidate.person.pk


def _rebase(plan: _Plan, head_seq: int) -> None:
    """Move a rebasable plan to a chain head that has moved since it was made: its events get
    seqs later by the same amount. The engine's verdict does not depend on the seqs (events are
    ordered by date and position, and no event names another), so only each file's `head_seq`
    changes, in the objects and in the rows converted for the insert."""
    delta = head_seq - plan.head_seq
    connection = connections[Candidate.objects.db]
    rows = plan.candidate_rows
    column = next(
        (index for index, field in enumerate(rows.fields) if field.name == "head_seq"), None
    )
    for index, candidate in enumerate(plan.candidates):
        if candidate.head_seq is not None:
            candidate.head_seq += delta
        if column is not None:
            field = rows.fields[column]
            rows.rows[index][column] = field.get_db_prep_save(candidate.head_seq, connection)
    plan.head_seq = head_seq


def _rosters_unchanged(rosters: Sequence[_Roster]) -> bool:
    """The rosters `_plan` read still name the same members (read again under the lock)."""
    read = [roster for roster in rosters if roster.existing is not None]
    if not read:
        return True
    now: dict[int, dict[str, int]] = {roster.org.pk: {} for roster in read}
    rows = Member.objects.filter(org__in=list(now), active=True).order_by("pk")
    for org_id, pk, name in rows.values_list("org_id", "pk", "name"):
        now[org_id].setdefault(name, pk)
    return all(now[roster.org.pk] == roster.existing for roster in read)


def _write(user: User | None, plan: _Plan) -> list[Candidate]:
    """Write a `_plan` in the caller's transaction, with the chain head locked: the people, the
    members the files named first, the files, then every event on the chain in one append.
    What `_plan` read is checked again under the lock (the head, the rosters, the ID numbers on
    file, the right to write); if anything moved, the plan is made again, under the lock."""
    head = append_events_bulk([])  # locks the head until commit
    if user is not None:
        # The right to write, once per branch: it may have ended since the plan was made.
        mine = authority(user)
        first: dict[int, int] = {}
        for position, item in enumerate(plan.items):
            first.setdefault(item.org.pk, position)
        for org_id, position in first.items():
            if not mine.may_write(org_id):
                raise _ItemRefused(position, ActionRefused(_("无权向该党支部导入")))
    rosters_unchanged = _rosters_unchanged(plan.rosters)
    if head.seq != plan.head_seq and rosters_unchanged and plan.rebasable:
        _rebase(plan, head.seq)
    if head.seq != plan.head_seq or not rosters_unchanged:
        for roster in plan.rosters:
            roster.existing = None
        plan = _plan(user, _items_again(plan), head.seq)
    elif _reapplications(list(plan.persons)) != plan.persons:
        # Someone's file opened or ended since the plan: make it again, under the lock.
        plan = _plan(user, _items_again(plan), head.seq)
    ids: dict[int, int] = {}
    pending = [(key, member) for roster in plan.rosters for key, member in roster.pending.items()]
    if pending:
        Member.objects.bulk_create([member for _key, member in pending], batch_size=500)
        ids = {key: member.pk for key, member in pending}
    try:
        # The rows were converted by `_plan`: under the lock they are only sent.
        plan.person_rows.insert()
    except IntegrityError:
        raise _ItemRefused(0, ActionRefused(_("人员信息不符合数据库约束"))) from None
    plan.candidate_rows.insert()
    expected = plan.head_seq + sum(len(stream) for stream in plan.streams)

    def events() -> Iterator[EncodedEvent]:
        for candidate, stream in zip(plan.candidates, plan.streams, strict=True):
            yield _opening(stream[0], candidate)
            for planned in stream[1:]:
                event = planned
                if ids:
                    replaced = _with_members(event.payload, ids)
                    if replaced is not None:
                        event = _reencoded(event, replaced)
                yield event.with_candidate(candidate.pk)

    try:
        moved = append_events_bulk(events())
    except ChainError as error:
        raise _ItemRefused(0, ActionRefused(str(error))) from None
    if moved.seq != expected:  # a guard: the head was locked, nothing else could append
        raise ChainError(f"chain head at {moved.seq}, expected {expected}")
    _apply_changes(user, plan)
    # The counts summary the plan worked out, written here instead of judged again from the chain.
    planned = [
        (candidate.pk, rows)
        for candidate, rows in zip(plan.candidates, plan.count_rows, strict=True)
        if rows is not None
    ]
    count_summary.insert_rows([(pk, *row[1:]) for pk, rows in planned for row in rows])
    with count_summary.rows_written(pk for pk, _rows in planned):
        projected(plan.candidates)
    _follow_after_commit(plan)
    return plan.candidates


def _follow_after_commit(plan: _Plan) -> None:
    """The roster follows the files the committee approved (docs/members.md), once the import is
    committed, never holding the import's lock. The files new to the roster join it from the
    rows the plan prepared (fazhan.imports.joining); any other new person's file from the facts
    the plan found (`follow_records`, as `follow_roster` would after reading each file back and
    judging it again); a file with dated changes or of a person already on file, or one that
    moved since the write, is read back by `follow_roster` itself."""
    planned: list[tuple[int, int | None, RecordFacts]] = []
    again: list[int] = []
    for item, person, candidate, facts in zip(
        plan.items, plan.persons, plan.candidates, plan.facts, strict=True
    ):
        if candidate.approved_on is None:
            continue
        if facts and not _known(plan, person) and not item.person_fields.get(document.CHANGES):
            entry = RecordFacts(
                candidate_id=candidate.pk,
                person=person,
                org_id=candidate.org_id,
                facts=facts,
                admitted_on=candidate.admitted_on,
                recorded_by_id=plan.user_id,
            )
            planned.append((candidate.pk, candidate.head_seq, entry))
        else:
            again.append(candidate.pk)
    if planned or again:
        transaction.on_commit(partial(_follow_planned, planned, again, plan.joins))


def _follow_planned(
    planned: Sequence[tuple[int, int | None, RecordFacts]],
    again: list[int],
    joins: Joins | None = None,
) -> None:
    if joins is not None and joins.joining and _join(joins):
        joined = {entry.candidate.pk for entry in joins.joining}
        planned = [entry for entry in planned if entry[0] not in joined]
    for start in range(0, len(planned), 500):
        part = planned[start : start + 500]
        with transaction.atomic():
            locked = Candidate.objects.select_for_update().filter(pk__in=[p[0] for p in part])
            heads = dict(locked.values_list("pk", "head_seq"))
            follow_records([entry for pk, head, entry in part if heads.get(pk) == head])
            again.extend(pk for pk, head, _entry in part if heads.get(pk) != head)
    if again:
        follow_roster(again)


def _join(joins: Joins) -> bool:
    """The files new to the roster join it from the plan's rows, in one short transaction, if
    none has moved since the write (each still at the `head_seq` the plan gave it); False,
    writing nothing, otherwise (`follow_records` then takes them)."""
    with transaction.atomic():
        wanted = {entry.candidate.pk: entry.candidate.head_seq for entry in joins.joining}
        ids = sorted(wanted)
        for start in range(0, len(ids), 500):
            locked = Candidate.objects.select_for_update().filter(pk__in=ids[start : start + 500])
            if any(wanted[pk] != head for pk, head in locked.values_list("pk", "head_seq")):
                return False
        return write_joins(joins)


def _items_again(plan: _Plan) -> Sequence[_Item]:
    """The items to make `plan` again from: its own, or for a kept plan (no ID numbers in
    clear) the batch's rows read again."""
    return plan.fresh_items() if plan.fresh_items is not None else plan.items


def _apply_changes(user: User | None, plan: _Plan) -> None:
    """A new person's dated changes from the file (`person.changes`): kept once the person is
    on file, then the file is judged again with them (few files carry any)."""
    today = dates.today()
    for item, person, candidate in zip(plan.items, plan.persons, plan.candidates, strict=True):
        changes = item.person_fields.get(document.CHANGES)
        if not changes or candidate.person_id != person.pk or _known(plan, person):
            continue
        for kind, day, payload in _store_changes(person, changes, user, today):
            append_event(
                kind=kind,
                candidate_id=candidate.pk,
                happened_on=day,
                payload=payload,
                recorded_by_id=plan.user_id,
            )
        project(candidate)


def _known(plan: _Plan, person: Person) -> bool:
    """A re-application's person was on file before: their history is theirs, not the file's."""
    return person.pk in plan.known_ids


def _store_changes(
    person: Person, changes: Sequence[Mapping[str, Any]], user: User | None, today: date
) -> list[tuple[str, date | None, dict[str, Any]]]:
    """A new person's dated changes from the file (`person.changes`, read by parse_document):
    the file's own fields become the base, each change a dated row; the person's columns become
    the attributes in force today. Returns the chain events recording them."""
    from fazhan.people import attributes
    from fazhan.people.intake import CHANGE_KIND

    recorder = user.pk if user is not None else None
    rows = [
        AttributeChange(
            person=person,
            effective_on=None,
            values=attributes.stored(attributes.current_values(person)),
            recorded_by_id=recorder,
        ),
        *(
            AttributeChange(
                person=person,
                effective_on=document.as_date(change["date"]),
                values={k: v for k, v in change.items() if k in attributes.FILE_FIELDS},
                reason=_("导入档案中的信息变更"),
                recorded_by_id=recorder,
            )
            for change in changes
        ),
    ]
    for row in rows:
        row.save()
    person._attribute_changes = attributes.ordered(rows)
    for key, value in attributes.attributes_on(person, today).items():
        setattr(person, key, value)
    person.save(update_fields=list(attributes.FIELDS))
    return [
        (
            CHANGE_KIND,
            row.effective_on,
            {"person_id": person.pk, "change_id": row.pk, "fields": sorted(row.values)},
        )
        for row in rows[1:]
    ]


def _opening(event: EncodedEvent, candidate: Candidate) -> EncodedEvent:
    """The file's opening event with its person's id, known once the people are inserted: an
    integer added to a payload checked when it was planned (`encode_event`), so only encoded
    again, as the chain encodes it."""
    payload = {**event.payload, "person_id": candidate.person_id}
    return EncodedEvent(
        event.kind,
        candidate.pk,
        event.happened_on,
        payload,
        _payload_json(payload),
        event.recorded_by_id,
        event.recorded_at,
    )


def _reencoded(event: EncodedEvent, payload: dict[str, Any]) -> EncodedEvent:
    return encode_event(
        NewEvent(event.kind, None, event.happened_on, payload, event.recorded_by_id)
    )


def _import_candidates(user: User | None, items: Sequence[_Item]) -> list[Candidate]:
    """Import `items` once the user's right to write to each branch is established: `_plan`
    then `_write`. Must run inside a transaction (all or nothing)."""
    return _write(user, _plan(user, items, read_head().seq))


# -- batches --------------------------------------------------------------------------------------


def _check_scope(user: User, org: Organization) -> None:
    if not authority(user).may_write(org.pk):
        raise Http404(_("没有这个组织"))


def _store(
    user: User,
    *,
    org: Organization,
    kind: str,
    source: str,
    rows: Sequence[preview.DraftRow],
    file_errors: Sequence[str] = (),
    ignored: Sequence[str] = (),
) -> ImportBatch:
    summary = preview.summarize(rows)
    if ignored:
        summary["ignored_columns"] = list(ignored)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            uploaded_by_id=user.pk,
            org=org,
            kind=kind,
            source_name=source[:255],
            row_count=len(rows),
            error_count=sum(len(r.errors) for r in rows),
            error_rows=sum(1 for r in rows if r.errors),
            finding_count=sum(r.finding_count for r in rows),
            file_errors=list(file_errors),
            summary=summary,
        )
        ImportRow.objects.bulk_create(
            (
                ImportRow(
                    batch=batch,
                    number=row.number,
                    label=row.label,
                    data=row.data,
                    errors=row.errors,
                    warnings=row.warnings,
                    has_errors=bool(row.errors),
                    finding_count=row.finding_count,
                )
                for row in rows
            ),
            batch_size=500,
        )
    return batch


def do_preview_roster(user: User, *, org: Organization, filename: str, data: bytes) -> ImportBatch:
    """Read a roster (.xlsx or .csv) whose branches lie in `org`'s subtree into a draft batch."""
    _check_scope(user, org)
    today = dates.today()
    try:
        table = read_table(filename, data)
    except TableError as error:
        return _store(
            user,
            org=org,
            kind=BatchKind.ROSTER,
            source=filename,
            rows=[],
            file_errors=[error.problem],
        )
    # Parsing and judging happen outside the transaction: a 10,000-row preview must not hold
    # the database's write lock while it reads (SQLite IMMEDIATE transactions).
    rows = preview.roster_rows(user, org, table, today)
    batch = _store(
        user, org=org, kind=BatchKind.ROSTER, source=filename, rows=rows, ignored=table.ignored
    )
    _prepare(user, batch)
    return batch


def do_preview_files(
    user: User, *, org: Organization, uploads: Sequence[tuple[str, bytes]]
) -> ImportBatch:
    """Read candidate files (.json, or .zip of them) for branch `org` into a draft batch."""
    _check_scope(user, org)
    if org.kind != Kind.BRANCH:
        raise ActionRefused(_("档案文件只能导入到党支部"))
    entries, problems = preview.expand_uploads(uploads)
    if not entries and not problems:
        problems = [_("没有找到档案文件（.json）")]
    rows = preview.file_rows(user, org, entries, dates.today())
    source = "、".join(name for name, _data in uploads)
    batch = _store(
        user, org=org, kind=BatchKind.FILES, source=source, rows=rows, file_errors=problems
    )
    _prepare(user, batch)
    return batch


class _RowRefused(Exception):
    def __init__(self, row: Any, reason: str) -> None:
        super().__init__(reason)
        self.row = row
        self.reason = reason


def plan_drafts(
    user: User | None,
    drafts: Sequence[Mapping[str, Any]],
    rows: Sequence[Any],
    source: str = "",
    progress: Progress | None = None,
) -> _Plan:
    """Prepare the candidates of previewed rows (`DraftRow.data`) without writing anything, out
    of any transaction; a refused row raises _RowRefused naming `rows[i]`. `progress` hears the
    steps done, of 2 × len(rows). Used by the import pages' batches and by `fazhan import
    roster|files` (user None: the operator, who may write to every branch), so both apply
    alike; `write_drafts` then writes the plan in one short transaction."""
    items = _draft_items(user, drafts, rows, source)
    try:
        return _plan(user, items, read_head().seq, progress)
    except _ItemRefused as refused:
        raise _RowRefused(rows[refused.position], str(refused.refusal)) from None


def _draft_items(
    user: User | None, drafts: Sequence[Mapping[str, Any]], rows: Sequence[Any], source: str
) -> list[_Item]:
    """The items of previewed rows, their ID numbers decrypted (`plan_drafts`)."""
    orgs = Organization.objects.in_bulk({d["org_id"] for d in drafts})
    # The right to write is checked again now, once per branch (it may have ended since the
    # preview); each branch's roster is read once for all its rows.
    rosters = {
        pk: _Roster(org)
        for pk, org in orgs.items()
        if user is None or authority(user).may_write(pk)
    }
    items: list[_Item] = []
    for data, row in zip(drafts, rows, strict=True):
        token = (data.get("id") or {}).get("token")
        roster = rosters.get(data["org_id"])
        if roster is None:
            raise _RowRefused(row, _("无权向该党支部导入"))
        items.append(
            _Item(
                roster.org,
                data["person"],
                crypto.decrypt(token) if token else None,
                data["events"],
                data.get("policy"),
                roster,
                source,
            )
        )
    return items


def write_drafts(user: User | None, plan: _Plan, rows: Sequence[Any]) -> list[Candidate]:
    """Write a `plan_drafts` plan inside the caller's transaction; a row refused now (an ID
    number put on file since the plan, the right to write ended) raises _RowRefused."""
    try:
        return _write(user, plan)
    except _ItemRefused as refused:
        raise _RowRefused(rows[refused.position], str(refused.refusal)) from None


def apply_drafts(
    user: User | None,
    drafts: Sequence[Mapping[str, Any]],
    rows: Sequence[Any],
    source: str = "",
) -> list[Candidate]:
    """`plan_drafts` then `write_drafts`, both inside the caller's transaction."""
    return write_drafts(user, plan_drafts(user, drafts, rows, source), rows)


def _locked_draft(user: User, batch: ImportBatch | int, *, lock: bool = True) -> ImportBatch:
    pk = batch if isinstance(batch, int) else batch.pk
    batches = ImportBatch.objects.visible_to(user)
    found = (batches.select_for_update() if lock else batches).filter(pk=pk).first()
    if found is None:
        raise Http404(_("没有找到该导入批次。"))
    if found.uploaded_by_id != user.pk:
        raise ActionRefused(_("只有上传人可以确认或放弃这一批"))
    if found.status != BatchStatus.DRAFT:
        raise ActionRefused(
            _("这一批的状态是「%(status)s」，不能再操作") % {"status": found.get_status_display()}
        )
    return found


def _ready(batch: ImportBatch) -> None:
    if batch.has_errors:
        raise ActionRefused(_("预览中仍有错误，改正文件后重新上传；本批未导入任何内容"))
    if not batch.row_count:
        raise ActionRefused(_("没有可导入的行"))


# What a confirmation tells its caller as it goes: the phase (JobState) and the steps done.
PhaseProgress = Callable[[str, int], None]


@contextmanager
def _cycles_uncollected() -> Iterator[None]:
    """Pause Python's cycle collector: a confirmation makes hundreds of thousands of objects
    (the plan, the rows, the events) that live until it ends and hold no cycles, and the
    collector's full passes over them, found nothing to free, cost about a fifth of a kept
    plan's confirmation (bench/bench_import.py). Reference counting frees everything as usual;
    the collector runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def do_apply_batch(
    user: User,
    batch: ImportBatch | int,
    progress: PhaseProgress | None = None,
    *,
    by_worker: bool = False,
) -> ImportBatch:
    """Create everything the preview showed: all rows or none (`_apply_batch`)."""
    with _cycles_uncollected():
        return _apply_batch(user, batch, progress, by_worker=by_worker)


def _apply_batch(
    user: User,
    batch: ImportBatch | int,
    progress: PhaseProgress | None = None,
    *,
    by_worker: bool = False,
) -> ImportBatch:
    """Create everything the preview showed: all rows or none.

    Candidate files are prepared first, outside any transaction (people, ID numbers encrypted
    and indexed, projections, chain events encoded: the slow part), then written in one short
    transaction that locks the batch and the chain head and checks again what the preparation
    read. Organization trees and member rosters are judged again and written in one transaction.
    `progress` (the queued confirmation's) hears ("preparing", steps done) then ("writing", 0);
    while a confirmation is queued or running, only the worker's (`by_worker`) proceeds."""
    pk = batch if isinstance(batch, int) else batch.pk
    draft = _locked_draft(user, pk, lock=False)
    _ready(draft)
    if draft.job_running and not by_worker:
        raise ActionRefused(_("这一批已在导入中，请等待完成"))
    plan: _Plan | None = None
    sheet: _SheetPlan | None = None
    kept_data: list[Any] | None = None
    found = _kept_plan(user, draft) if draft.kind not in SHEET_KINDS else None
    if found is not None:
        plan, rows, kept_data = found
    else:
        rows = list(draft.rows.order_by("number"))
    try:
        if draft.kind in SHEET_KINDS:
            sheet = _plan_sheet(user, draft, rows)
        elif plan is None:
            step = (lambda done: progress("preparing", done)) if progress is not None else None
            plan = plan_drafts(
                user, [row.data for row in rows], rows, source=str(draft.kind), progress=step
            )
        if kept_data is None:
            kept_data = _kept_data(draft, rows)
        if progress is not None:
            progress("writing", 0)
        with transaction.atomic():
            locked = _locked_draft(user, pk)
            _ready(locked)
            candidates: Sequence[Candidate | None] = [None] * len(rows)
            if locked.kind in SHEET_KINDS:
                _apply_sheet(user, locked, rows, sheet)
            elif plan is not None:
                candidates = write_drafts(user, plan, rows)
            _link_rows(rows, candidates, kept_data)
            kept.drop(locked.pk)
            locked.status = BatchStatus.APPLIED
            locked.applied_at = timezone.now()
            locked.job = JobState.NONE
            locked.save(update_fields=["status", "applied_at", "job"])
    except _RowRefused as refused:
        _keep_refusal(refused)
        raise ActionRefused(
            _("%(row)s：%(reason)s。本批未导入任何内容。")
            % {"row": refused.row.label, "reason": refused.reason}
        ) from None
    return locked


def _kept_data(batch: ImportBatch, rows: Sequence[ImportRow]) -> list[Any]:
    """What each row keeps once applied, converted for the database before the write."""
    return _converted([_reduced(str(batch.kind), row.data) for row in rows])


def _reduced(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """What a row keeps once applied. Principle 8: once the person holds the number, the batch
    keeps only the mask, and of the birth date (sealed in the people table) only the year; a
    sheet row drops the token."""
    kept = dict(data)
    secret = kept.get("id")
    if kind in SHEET_KINDS:
        kept.pop("id", None)
    elif secret:
        kept["id"] = {"masked": secret.get("masked", "")}
    person = kept.get("person")
    if isinstance(person, dict) and person.get("birth_date"):
        kept["person"] = {**person, "birth_date": str(person["birth_date"])[:4]}
    return kept


def _converted(values: Sequence[Any]) -> list[Any]:
    """Rows' data converted for the database; a value kept converted already (a str: the JSON
    text SQLite takes) as it is."""
    field = ImportRow._meta.get_field("data")
    connection = connections[ImportRow.objects.db]
    return [v if isinstance(v, str) else field.get_db_prep_save(v, connection) for v in values]


def _kept_values(batch: ImportBatch, rows: Sequence[ImportRow]) -> list[Any]:
    """`_kept_data` as a kept plan holds it: converted where the database takes the JSON as
    text (SQLite), else the data itself (PostgreSQL's adapter is converted at the write)."""
    reduced = [_reduced(str(batch.kind), row.data) for row in rows]
    converted = _converted(reduced)
    return converted if all(isinstance(v, str) for v in converted) else list(reduced)


def _link_rows(
    rows: Sequence[ImportRow], candidates: Sequence[Candidate | None], kept: Sequence[Any]
) -> None:
    """Link each row to its file and keep its reduced data: one UPDATE by primary key per row
    through `executemany`, the values converted beforehand (`_kept_data`)."""
    connection = connections[ImportRow.objects.db]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(ImportRow._meta.db_table)} SET {quote('candidate_id')} = %s, "
        f"{quote('data')} = %s WHERE {quote('id')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (candidate.pk if candidate is not None else None, data, row.pk)
                for row, candidate, data in zip(rows, candidates, kept, strict=True)
            ],
        )


def queued(batch: ImportBatch) -> bool:
    """A page confirmation of more than FAZHAN_IMPORT_QUEUE_ROWS rows goes to the worker."""
    return batch.row_count > settings.FAZHAN_IMPORT_QUEUE_ROWS


def do_queue_batch(user: User, batch: ImportBatch | int) -> ImportBatch:
    """Queue the confirmation of a draft for `fazhan worker` (fazhan.imports.tasks): the same
    checks as `do_apply_batch` now, the work later; a second request while it is queued or
    running is refused."""
    from fazhan.imports.tasks import confirm_batch

    with transaction.atomic():
        locked = _locked_draft(user, batch)
        _ready(locked)
        if locked.job_running:
            raise ActionRefused(_("这一批已在导入中，请等待完成"))
        locked.job = JobState.QUEUED
        locked.job_done = 0
        locked.job_total = 2 * locked.row_count if locked.kind not in SHEET_KINDS else 0
        locked.job_message = ""
        locked.job_at = timezone.now()
        locked.save(update_fields=["job", "job_done", "job_total", "job_message", "job_at"])
        # The database backend's task row commits with the state, or neither does.
        confirm_batch.enqueue(locked.pk, user.pk)
    return locked


def _keep_refusal(refused: _RowRefused) -> None:
    """The rollback undid the batch; the reason goes on the row, so the preview names it and the
    confirmation stays disabled until a corrected file is uploaded."""
    with transaction.atomic():
        row = ImportRow.objects.select_for_update().get(pk=refused.row.pk)
        row.errors = [*row.errors, {"column": "", "cell": "", "problem": refused.reason}]
        row.has_errors = True
        row.save(update_fields=["errors", "has_errors"])
        batch = ImportBatch.objects.select_for_update().get(pk=row.batch_id)
        batch.error_count += 1
        batch.error_rows = batch.rows.filter(has_errors=True).count()
        batch.save(update_fields=["error_count", "error_rows"])
        kept.drop(batch.pk)


def do_discard_batch(user: User, batch: ImportBatch | int) -> ImportBatch:
    """Give up a draft: its rows (personal data of people never created) are deleted."""
    if isinstance(batch, ImportBatch) and batch.kind in SHEET_KINDS:
        district_org(user)
    with transaction.atomic():
        locked = _locked_draft(user, batch)
        locked.rows.all().delete()
        kept.drop(locked.pk)
        locked.status = BatchStatus.DISCARDED
        locked.save(update_fields=["status"])
    return locked


# -- the organization tree and the party members (contracts.md §7) --------------------------------


def district_org(user: User) -> Organization:
    """The organization of the user's district-staff role: only the 区委组织部 imports the tree
    and the member rosters of the whole district; anyone else gets 404."""
    from fazhan.accounts.models import RoleKind

    roots = authority(user).roots(RoleKind.DISTRICT_STAFF)
    if not roots:
        raise Http404(_("没有这个页面"))
    return Organization.objects.get(pk=roots[0])


def _cell(value: Any) -> Any:
    """A cell as the batch stores it (JSON): a date as YYYY-MM-DD, which the readers read back
    to the same day; a date with a time keeps it, and stays the error it was."""
    if isinstance(value, datetime) and value.time() != datetime.min.time():
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()[:10]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def do_preview_sheet(user: User, *, kind: str, filename: str, data: bytes) -> ImportBatch:
    """Read an organization tree or a member roster into a draft batch: every row with its cells
    and the problems `fazhan import` reports, by the same reader and checks."""
    org = district_org(user)
    schema = orgtree.SCHEMA if kind == BatchKind.ORGS else members.SCHEMA
    try:
        table = read_table(filename, data, schema)
    except TableError as error:
        return _store(
            user, org=org, kind=kind, source=filename, rows=[], file_errors=[error.problem]
        )
    rows: list[preview.DraftRow] = []
    if kind == BatchKind.ORGS:
        plan = orgtree.plan_orgs(table)
        counts = orgtree.counts(plan)
        for parsed in plan.rows:
            rows.append(_sheet_row(parsed.number, parsed.cells, parsed.errors))
    else:
        member_plan = members.plan_members(table, today=dates.today())
        counts = members.counts(member_plan)
        id_column = table.columns.get("id_number")
        for member in member_plan.rows:
            row = _sheet_row(member.number, member.cells, member.errors)
            if id_column is not None and id_column.index < len(row.data["cells"]):
                # Principle 8: the batch keeps the token and the mask, never the number.
                raw = row.data["cells"][id_column.index]
                row.data["cells"][id_column.index] = idnumber.mask(str(raw)) if raw else raw
                if raw:
                    row.data["id"] = {"token": crypto.encrypt(str(raw)), "index": id_column.index}
            rows.append(row)
    batch = _store(user, org=org, kind=kind, source=filename, rows=rows, ignored=table.ignored)
    batch.summary = {
        **batch.summary,
        "header_row": table.header_row,
        "columns": {k: [c.index, c.header, c.letter] for k, c in table.columns.items()},
        "counts": counts,
    }
    batch.save(update_fields=["summary"])
    return batch


def _sheet_row(number: int, cells: Sequence[Any], errors: Sequence[Mapping[str, Any]]) -> Any:
    return preview.DraftRow(
        number,
        _("第 %(n)d 行") % {"n": number},
        data={"cells": [_cell(c) for c in cells]},
        errors=[{k: v for k, v in e.items() if k != "row"} for e in errors],
    )


def _sheet_table(batch: ImportBatch, rows: Sequence[ImportRow]) -> Table:
    """The stored rows as the table `fazhan import` reads (ID numbers decrypted)."""
    summary = batch.summary or {}
    columns = {
        key: Located(index, header, letter)
        for key, (index, header, letter) in summary.get("columns", {}).items()
    }
    body = []
    for row in rows:
        cells = list(row.data.get("cells", []))
        secret = row.data.get("id")
        if secret:
            cells[secret["index"]] = crypto.decrypt(secret["token"])
        body.append((row.number, tuple(cells)))
    return Table(summary.get("header_row", 1), columns, [], body)


@dataclass
class _SheetPlan:
    """A member roster judged and prepared before the write transaction."""

    table: Table
    plan: members.MemberPlan
    prepared: members.PreparedMembers | None


def _plan_sheet(user: User, batch: ImportBatch, rows: Sequence[ImportRow]) -> _SheetPlan | None:
    """Member rosters are judged and their members built outside the transaction (the slow
    part: 50,000 rows); organization trees are judged inside it (`_apply_sheet`)."""
    district_org(user)
    if batch.kind != BatchKind.MEMBERS:
        return None
    table = _sheet_table(batch, rows)
    plan = members.plan_members(table, today=dates.today())
    prepared = None
    if not plan.errors:
        prepared = members.prepare_members(plan, recorded_by_id=user.pk, today=dates.today())
    return _SheetPlan(table, plan, prepared)


def _apply_sheet(
    user: User, batch: ImportBatch, rows: Sequence[ImportRow], ready: _SheetPlan | None
) -> None:
    """Judge the stored rows again inside the confirming transaction (the database may have
    changed since the preview) and apply them as `fazhan import --confirm` does; a member
    roster prepared by `_plan_sheet` is only checked to still read the same."""
    district_org(user)
    today = dates.today()
    if batch.kind == BatchKind.ORGS:
        plan = orgtree.plan_orgs(_sheet_table(batch, rows))
        problems = plan.errors
        if not problems:
            orgtree.apply_orgs(plan, recorded_by_id=user.pk, today=today)
    elif ready is not None and ready.prepared is not None and members.plan_is_current(ready.plan):
        problems = []
        members.write_members(ready.prepared)
    else:
        member_plan = members.plan_members(_sheet_table(batch, rows), today=today)
        problems = member_plan.errors
        if not problems:
            members.apply_members(member_plan, recorded_by_id=user.pk, today=today)
    if problems:
        first = problems[0]
        by_number = {row.number: row for row in rows}
        raise _RowRefused(
            by_number.get(first["row"], rows[0]), f"{first['column']}：{first['problem']}"
        )


# -- the kept plan (fazhan.imports.kept) ----------------------------------------------------------


def _prepare(user: User, batch: ImportBatch) -> None:
    """After a preview without errors, plan the confirmation now (`keep_plan`): in the request
    for a batch the page confirms at once, by the worker for one it queues."""
    if batch.has_errors or not batch.row_count:
        return
    if queued(batch):
        from fazhan.imports.tasks import prepare_batch

        prepare_batch.enqueue(batch.pk, user.pk)
        return
    try:
        keep_plan(user, batch)
    except Exception:
        # Planning ahead only saves time: the preview stands, the confirmation will plan.
        log.exception("import batch %s: planning ahead failed", batch.pk)


def keep_plan(user: User, batch: ImportBatch | int) -> bool:
    """Plan the confirmation of a draft roster or candidate-file batch and keep the plan with it,
    so that the confirmation only writes (docs/import.md, "The kept plan"). Writes nothing but
    the plan; False when there is nothing to keep (not a draft, errors, a row refused: the
    confirmation will plan and say why)."""
    pk = batch if isinstance(batch, int) else batch.pk
    try:
        draft = _locked_draft(user, pk, lock=False)
        _ready(draft)
    except (ActionRefused, Http404):
        return False
    if draft.kind in SHEET_KINDS:
        return False
    # The key is read before the plan: a change made while planning makes it stale, not wrong.
    key = kept.inputs_key(user.pk, draft, kept.batch_rows(draft), dates.today())
    rows = list(draft.rows.order_by("number"))
    try:
        plan = plan_drafts(user, [row.data for row in rows], rows, source=str(draft.kind))
    except _RowRefused:
        return False
    orgs = {row.data.get("org_id") for row in rows}
    packed = (_packed(plan), _kept_values(draft, rows))
    return kept.keep(pk, key, plan.head_seq, packed, orgs)


def _packed(plan: _Plan) -> dict[str, Any]:
    """The plan as it is kept (fazhan.imports.packing): the people and files as their fields,
    their rows converted for the insert, the events marshalled; the items without what only
    planning again reads (that is rebuilt from the batch's rows: `fresh_items`); the new
    members as their fields and rows too. Principle 8: no ID number in
    clear (the people hold their tokens), and the file's own fields and events are left out."""
    items = [
        replace(item, id_number=None, events=(), person_fields=_changes_only(item.person_fields))
        for item in plan.items
    ]
    light = replace(
        plan,
        items=items,
        persons=[],
        candidates=[],
        streams=[],
        person_rows=Prepared([]),
        candidate_rows=Prepared([]),
        joins=None,
    )
    return {
        "plan": light,
        "persons": [packing.fields_of(person) for person in plan.persons],
        "candidates": [packing.fields_of(candidate) for candidate in plan.candidates],
        "person_rows": packing.rows_of(plan.person_rows),
        "candidate_rows": packing.rows_of(plan.candidate_rows),
        "events": packing.events_blob(plan.streams),
        "joins": _packed_joins(plan),
    }


def _packed_joins(plan: _Plan) -> tuple[Any, ...] | None:
    """The plan's new members (fazhan.imports.joining) as `_packed` keeps them: each file by
    its position in the plan, the members and changes as their fields and converted rows, each
    change by its member's position."""
    joins = plan.joins
    if joins is None:
        return None
    files = {id(candidate): index for index, candidate in enumerate(plan.candidates)}
    members = {id(member): index for index, member in enumerate(joins.members.objs)}
    changes = [change for change in joins.changes.objs if isinstance(change, MemberChange)]
    return (
        [files[id(entry.candidate)] for entry in joins.joining],
        [packing.fields_of(member) for member in joins.members.objs],
        packing.rows_of(joins.members),
        [packing.fields_of(change) for change in changes],
        [members[id(change.member)] for change in changes],
        packing.rows_of(joins.changes),
    )


def _unpacked_joins(plan: _Plan, kept_joins: tuple[Any, ...] | None) -> Joins | None:
    if kept_joins is None:
        return None
    files, member_fields, member_rows, change_fields, owners, change_rows = kept_joins
    members = [packing.model_from(Member, fields) for fields in member_fields]
    for member, index in zip(members, files, strict=True):
        # As `plan_joins` left them: the person and the file not inserted yet.
        member._state.fields_cache.update(
            person=plan.persons[index], candidate=plan.candidates[index]
        )
    changes = [packing.model_from(MemberChange, fields) for fields in change_fields]
    for change, owner in zip(changes, owners, strict=True):
        change._state.fields_cache["member"] = members[owner]
    joining = [
        Joining(plan.persons[index], plan.candidates[index], plan.facts[index], plan.user_id)
        for index in files
    ]
    return Joins(
        joining,
        packing.prepared_from(members, member_rows),
        packing.prepared_from(changes, change_rows),
    )


def _changes_only(fields: Mapping[str, Any]) -> Mapping[str, Any]:
    changes = fields.get(document.CHANGES)
    return {document.CHANGES: changes} if changes else {}


def _unpacked(kept_plan: Any) -> tuple[_Plan, list[Any]] | None:
    """The `_packed` plan as `_write` takes it, with the rows' `_kept_values`; None for
    anything else."""
    if not isinstance(kept_plan, tuple) or len(kept_plan) != 2:
        return None
    packed, values = kept_plan
    plan = packed.get("plan") if isinstance(packed, dict) else None
    if not isinstance(plan, _Plan):
        return None
    persons = [packing.model_from(Person, fields) for fields in packed["persons"]]
    candidates = [packing.model_from(Candidate, fields) for fields in packed["candidates"]]
    for item, person, candidate in zip(plan.items, persons, candidates, strict=True):
        # As `Candidate(person=person, org=item.org)` left them in `_plan`.
        candidate._state.fields_cache.update(person=person, org=item.org)
    plan.persons = persons
    plan.candidates = candidates
    new = [person for person in persons if person.pk is None]
    plan.person_rows = packing.prepared_from(new, packed["person_rows"])
    plan.candidate_rows = packing.prepared_from(candidates, packed["candidate_rows"])
    plan.streams = packing.events_from(packed["events"])
    plan.joins = _unpacked_joins(plan, packed["joins"])
    return plan, values


def _kept_plan(user: User, batch: ImportBatch) -> tuple[_Plan, list[ImportRow], list[Any]] | None:
    """The plan kept since the preview, if nothing it was made from has changed (the key),
    with the batch's rows (`kept.batch_rows`: the data not decoded) and what each keeps once
    applied, converted for the database; what moves all the time (the head, the rosters, the
    ID numbers on file, the right to write) `_write` checks under the lock."""
    rows = kept.batch_rows(batch)
    key = kept.inputs_key(user.pk, batch, rows, dates.today())
    found = _unpacked(kept.take(batch.pk, key))
    if found is None or found[0].user_id != user.pk or len(found[1]) != len(rows):
        return None
    plan, values = found
    plan.fresh_items = partial(_fresh_items, user, batch.pk, str(batch.kind))
    return plan, rows, _converted(values)


def _fresh_items(user: User, batch_pk: int, source: str) -> Sequence[_Item]:
    """The items of a batch's rows, read again (a kept plan made again under the lock)."""
    rows = list(ImportRow.objects.filter(batch_id=batch_pk).order_by("number"))
    return _draft_items(user, [row.data for row in rows], rows, source)
