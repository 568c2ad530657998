"""The agreements the authority reads (fazhan.accounts.authority.register_cooperation_source)."""

from __future__ import annotations

from fazhan.accounts.authority import CooperationRight
from fazhan.mobility.models import Cooperation


def open_cooperations(candidate_id: int) -> list[CooperationRight]:
    """The file's open agreements with an organization of the district."""
    rows = Cooperation.objects.open().filter(candidate_id=candidate_id, cooperating__isnull=False)
    return [
        CooperationRight(
            agreement_id=row.pk,
            org_id=row.cooperating_id,
            kind=row.kind,
            steps=frozenset(row.steps),
        )
        for row in rows
        if row.cooperating_id is not None
    ]
