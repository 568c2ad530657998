"""The counts of an organization and of each organization directly below it, at a date, judged
from the record (contracts.md §8): the one function half-year and year-end reports, dashboards
and `fazhan report counts` call.

Unlike the live indicators (fazhan.plans.indicators, one aggregate over today's projection), a
count at a past date cannot read the projected columns: a file's stage, its organization and its
approval are those of the record as it stood at the end of `as_of`. The projection therefore keeps
a summary (fazhan.people.summary, fazhan.policy.spans): each file's judgement for every date at
once, as spans of dates. `report_counts` is two aggregate queries over it.

`recount_counts`, the reference the summary is tested against, judges every file by
fazhan.policy.counts from its events. The files are streamed: candidates in chunks of ids, with
their people's derived attributes in the same query, and the events of each chunk in one query
ordered by candidate (the chain's (candidate_id, seq) index) — never one query per candidate, and
never a name or an ID number (DESIGN principle 8).

Every file of the database is read, whatever organization it is in today: a file transferred out
of the subtree after `as_of` still counts where it stood then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, Sum

from fazhan.audit.models import Event as ChainEvent
from fazhan.orgs.models import Organization
from fazhan.people.attributes import changes_by_person, file_person
from fazhan.people.models import AttributeChange, Candidate, CountSpan
from fazhan.people.record import file_event
from fazhan.policy.counts import (
    NOTHING,
    POOL_STAGES,
    STAGES,
    AttributesAt,
    FileCount,
    file_count,
    static_attributes,
)
from fazhan.policy.model import CORRECT, EVENT_TYPES, FORMAT, Event, Person
from fazhan.policy.parse import Unreadable, parse_document
from fazhan.policy.targets import COUNT_KEYS, Counts

# The summary's flag columns (fazhan.people.summary), in COUNT_KEYS order.
FLAG_COLUMNS = tuple(key for key in COUNT_KEYS if key not in ("developed", "activists"))
UNREADABLE = "?"

CHUNK = 2000
# Where a file was opened or imported: the first event every do_create_candidate and
# do_import_candidate appends (payload org_id).
OPENED = "candidate.opened"
RECORD_KINDS = sorted(EVENT_TYPES)

# A person's attributes in force at each date (fazhan.policy.counts.AttributesAt), given the
# person's id and the file's person (with its dated changes). The default: `Person.on`.
AttributeSource = Callable[[int, Person], AttributesAt]


def _static(_person_id: int, person: Person) -> AttributesAt:
    return static_attributes(person)


@dataclass
class Tally:
    """Counts being added up for one organization."""

    counts: list[int] = field(default_factory=lambda: list(NOTHING))
    stages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))

    def add(self, part: FileCount) -> None:
        if part.stage is None:
            return
        self.stages[part.stage] += 1
        for index, flag in enumerate(part.flags):
            self.counts[index] += flag


@dataclass(frozen=True)
class OrgCounts:
    org: Organization
    counts: Counts
    stages: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {"org": self.org.code, "counts": self.counts.as_dict(), "stages": self.stages}


def _frozen(org: Organization, tally: Tally) -> OrgCounts:
    return OrgCounts(org, Counts(*tally.counts), dict(tally.stages))


@dataclass(frozen=True)
class CountsReport:
    """contracts.md §8's document; `unreadable` lists files whose record could not be read
    (none in a database written through the actions): they are not counted."""

    root: OrgCounts
    start: date
    as_of: date
    children: list[OrgCounts]
    unreadable: tuple[int, ...] = ()

    def as_json(self) -> dict[str, Any]:
        top = self.root.as_json()
        return {
            "org": top["org"],
            "from": self.start.isoformat(),
            "as_of": self.as_of.isoformat(),
            "counts": top["counts"],
            "stages": top["stages"],
            "children": [child.as_json() for child in self.children],
        }


class OrgIndex:
    """Every organization by id, code and name: where a transfer takes a file. The transfer
    actions record ids; a file imported from elsewhere names organizations by code or name."""

    def __init__(self, rows: Iterable[tuple[int, str, str]] | None = None) -> None:
        self.ids: set[int] = set()
        self.by_code: dict[str, int] = {}
        names: dict[str, list[int]] = {}
        if rows is None:
            rows = Organization.objects.values_list("pk", "code", "name")
        for pk, code, name in rows:
            self.ids.add(pk)
            self.by_code[code] = pk
            names.setdefault(name, []).append(pk)
        # A name shared by several organizations (第一党支部) identifies none of them.
        self.by_name = {name: pks[0] for name, pks in names.items() if len(pks) == 1}

    @classmethod
    def covering(
        cls, files: Iterable[Sequence[tuple[int, str, date | None, dict[str, Any]]]]
    ) -> OrgIndex:
        """Only the organizations these files' opening and transfer events may name (one query;
        every organization bearing a named name, so that a shared name still names none)."""
        ids: set[int] = set()
        texts: set[str] = set()
        for events in files:
            for _seq, _kind, _day, payload in events:
                # A correction's replacement may be a transfer too.
                inner = payload.get("replacement")
                for data in (payload, inner if isinstance(inner, dict) else {}):
                    for key in ("org_id", "from_org_id", "to_org_id"):
                        value = data.get(key)
                        if isinstance(value, int) and not isinstance(value, bool):
                            ids.add(value)
                    for key in ("from_org", "to_org"):
                        text = data.get(key)
                        if isinstance(text, str) and text.strip():
                            texts.add(text.strip())
        if not ids and not texts:
            return cls(())
        rows = Organization.objects.filter(
            Q(pk__in=ids) | Q(code__in=texts) | Q(name__in=texts)
        ).values_list("pk", "code", "name")
        return cls(rows)

    def find(self, org_id: Any, text: str | None) -> int | None:
        if isinstance(org_id, int) and org_id in self.ids:
            return org_id
        if text:
            key = text.strip()
            return self.by_code.get(key) or self.by_name.get(key)
        return None

    def destination(self, event: Event) -> int | None:
        return self.find(event.to_org_id, event.to_org)


# -- streaming the files --------------------------------------------------------------------------

_PERSON_COLUMNS = (
    "pk",
    "org_id",
    "policy",
    "person_id",
    "person__sex",
    "person__birth_date",
    "person__education",
    "person__occupations",
    "person__frontline",
    "person__graduation_date",
    "person__leaving_date",
)


def _candidate_chunks(chunk: int) -> Iterator[list[tuple[Any, ...]]]:
    """Candidates in id order, `chunk` at a time (keyset pagination: each chunk one indexed
    range read, however far into the table)."""
    last = 0
    while True:
        rows = list(
            Candidate.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list(*_PERSON_COLUMNS)[:chunk]
        )
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _events_by_candidate(
    first: int, last: int
) -> dict[int, list[tuple[int, str, date | None, dict[str, Any]]]]:
    """The record events and opening events of candidates `first`..`last`, in chain order. Every
    record event, whatever its date: a correction made by `as_of` may move an event dated after
    it to a day before (fazhan.policy.engine.effective_events decides what counts by then)."""
    rows = (
        ChainEvent.objects.filter(candidate_id__gte=first, candidate_id__lte=last)
        .filter(Q(kind__in=RECORD_KINDS) | Q(kind=OPENED))
        .order_by("candidate_id", "seq")
        .values_list("candidate_id", "seq", "kind", "happened_on", "payload")
    )
    found: dict[int, list[tuple[int, str, date | None, dict[str, Any]]]] = {}
    for candidate_id, seq, kind, happened_on, payload in rows:
        if candidate_id is not None:  # always, inside the range; the column is nullable
            found.setdefault(candidate_id, []).append((seq, kind, happened_on, payload))
    return found


def _origin(
    row: tuple[Any, ...],
    events: Sequence[tuple[int, str, date | None, dict[str, Any]]],
    orgs: OrgIndex,
) -> int:
    """Where the file was opened or imported; without an opening event (a bulk load), where its
    first transfer-in took it from, else where it is today."""
    for _seq, kind, _day, payload in events:
        if kind == OPENED:
            found = orgs.find(payload.get("org_id"), None)
            if found is not None:
                return found
    transfers = sorted(
        (day or date.max, seq, data) for seq, kind, day, data in events if kind == "transfer-in"
    )
    if transfers:
        payload = transfers[0][2]
        found = orgs.find(payload.get("from_org_id"), payload.get("from_org"))
        if found is not None:
            return found
    org_id: int = row[1]
    return org_id


def _document(
    row: tuple[Any, ...],
    events: Sequence[tuple[int, str, date | None, dict[str, Any]]],
    changes: Sequence[AttributeChange] = (),
) -> dict[str, Any]:
    """The file as a candidate document (fazhan.people.record.candidate_document's shape, without
    names or feedback, which no count reads)."""
    _pk, _org, policy, _pid, sex, born, education, occupations, frontline, graduated, left = row
    kept = [(seq, kind, day, payload) for seq, kind, day, payload in events if kind in EVENT_TYPES]
    # A correction of an `x-` event (which no count reads, and which the file leaves out) is left
    # out too, and so is one naming it: the file stays readable.
    while any(kind == CORRECT for _seq, kind, _day, _payload in kept):
        ids = {str(seq) for seq, *_ in kept}
        pruned = [e for e in kept if e[1] != CORRECT or str(e[3].get("supersedes")) in ids]
        if len(pruned) == len(kept):
            break
        kept = pruned
    return {
        "format": FORMAT,
        "policy": policy,
        # The attributes the file came with and their dated changes (contracts §8: those in
        # force at the date each count needs; fazhan.people.attributes).
        "person": file_person(
            {
                "sex": sex,
                "birth_date": born.isoformat(),
                "education": education or None,
                "occupations": list(occupations or []),
                "frontline": bool(frontline),
                "graduation_date": graduated.isoformat() if graduated else None,
                "leaving_date": left.isoformat() if left else None,
            },
            changes,
        ),
        "events": [file_event(seq, kind, day, payload, {}) for seq, kind, day, payload in kept],
    }


def file_counts(
    start: date,
    as_of: date,
    *,
    attributes: AttributeSource | None = None,
    orgs: OrgIndex | None = None,
    chunk: int = CHUNK,
    unreadable: list[int] | None = None,
) -> Iterator[tuple[int, FileCount]]:
    """Every file of the database with its part in the counts (fazhan.policy.counts.file_count),
    streamed. Files whose record cannot be read are skipped and their ids put in `unreadable`."""
    orgs = orgs or OrgIndex()
    source = attributes or _static
    for rows in _candidate_chunks(chunk):
        # Keyset chunks cover a contiguous id range; the events of the range are one query.
        events = _events_by_candidate(rows[0][0], rows[-1][0])
        changes = changes_by_person({row[3] for row in rows})
        for row in rows:
            mine = events.get(row[0], [])
            origin = _origin(row, mine, orgs)
            if not any(kind in EVENT_TYPES and _dated(day, as_of) for _s, kind, day, _p in mine):
                yield row[0], FileCount(None, origin)  # nothing dated by then: nothing to judge
                continue
            try:
                parsed = parse_document(_document(row, mine, changes.get(row[3], ())))
            except Unreadable:
                if unreadable is not None:
                    unreadable.append(row[0])
                continue
            yield (
                row[0],
                file_count(
                    parsed,
                    start=start,
                    as_of=as_of,
                    org=origin,
                    destination=orgs.destination,
                    attributes=source(row[3], parsed.person),
                ),
            )


def _dated(day: date | None, as_of: date) -> bool:
    return day is not None and day <= as_of


# -- rolling up -----------------------------------------------------------------------------------


def _child_of(root: Organization) -> dict[int, int | None]:
    """Every organization of the subtree (today's tree) → the child of `root` it sits under
    (None for the root itself)."""
    out: dict[int, int | None] = {}
    for org_id, path in Organization.objects.paths_under(root.pk).items():
        below = path[path.index(root.pk) + 1 :] if root.pk in path else []
        out[org_id] = below[0] if below else None
    return out


def report_counts(
    root: Organization,
    *,
    start: date,
    as_of: date,
    attributes: AttributeSource | None = None,
    chunk: int = CHUNK,
) -> CountsReport:
    """The counts of `root` and of each organization directly below it (in code order), as the
    files stood at the end of `as_of` (contracts.md §8): two aggregate queries over the summary
    the projection keeps (fazhan.people.summary). With `attributes` (another source of a
    person's attributes than the file), or before the summary was ever built, every file is
    judged again (`recount_counts`, the reference the summary is tested against)."""
    if attributes is not None or not _summarized():
        return recount_counts(root, start=start, as_of=as_of, attributes=attributes, chunk=chunk)
    group_of = _child_of(root)
    children = list(Organization.objects.filter(parent=root).order_by("code"))
    total = Tally()
    per_child: dict[int, Tally] = {child.pk: Tally() for child in children}

    def tallies(org_id: int | None) -> list[Tally]:
        if org_id not in group_of:
            return []
        child = group_of[org_id]
        return [total] if child is None else [total, per_child[child]]

    spans = CountSpan.objects.filter(valid_from__lte=as_of, valid_to__gt=as_of)
    if root.parent_id is not None:  # the whole tree needs no list of ids
        spans = spans.filter(org_id__in=list(group_of))
    activists = COUNT_KEYS.index("activists")
    for org_id, stage, n in spans.values_list("org_id", "stage").annotate(n=Count("*")):
        if stage not in STAGES:
            continue  # an approval's own row (its stage is on the file's row), or unreadable
        for tally in tallies(org_id):
            tally.stages[stage] += n
            if stage in POOL_STAGES:
                tally.counts[activists] += n
    sums = {column: Sum(column) for column in FLAG_COLUMNS}
    approved = (
        spans.filter(approved_on__gte=start, approved_on__lte=as_of, after__lt=start)
        .values("org_id")
        .annotate(n=Count("*"), **sums)
    )
    developed = COUNT_KEYS.index("developed")
    for line in approved:
        for tally in tallies(line["org_id"]):
            tally.counts[developed] += line["n"]
            for column in FLAG_COLUMNS:
                tally.counts[COUNT_KEYS.index(column)] += line[column] or 0
    unreadable = (
        CountSpan.objects.filter(stage=UNREADABLE, valid_from__lte=as_of)
        .order_by("candidate_id")
        .values_list("candidate_id", flat=True)
    )
    return CountsReport(
        root=_frozen(root, total),
        start=start,
        as_of=as_of,
        children=[_frozen(child, per_child[child.pk]) for child in children],
        unreadable=tuple(unreadable),
    )


def _summarized() -> bool:
    """The summary was built: some row, or no file at all (`fazhan summarize` after an
    upgrade; a file without any dated event has no row)."""
    return CountSpan.objects.exists() or not Candidate.objects.exists()


def recount_counts(
    root: Organization,
    *,
    start: date,
    as_of: date,
    attributes: AttributeSource | None = None,
    chunk: int = CHUNK,
) -> CountsReport:
    """`report_counts` the slow way, every file's record judged again: the reference."""
    group_of = _child_of(root)
    children = list(Organization.objects.filter(parent=root).order_by("code"))
    total = Tally()
    per_child: dict[int, Tally] = {child.pk: Tally() for child in children}
    unreadable: list[int] = []
    for _pk, part in file_counts(
        start, as_of, attributes=attributes, chunk=chunk, unreadable=unreadable
    ):
        if part.stage is None or part.org not in group_of:
            continue
        total.add(part)
        child = group_of[part.org]
        if child is not None:
            per_child[child].add(part)
    return CountsReport(
        root=_frozen(root, total),
        start=start,
        as_of=as_of,
        children=[_frozen(child, per_child[child.pk]) for child in children],
        unreadable=tuple(unreadable),
    )


def pool_at(days: Sequence[date], org_ids: Iterable[int] | None = None) -> dict[int, list[int]]:
    """The activist pool (files whose stage is `activist` or `target`, seed 三（一）) of each
    organization at the end of each of `days`, judged from the record as `report_counts` judges
    it: one aggregate query over the summary, a column per day."""
    if not days:
        return {}
    spans = CountSpan.objects.filter(
        stage__in=sorted(POOL_STAGES), valid_from__lte=max(days), valid_to__gt=min(days)
    )
    if org_ids is not None:
        spans = spans.filter(org_id__in=list(org_ids))
    columns = {
        f"d{index}": Count("pk", filter=Q(valid_from__lte=day, valid_to__gt=day))
        for index, day in enumerate(days)
    }
    found: dict[int, list[int]] = {}
    for line in spans.values("org_id").annotate(**columns).order_by():
        if line["org_id"] is not None:
            found[line["org_id"]] = [line[f"d{index}"] for index in range(len(days))]
    return found
