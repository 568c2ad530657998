"""The auditor's log: every chain event and every sign-in and failed sign-in, newest first, in one
list filtered by account, organization (its subtree), kind and date (Step 11 item 8; Step 8
item 2: password resets and role changes are chain events `account.*`, sign-ins are django-axes'
access logs).

The three sources are keyed alike as (time, source, id) (`Entries`): a page of 50 is each source's
newest rows merged, its count the sum of three counts; `page_rows` then reads the page's own rows
and the names behind their ids in a few more.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any, TypeVar

from axes.models import AccessFailureLog, AccessLog
from django.db.models import CharField, F, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhan.accounts.models import Role, User
from fazhan.audit.models import Event
from fazhan.auditlog.describe import (
    ACCOUNT_KEYS,
    CANDIDATE_KEYS,
    MEMBER_KEYS,
    ORG_KEYS,
    SIGNIN,
    SIGNIN_FAILED,
    Names,
    details,
    ids_in,
    kind_label,
)
from fazhan.orgs.models import Member, Organization
from fazhan.people.models import Candidate

EVENT, SIGNED_IN, FAILED = "e", "s", "f"
# Up to this many rows a slice is merged in Python from each source's newest rows.
MERGE_ROWS = 5000


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class LogFilter:
    who: str = ""
    org: Organization | None = None
    kind: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> LogFilter:
        org = None
        org_text = params.get("org", "").strip()
        if org_text.isdigit():
            org = Organization.objects.filter(pk=int(org_text)).first()
        return cls(
            who=params.get("who", "").strip()[:150],
            org=org,
            kind=params.get("kind", "").strip()[:64],
            since=_day(params.get("from", "")),
            until=_day(params.get("to", "")),
        )

    def query(self) -> dict[str, str]:
        """The filter as query parameters (for the export links and the pages)."""
        found = {
            "who": self.who,
            "org": str(self.org.pk) if self.org else "",
            "kind": self.kind,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
        }
        return {k: v for k, v in found.items() if v}


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _accounts_matching(who: str) -> list[int]:
    return list(
        User.objects.filter(
            Q(username__icontains=who) | Q(display_name__icontains=who)
        ).values_list("pk", flat=True)
    )


def _events(f: LogFilter, subtree: set[int] | None) -> QuerySet[Event]:
    events = Event.objects.all()
    if f.kind:
        events = events.filter(kind=f.kind)
    if f.who:
        ids = _accounts_matching(f.who)
        events = events.filter(Q(recorded_by_id__in=ids) | Q(payload__user_id__in=ids))
    if subtree is not None:
        in_orgs = sorted(subtree)
        holders = Role.objects.filter(org_id__in=in_orgs).values_list("user_id", flat=True)
        events = events.filter(
            Q(candidate_id__in=Candidate.objects.filter(org_id__in=in_orgs).values("pk"))
            | Q(payload__org_id__in=in_orgs)
            | Q(kind__startswith="account.", payload__user_id__in=list(holders))
        )
    if f.since:
        events = events.filter(recorded_at__gte=_start(f.since))
    if f.until:
        events = events.filter(recorded_at__lt=_start(f.until + timedelta(days=1)))
    return events


Attempt = TypeVar("Attempt", AccessLog, AccessFailureLog)


def _signins(rows: QuerySet[Attempt], f: LogFilter, subtree: set[int] | None) -> QuerySet[Attempt]:
    if f.who:
        rows = rows.filter(username__icontains=f.who)
    if subtree is not None:
        holders = Role.objects.filter(org_id__in=sorted(subtree)).values("user_id")
        names = User.objects.filter(pk__in=holders).values("username")
        rows = rows.filter(username__in=names)
    if f.since:
        rows = rows.filter(attempt_time__gte=_start(f.since))
    if f.until:
        rows = rows.filter(attempt_time__lt=_start(f.until + timedelta(days=1)))
    return rows


def _keyed(rows: QuerySet[Any], at: str, source: str, ref: str) -> QuerySet[Any]:
    keyed: QuerySet[Any] = (
        rows.order_by()
        .annotate(at=F(at), src=Value(source, output_field=CharField()), ref=F(ref))
        .values_list("at", "src", "ref")
    )
    return keyed


class Entries:
    """(time, source, id) of every entry a filter keeps, newest first: what the paginator pages.

    The count is the sum of each source's count; a slice asks each source for its newest `stop`
    rows only (a top-N read, not a sort of the whole chain under a UNION) and merges them in Python
    (Django's SQLite backend allows no LIMIT inside a UNION); past MERGE_ROWS, one ordered UNION
    ALL."""

    def __init__(self, parts: list[QuerySet[Any]]) -> None:
        self.parts = parts

    def count(self) -> int:
        return sum(part.count() for part in self.parts)

    def __len__(self) -> int:
        return self.count()

    def ordered(self) -> QuerySet[Any]:
        """All of it as one ordered UNION ALL (deep pages, the export)."""
        first, *rest = self.parts
        combined: QuerySet[Any] = first.union(*rest, all=True) if rest else first
        ordered: QuerySet[Any] = combined.order_by("-at", "-ref")
        return ordered

    def __getitem__(self, wanted: slice) -> list[tuple[datetime, str, int]]:
        start, stop = wanted.start or 0, wanted.stop
        if stop is None:
            raise TypeError("a slice of the log needs an end")
        if stop <= start:
            return []
        if stop > MERGE_ROWS:
            return list(self.ordered()[start:stop])
        newest = [list(part.order_by("-at", "-ref")[:stop]) for part in self.parts]
        merged = heapq.merge(*newest, key=lambda key: (key[0], key[2]), reverse=True)
        return list(islice(merged, start, stop))


def entries(f: LogFilter) -> Entries:
    """(time, source, id) of every entry the filter keeps, newest first."""
    subtree: set[int] | None = None
    if f.org is not None and f.org.parent_id is not None:
        subtree = Organization.objects.subtree_ids([f.org.pk])
    parts: list[QuerySet[Any]] = []
    if f.kind in ("", SIGNIN):
        signins = _signins(AccessLog.objects.all(), f, subtree)
        parts.append(_keyed(signins, "attempt_time", SIGNED_IN, "pk"))
    if f.kind in ("", SIGNIN_FAILED):
        failures = _signins(AccessFailureLog.objects.all(), f, subtree)
        parts.append(_keyed(failures, "attempt_time", FAILED, "pk"))
    if f.kind not in (SIGNIN, SIGNIN_FAILED):
        parts.append(_keyed(_events(f, subtree), "recorded_at", EVENT, "seq"))
    return Entries(parts)


@dataclass
class Row:
    """One line of the log as the auditor reads it."""

    at: datetime
    seq: int | None
    kind: str
    label: str
    actor: str
    account: str = ""
    happened_on: date | None = None
    details: list[tuple[str, str]] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        return "；".join(f"{label}：{value}" for label, value in self.details)


def _account_name(user: User) -> str:
    return f"{user.display_name}（{user.username}）" if user.display_name else user.username


def _names(events: Iterable[Event]) -> Names:
    accounts: set[int] = set()
    orgs: set[int] = set()
    candidates: set[int] = set()
    members: set[int] = set()
    for event in events:
        if event.recorded_by_id is not None:
            accounts.add(event.recorded_by_id)
        if event.candidate_id is not None:
            candidates.add(event.candidate_id)
        payload = event.payload if isinstance(event.payload, dict) else {}
        accounts |= ids_in(payload, ACCOUNT_KEYS)
        orgs |= ids_in(payload, ORG_KEYS)
        candidates |= ids_in(payload, CANDIDATE_KEYS)
        members |= ids_in(payload, MEMBER_KEYS)
    return Names(
        accounts={u.pk: _account_name(u) for u in User.objects.filter(pk__in=accounts)},
        orgs=dict(Organization.objects.filter(pk__in=orgs).values_list("pk", "name")),
        candidates=dict(
            Candidate.objects.filter(pk__in=candidates).values_list("pk", "person__name")
        ),
        members=dict(Member.objects.filter(pk__in=members).values_list("pk", "name")),
    )


def page_rows(keys: Iterable[tuple[datetime, str, int]]) -> list[Row]:
    """The rows behind a page of `entries`, in the same order."""
    keys = list(keys)
    wanted: dict[str, list[int]] = {EVENT: [], SIGNED_IN: [], FAILED: []}
    for _at, source, ref in keys:
        wanted[source].append(ref)
    events = {e.seq: e for e in Event.objects.filter(seq__in=wanted[EVENT])}
    names = _names(events.values())
    signins = {a.pk: a for a in AccessLog.objects.filter(pk__in=wanted[SIGNED_IN])}
    failures = {a.pk: a for a in AccessFailureLog.objects.filter(pk__in=wanted[FAILED])}
    by_username = {
        u.username: _account_name(u)
        for u in User.objects.filter(
            username__in={a.username for a in [*signins.values(), *failures.values()]}
        )
    }
    rows: list[Row] = []
    for at, source, ref in keys:
        if source == EVENT and ref in events:
            event = events[ref]
            payload = event.payload if isinstance(event.payload, dict) else {}
            actor = (
                names.accounts.get(event.recorded_by_id, "—")
                if event.recorded_by_id is not None
                else _("运维人员或系统")
            )
            found = details(payload, names)
            if event.candidate_id is not None:
                person = names.candidates.get(event.candidate_id, "—")
                found.insert(0, (_("档案"), person))
            rows.append(
                Row(
                    at=event.recorded_at,
                    seq=event.seq,
                    kind=event.kind,
                    label=kind_label(event.kind),
                    actor=actor,
                    account=names.accounts.get(int(payload.get("user_id") or 0), ""),
                    happened_on=event.happened_on,
                    details=found,
                )
            )
        elif source in (SIGNED_IN, FAILED):
            attempt = signins.get(ref) if source == SIGNED_IN else failures.get(ref)
            if attempt is None:
                continue
            username = attempt.username or ""
            shown = by_username.get(username, username)
            extra: list[tuple[str, str]] = []
            if isinstance(attempt, AccessFailureLog) and attempt.locked_out:
                extra.append((_("结果"), _("已锁定")))
            kind = SIGNIN if source == SIGNED_IN else SIGNIN_FAILED
            rows.append(
                Row(
                    at=at,
                    seq=None,
                    kind=kind,
                    label=kind_label(kind),
                    actor=shown,
                    account=shown,
                    details=extra,
                )
            )
    return rows


def kind_choices() -> list[tuple[str, str]]:
    """The kinds one may filter by, labelled: the sign-ins and every kind on the chain."""
    present = Event.objects.order_by().values_list("kind", flat=True).distinct()
    labelled = sorted({(kind_label(k), k) for k in present})
    return [
        (SIGNIN, kind_label(SIGNIN)),
        (SIGNIN_FAILED, kind_label(SIGNIN_FAILED)),
        *[(k, label) for label, k in labelled],
    ]
