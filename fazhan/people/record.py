"""A candidate's record: the chain's events read as a candidate file, and the projection.

The payload of a step event is the contract's event (contracts.md §1) without `id`, `type` and
`date` (the chain's seq, kind and happened_on), and with contacts and introducers as member ids
plus the status snapshot the rules read, never names (DESIGN.md principle 8). The projection is
`fazhan.policy.evaluate` of that file, stored on the candidate row in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from django.utils import timezone

from fazhan.audit.chain import events_of
from fazhan.audit.models import Event as ChainEvent
from fazhan.core.dates import today
from fazhan.holidays.table import current_table
from fazhan.members.history import RecordFacts, follow_one, follow_records
from fazhan.orgs.models import Member
from fazhan.people.attributes import file_person, history
from fazhan.policy.calendar import add_months
from fazhan.policy.engine import Evaluation, effective_events, evaluate
from fazhan.policy.gaps import gap_keys
from fazhan.policy.membership import membership_facts
from fazhan.policy.mobility import departed_on
from fazhan.policy.model import EVENT_TYPES, FORMAT
from fazhan.policy.parse import parse_document
from fazhan.policy.signals import signals

MEMBER_LISTS = ("contacts", "introducers")


# Feedback on a public notice arrives after the notice was published, and the chain is append-only:
# each change of a feedback item's state is its own event, folded here into the notice's
# `feedback` list of the candidate file (contracts.md §1). Payload: {"notice_seq": the N-* event's
# seq, "feedback_id": the item's id in the notices app, "state": pending | unfounded |
# founded_minor | upheld}. The item's `date` is its first event's date; `resolved` is the date of
# the event that gave it its last closing state. No feedback text is ever in the chain.
FEEDBACK_KIND = "notice.feedback"
CLOSING_STATES = frozenset({"unfounded", "founded_minor", "upheld"})


class RecordEvent(Protocol):
    """What the record reads of a chain event (an Event row, or one an import is planning)."""

    @property
    def seq(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def happened_on(self) -> date | None: ...
    @property
    def payload(self) -> Any: ...


def is_record_kind(kind: str) -> bool:
    """Chain events that belong to the candidate file (others are internal: notices, meetings)."""
    return kind in EVENT_TYPES or kind.startswith("x-")


def fold_feedback(chain: Iterable[RecordEvent]) -> dict[int, list[dict[str, Any]]]:
    """Feedback items per notice seq, as the file's `feedback` lists, in order of arrival."""
    items: dict[int, dict[int, dict[str, Any]]] = {}
    for event in chain:
        if event.kind != FEEDBACK_KIND:
            continue
        notice, item = event.payload.get("notice_seq"), event.payload.get("feedback_id")
        if not isinstance(notice, int) or not isinstance(item, int):
            continue
        state = event.payload.get("state", "pending")
        entry = items.setdefault(notice, {}).setdefault(
            item, {"date": _iso(event.happened_on), "resolved": None, "outcome": "pending"}
        )
        entry["outcome"] = state
        entry["resolved"] = _iso(event.happened_on) if state in CLOSING_STATES else None
    return {notice: list(entries.values()) for notice, entries in items.items()}


def person_document(person: Any) -> dict[str, Any]:
    """The file's `person`: the attributes it came with and its dated changes, if any
    (fazhan.people.attributes)."""
    return file_person(_person_fields(person), history(person))


def _person_fields(person: Any) -> dict[str, Any]:
    return {
        "ref": person.ref or None,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "ethnicity": person.ethnicity or None,
        "education": person.education or None,
        "occupations": list(person.occupations or []),
        "frontline": bool(person.frontline),
        "graduation_date": _iso(person.graduation_date),
        "leaving_date": _iso(person.leaving_date),
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def file_event(
    seq: int,
    kind: str,
    happened_on: date | None,
    payload: Mapping[str, Any],
    names: Mapping[int, str],
) -> dict[str, Any]:
    """One chain event as a candidate-file event; member ids become names only here."""
    event: dict[str, Any] = {"id": str(seq), "type": kind, "date": _iso(happened_on)}
    for key, value in payload.items():
        if key in MEMBER_LISTS:
            event[key] = [
                {
                    "name": names.get(item.get("member_id") or 0),
                    "status": item.get("status"),
                    "discipline": item.get("discipline"),
                    "rights_restored": bool(item.get("rights_restored")),
                }
                for item in value
            ]
        elif key == "replacement" and isinstance(value, Mapping):
            replacement = dict(value)
            inner = file_event(0, replacement.pop("type"), None, replacement, names)
            inner.pop("id")
            inner["date"] = replacement.get("date")
            event[key] = inner
        elif key not in ("reason",):
            event[key] = value
    return event


def member_names(payloads: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    ids = {
        item["member_id"]
        for payload in payloads
        for key in MEMBER_LISTS
        for item in payload.get(key, ())
        if item.get("member_id")
    }
    for payload in payloads:
        replacement = payload.get("replacement")
        if isinstance(replacement, Mapping):
            for key in MEMBER_LISTS:
                ids.update(i["member_id"] for i in replacement.get(key, ()) if i.get("member_id"))
    if not ids:
        return {}
    return dict(Member.objects.filter(pk__in=ids).values_list("pk", "name"))


def candidate_document(
    candidate: Any,
    events: Sequence[RecordEvent] | None = None,
    as_of: date | None = None,
    names: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """The candidate's whole record in the contract's format (export, check, projection).
    `names` (member id to name) spares the query when the caller knows them (an import)."""
    chain = events if events is not None else events_of(candidate.pk)
    mine = [e for e in chain if is_record_kind(e.kind)]
    if names is None:
        names = member_names([e.payload for e in mine])
    feedback = fold_feedback(chain)
    file_events = []
    for e in mine:
        event = file_event(e.seq, e.kind, e.happened_on, e.payload, names)
        if e.seq in feedback:
            event["feedback"] = [*event.get("feedback", []), *feedback[e.seq]]
        file_events.append(event)
    return {
        "format": FORMAT,
        "policy": candidate.policy,
        "as_of": (as_of or today()).isoformat(),
        "person": person_document(candidate.person),
        "events": file_events,
    }


def evaluate_candidate(
    candidate: Any, events: list[ChainEvent] | None = None, as_of: date | None = None
) -> Evaluation:
    document = candidate_document(candidate, events, as_of)
    return evaluate(parse_document(document), table=current_table())


def roster_import_day(chain: Iterable[ChainEvent]) -> date | None:
    """The day the file was opened by a roster import (its findings may hold import gaps)."""
    for event in chain:
        if event.kind == "candidate.opened":
            return event.happened_on if event.payload.get("source") == "roster" else None
    return None


def apply_projection(
    candidate: Any, result: Evaluation, head_seq: int | None, imported_on: date | None = None
) -> None:
    """Copy an evaluation onto the candidate's projection columns (not saved). Findings that are
    import gaps of a roster import (`fazhan.policy.gaps`) are marked and not counted."""
    dates = result.dates
    candidate.stage = result.stage
    candidate.suspended = result.suspended
    candidate.applied_on = dates.applied_on
    candidate.activist_on = dates.activist_on
    candidate.target_on = dates.target_on
    candidate.admitted_on = dates.admitted_on
    candidate.approved_on = dates.approved_on
    candidate.converted_on = dates.converted_on
    candidate.probation_end = dates.probation_end
    due = [n for n in result.next if n.latest is not None]
    first = min(due, key=lambda n: n.latest or date.max) if due else None
    candidate.next_step = first.step if first else (result.next[0].step if result.next else "")
    gaps = gap_keys(result.findings, imported_on)
    counted = [f for f in result.findings if (f.id, f.step, f.date) not in gaps]
    # The three signals, each meaning one thing (fazhan.policy.signals): the columns the lists
    # filter and count on. "Overdue now" is next_due < today at reading time.
    found = signals(result.next, counted, result.as_of)
    candidate.next_due = found.next_due
    candidate.overdue = found.overdue
    if getattr(candidate, "departed_on", None) is not None:
        # Sent out of the district (mark_departure): the stage stays the engine's, but nothing
        # is due here any more, so the file leaves every open list, queue and overdue count.
        candidate.next_due, candidate.overdue, candidate.next_step = None, False, ""
    candidate.violations = found.irregular
    candidate.lates = found.late
    candidate.warnings = sum(f.severity == "warning" for f in counted)
    born = candidate.person.birth_date
    admitted = dates.admitted_on
    # contracts §4: 35 and under when the S15 is before the birth date + 432 months (25: 312).
    candidate.le35_at_admission = None if admitted is None else admitted < add_months(born, 432)
    candidate.le25_at_admission = None if admitted is None else admitted < add_months(born, 312)
    projection = result.as_dict()
    for item in projection.get("findings", []):
        if (item["id"], item["step"], date.fromisoformat(item["date"])) in gaps:
            item["gap"] = True
    candidate.projection = projection
    candidate.projected_at = timezone.now()
    candidate.head_seq = head_seq


PROJECTION_FIELDS = (
    "stage",
    "suspended",
    "applied_on",
    "activist_on",
    "target_on",
    "admitted_on",
    "approved_on",
    "converted_on",
    "probation_end",
    "next_step",
    "next_due",
    "overdue",
    "violations",
    "lates",
    "warnings",
    "le35_at_admission",
    "le25_at_admission",
    "projection",
    "projected_at",
    "head_seq",
    "departed_on",
)
# What tells a projection changed (when it was made does not).
COMPARED_FIELDS = tuple(f for f in PROJECTION_FIELDS if f != "projected_at")


# Who hears of saved projections (the register of irregularities, fazhan.accountability): apps
# above this one register here, so that people never imports them (tests/test_layers.py).
ProjectionListener = Callable[[Sequence[Any]], object]
_listeners: list[ProjectionListener] = []


def register_projection_listener(listener: ProjectionListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def projected(candidates: Sequence[Any]) -> None:
    """Tell the listeners that these files' projections were saved (same transaction)."""
    if candidates:
        for listener in _listeners:
            listener(candidates)


def mark_departure(candidate: Any, document: Mapping[str, Any]) -> None:
    """Set `departed_on` from the file's events (fazhan.policy.mobility.departed_on): before
    apply_projection, which reads it."""
    candidate.departed_on = departed_on(document.get("events", []))


def project(candidate: Any, events: list[ChainEvent] | None = None) -> Evaluation:
    """Re-evaluate a candidate from its events and save the projection (call inside the
    transaction that appended the events, so both commit together). The member roster follows
    the record from here (Issue 12 item 4): the one place every decision passes."""
    chain = events if events is not None else events_of(candidate.pk)
    document = candidate_document(candidate, chain)
    mark_departure(candidate, document)
    file = parse_document(document)
    result = evaluate(file, table=current_table())
    apply_projection(candidate, result, chain[-1].seq if chain else None, roster_import_day(chain))
    candidate.save(update_fields=PROJECTION_FIELDS)
    projected([candidate])
    _follow(candidate, file, result, chain)
    return result


def follow_roster(candidate_ids: Iterable[int], chunk: int = 500) -> int:
    """Project these files again so that the member roster follows them, `chunk` files a
    transaction: for files written without `project` (a bulk import, `fazhan follow_roster` after
    an upgrade). The same projections, roster rows and chain events as `project` file by file,
    with the new members written in bulk. Returns how many."""
    from django.db import transaction

    from fazhan.people.models import Candidate

    ids = list(candidate_ids)
    table = current_table()
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        with transaction.atomic():
            rows = Candidate.objects.select_for_update().select_related("person")
            found = {c.pk: c for c in rows.filter(pk__in=part)}
            chains: dict[int | None, list[ChainEvent]] = {pk: [] for pk in found}
            for event in ChainEvent.objects.filter(candidate_id__in=part).order_by("seq"):
                chains[event.candidate_id].append(event)
            candidates = [found[pk] for pk in part if pk in found]
            follows = []
            for candidate in candidates:
                chain = chains[candidate.pk]
                document = candidate_document(candidate, chain)
                before = [getattr(candidate, f) for f in COMPARED_FIELDS]
                mark_departure(candidate, document)
                file = parse_document(document)
                result = evaluate(file, table=table)
                head = chain[-1].seq if chain else None
                apply_projection(candidate, result, head, roster_import_day(chain))
                # A file just imported is projected already: only a changed one is saved.
                if [getattr(candidate, f) for f in COMPARED_FIELDS] != before:
                    candidate.save(update_fields=PROJECTION_FIELDS)
                follows.append(_facts(candidate, file, result, chain))
            projected(candidates)
            follow_records(follows)
    return len(ids)


def _facts(candidate: Any, file: Any, result: Evaluation, chain: list[ChainEvent]) -> RecordFacts:
    facts = membership_facts(
        effective_events(file.events, result.as_of), result.dates, result.stage
    )
    return RecordFacts(
        candidate_id=candidate.pk,
        person=candidate.person,
        org_id=candidate.org_id,
        facts=facts,
        admitted_on=result.dates.admitted_on,
        recorded_by_id=chain[-1].recorded_by_id if chain else None,
    )


def _follow(candidate: Any, file: Any, result: Evaluation, chain: list[ChainEvent]) -> None:
    entry = _facts(candidate, file, result, chain)
    if not entry.facts and not Member.objects.filter(candidate_id=candidate.pk).exists():
        return
    follow_one(entry)
