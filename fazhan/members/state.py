"""A member's state on a day: the fold of their dated changes (no database here).

Rules: a change applies from its date on (the day included); changes of one day apply in the order
they were recorded; the baseline (no date) first. A member with no history is as the roster holds
them. In every case nobody is on a roster before their 入党日期, and a full member is probationary
before their 转正日期 when the roster knows those dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

FULL = "full"
PROBATIONARY = "probationary"


class ChangeLike(Protocol):
    @property
    def happened_on(self) -> date | None: ...
    @property
    def pk(self) -> int | None: ...
    @property
    def org_id(self) -> int | None: ...
    @property
    def status(self) -> str: ...
    @property
    def active(self) -> bool | None: ...
    @property
    def under_discipline(self) -> bool | None: ...
    @property
    def rights_restored(self) -> bool | None: ...
    @property
    def voided(self) -> bool: ...


@dataclass(frozen=True)
class MemberState:
    org_id: int | None
    status: str
    active: bool
    under_discipline: bool
    rights_restored: bool

    @property
    def may_vote(self) -> bool:
        """党章 arts. 7, 40: probationary members and those under 留党察看 (rights not restored)
        have no vote."""
        return self.status == FULL and (not self.under_discipline or self.rights_restored)


OFF = MemberState(None, PROBATIONARY, False, False, False)


def _order(change: ChangeLike) -> tuple[date, int]:
    return (change.happened_on or date.min, change.pk or 0)


def fold(
    current: MemberState,
    changes: Iterable[ChangeLike],
    day: date,
    *,
    joined_on: date | None = None,
    converted_on: date | None = None,
) -> MemberState:
    """The state on `day` from the history (`current`, the row as it stands, when there is none;
    off every roster when all of it was voided)."""
    history = list(changes)
    kept = sorted((c for c in history if not c.voided), key=_order)
    if not history:
        state = current
    else:
        state = OFF
        for change in kept:
            if change.happened_on is not None and change.happened_on > day:
                break
            state = replace(
                state,
                org_id=change.org_id if change.org_id is not None else state.org_id,
                status=change.status or state.status,
                active=state.active if change.active is None else change.active,
                under_discipline=(
                    state.under_discipline
                    if change.under_discipline is None
                    else change.under_discipline
                ),
                rights_restored=(
                    state.rights_restored
                    if change.rights_restored is None
                    else change.rights_restored
                ),
            )
    if joined_on is not None and day < joined_on:
        state = replace(state, active=False)
    if converted_on is not None and day < converted_on and state.status == FULL:
        state = replace(state, status=PROBATIONARY)
    return state
