"""Who a case should look at, read from the chain (issue 15 item 2).

For each row of the register: the events of that step on that file, on the finding's date when
one is (else every event of the step): whoever recorded or decided them (the chain's
`recorded_by_id`: the branch secretary who entered a talk, the committee staff who recorded an
approval). When the step was never recorded (an overdue talk), nobody recorded it: the people who
held a writing role for the organization on the finding's date were in charge of doing it. The
organization and role each person acted in are those of the roles in force on that date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from fazhan.accountability.models import Irregularity, PartyBasis
from fazhan.accounts.models import Role, RoleKind
from fazhan.audit.models import Event
from fazhan.orgs.models import Organization

# The roles that do a file's work (the auditor and the administrators never do).
WORKING_KINDS = (RoleKind.BRANCH_SECRETARY, RoleKind.SUB_STAFF, RoleKind.DISTRICT_STAFF)


@dataclass(frozen=True)
class Proposal:
    user_id: int
    org_id: int | None
    role_kind: str
    event_seq: int | None
    basis: str


def _roles_on(user_ids: Iterable[int], day: date) -> list[Role]:
    return list(
        Role.objects.filter(user_id__in=set(user_ids), kind__in=WORKING_KINDS)
        .filter(created_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .order_by("pk")
    )


def _acting_role(roles: list[Role], user_id: int, org_id: int) -> Role | None:
    """The user's role on that day nearest above (or at) the organization."""
    above = Organization.objects.ancestor_ids(org_id)
    mine = [r for r in roles if r.user_id == user_id and r.org_id in above]
    return min(mine, key=lambda r: above.index(r.org_id or 0), default=None)


def propose(rows: Iterable[Irregularity]) -> list[Proposal]:
    """The people to look at for these rows, each once, in the order found."""
    found: dict[int, Proposal] = {}
    for row in rows:
        events = list(
            Event.objects.filter(candidate_id=row.candidate_id, kind=row.step).order_by("seq")
        )
        on_date = [e for e in events if e.happened_on == row.finding_date]
        involved = [e for e in (on_date or events) if e.recorded_by_id is not None]
        if involved:
            roles = _roles_on((e.recorded_by_id or 0 for e in involved), row.finding_date)
            for event in involved:
                user_id = event.recorded_by_id or 0
                role = _acting_role(roles, user_id, row.org_id)
                found.setdefault(
                    user_id,
                    Proposal(
                        user_id=user_id,
                        org_id=role.org_id if role else None,
                        role_kind=role.kind if role else "",
                        event_seq=event.seq,
                        basis=PartyBasis.RECORDED,
                    ),
                )
            continue
        # Nothing recorded: whoever held the organization's work on that day.
        holders = [
            r
            for r in _roles_on(
                Role.objects.filter(org_id=row.org_id).values_list("user_id", flat=True),
                row.finding_date,
            )
            if r.org_id == row.org_id
        ]
        for role in holders:
            found.setdefault(
                role.user_id,
                Proposal(
                    user_id=role.user_id,
                    org_id=role.org_id,
                    role_kind=role.kind,
                    event_seq=None,
                    basis=PartyBasis.IN_CHARGE,
                ),
            )
    return list(found.values())
