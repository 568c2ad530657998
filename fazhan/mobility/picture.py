"""The mobile picture (Issue 16 item 4): candidates away (by destination, agreement, last contact),
candidates who came in (by origin), and the contacts that are overdue. Read-only, scoped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Max, Q

from fazhan.accounts.scope import reach
from fazhan.audit.models import Event as ChainEvent
from fazhan.mobility.models import Cooperation, Departure
from fazhan.orgs.models import Organization
from fazhan.people.models import Candidate
from fazhan.policy import mobility as rules


@dataclass(frozen=True)
class Away:
    cooperation: Cooperation
    last_contact: date | None
    due: date
    overdue: bool


@dataclass(frozen=True)
class CameIn:
    candidate: Candidate
    origin: str
    arrived_on: date | None
    how: str  # "transfer" or the agreement type's label


def last_contacts(candidate_ids: list[int]) -> dict[int, date]:
    rows = (
        ChainEvent.objects.filter(kind="mobility.contact", candidate_id__in=candidate_ids)
        .values("candidate_id")
        .annotate(last=Max("happened_on"))
    )
    return {row["candidate_id"]: row["last"] for row in rows}


def away(user: Any, as_of: date) -> list[Away]:
    """Open agreements of files the user's organizations are responsible for."""
    scope = reach(user)
    rows = (
        Cooperation.objects.open()
        .filter(candidate__departed_on__isnull=True)  # sent out: listed under 转出区外
        .select_related("candidate__person", "cooperating", "outside", "responsible")
    )
    if not scope.everything:
        rows = rows.filter(candidate__org_id__in=scope.org_ids)
    found = list(rows.order_by("cooperating__name", "outside__name", "pk"))
    last = last_contacts([c.candidate_id for c in found])
    result = []
    for row in found:
        seen = last.get(row.candidate_id)
        result.append(
            Away(
                row,
                seen,
                rules.contact_due(seen, row.started_on),
                rules.contact_overdue(seen, row.started_on, as_of),
            )
        )
    return result


def came_in(user: Any) -> list[CameIn]:
    """Files moved into the user's organizations by a transfer, and files of other organizations
    the user's organizations cooperate on."""
    scope = reach(user)
    result: list[CameIn] = []
    files = Candidate.objects.visible_to(user).select_related("person", "org")
    moves = ChainEvent.objects.filter(kind="transfer-in").order_by("seq")
    if not scope.everything:
        moves = moves.filter(candidate_id__in=files.filter(org_id__in=scope.org_ids).values("pk"))
    last_move: dict[int, ChainEvent] = {}
    for event in moves:
        last_move[event.candidate_id or 0] = event
    by_pk = {c.pk: c for c in files.filter(pk__in=list(last_move))}
    origins = dict(
        Organization.objects.filter(
            pk__in=[e.payload.get("from_org_id") for e in last_move.values()]
        ).values_list("pk", "name")
    )
    for pk, event in last_move.items():
        candidate = by_pk.get(pk)
        if candidate is None or candidate.org_id != event.payload.get("to_org_id"):
            continue
        origin = origins.get(event.payload.get("from_org_id"), "")
        result.append(CameIn(candidate, origin, event.happened_on, "transfer"))
    shared = Cooperation.objects.open().select_related("candidate__person", "responsible")
    if not scope.everything:
        shared = shared.filter(cooperating_id__in=scope.org_ids).exclude(
            candidate__org_id__in=scope.org_ids
        )
    else:
        shared = shared.filter(cooperating__isnull=False)
    for row in shared:
        result.append(
            CameIn(row.candidate, row.responsible.name, row.started_on, row.get_kind_display())
        )
    return sorted(result, key=lambda r: (r.origin, r.candidate.pk))


@dataclass(frozen=True)
class WentOut:
    candidate_id: int
    name: str
    destination: str
    moved_on: date | None


def _moves_out_of(user: Any) -> Any:
    """The transfer-in events that took a file out of one of the user's organizations."""
    scope = reach(user)
    moves = ChainEvent.objects.filter(kind="transfer-in")
    if scope.everything:
        return moves
    return moves.filter(payload__from_org_id__in=sorted(scope.org_ids))


def went_out(user: Any) -> list[WentOut]:
    """Files the user's organizations handed over (细则 art. 12): the old owner keeps reading
    what it recorded, not what the new owner records."""
    visible = set(Candidate.objects.visible_to(user).values_list("pk", flat=True))
    moves = [m for m in _moves_out_of(user).order_by("seq") if m.candidate_id not in visible]
    files = {
        c.pk: c
        for c in Candidate.objects.filter(pk__in=[m.candidate_id for m in moves]).select_related(
            "person"
        )
    }
    names = dict(
        Organization.objects.filter(pk__in=[m.payload.get("to_org_id") for m in moves]).values_list(
            "pk", "name"
        )
    )
    return [
        WentOut(
            m.candidate_id or 0,
            files[m.candidate_id].person.name,
            names.get(m.payload.get("to_org_id"), ""),
            m.happened_on,
        )
        for m in moves
        if m.candidate_id in files
    ]


def recorded_before_leaving(user: Any, candidate_id: int) -> list[ChainEvent] | None:
    """The file's events up to the last move out of the user's organizations (None: the user's
    organizations never held this file)."""
    last = _moves_out_of(user).filter(candidate_id=candidate_id).order_by("-seq").first()
    if last is None:
        return None
    return list(
        ChainEvent.objects.filter(candidate_id=candidate_id, seq__lte=last.seq).order_by("seq")
    )


def figures(
    org_ids: Iterable[int] | None, as_of: date, start: date | None = None
) -> dict[str, Any]:
    """The mobile picture's counts for a set of organizations (a subtree; None: the whole
    district) as at the end of `as_of` (Issue 16 item 4), for the report figures and the home
    page alike: files away under an agreement open that day (by agreement kind), files received
    from outside the district and files sent out of it (from `start`, when given, to `as_of`),
    and the agreements whose contact is overdue that day (a quarter, seed 三(三)).
    Integers and codes only (the figures are stored on a report)."""
    ids = None if org_ids is None else sorted(set(org_ids))
    agreements = Cooperation.objects.filter(started_on__lte=as_of).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=as_of)
    )
    arrivals = ChainEvent.objects.filter(kind="mobility.arrived", happened_on__lte=as_of)
    departures = Departure.objects.filter(departed_on__lte=as_of)
    if start is not None:
        arrivals = arrivals.filter(happened_on__gte=start)
        departures = departures.filter(departed_on__gte=start)
    if ids is not None:
        agreements = agreements.filter(candidate__org_id__in=ids)
        arrivals = arrivals.filter(payload__org_id__in=ids)
        departures = departures.filter(candidate__org_id__in=ids)
    rows = list(agreements.values_list("candidate_id", "kind", "started_on"))
    contacts = ChainEvent.objects.filter(
        kind="mobility.contact",
        candidate_id__in=sorted({row[0] for row in rows}),
        happened_on__lte=as_of,
    )
    last = {
        row["candidate_id"]: row["last"]
        for row in contacts.values("candidate_id").annotate(last=Max("happened_on"))
    }
    by_kind = dict.fromkeys(rules.AGREEMENT_TYPES, 0)
    for _candidate, kind, _started in rows:
        by_kind[kind] = by_kind.get(kind, 0) + 1
    return {
        "away": len(rows),
        "away_by_kind": by_kind,
        "came_in": arrivals.count(),
        "sent_out": departures.count(),
        "overdue_contacts": sum(
            1
            for candidate, _kind, started in rows
            if rules.contact_overdue(last.get(candidate), started, as_of)
        ),
    }
