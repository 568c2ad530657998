"""Who may act on a meeting, the locks, and the event helper shared by the actions."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.http import Http404
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.audit.chain import append_event
from fazhan.core.errors import ActionRefused, Reason
from fazhan.meetings.gates import candidate_gates
from fazhan.meetings.models import (
    AgendaItem,
    ItemStatus,
    Meeting,
    MeetingStatus,
)
from fazhan.members.history import roster_on
from fazhan.orgs.models import Member, Organization

if TYPE_CHECKING:
    from fazhan.accounts.models import User

ACTIVE_ITEM = (ItemStatus.PENDING, ItemStatus.VOTING, ItemStatus.COUNTING, ItemStatus.CLOSED)
ART_20_21 = "细则第二十、二十一条"


class BallotRefused(Exception):
    """A code that is not accepted: unknown, already used, or its vote not in progress. The
    message is the whole story the kiosk tells; nothing about who typed it is kept."""


# -- who may act, and locks --------------------------------------------------------------------


def may_write(user: User, meeting: Meeting) -> bool:
    return authority(user).may_write(meeting.org_id)


def _check_writer(user: User, meeting: Meeting) -> None:
    if not Meeting.objects.visible_to(user).filter(pk=meeting.pk).exists():
        raise Http404(_("没有找到该支部大会。"))
    if not may_write(user, meeting):
        raise ActionRefused(_("只读账号不能操作支部大会"))


def superior_org(user: User, meeting: Meeting) -> Organization | None:
    """The organization above the branch through which `user` may consent for it (the nearest),
    or None: a branch's own account never consents to its own exclusions."""
    return authority(user).acting_committee(meeting.org_id)


def _lock_meeting(meeting: Meeting | int) -> Meeting:
    pk = meeting if isinstance(meeting, int) else meeting.pk
    return Meeting.objects.select_for_update().select_related("org").get(pk=pk)


def _lock_item(item: AgendaItem | int) -> tuple[Meeting, AgendaItem]:
    pk = item if isinstance(item, int) else item.pk
    meeting_id = AgendaItem.objects.values_list("meeting_id", flat=True).get(pk=pk)
    meeting = _lock_meeting(meeting_id)  # meeting first, then the item: one lock order
    locked = (
        AgendaItem.objects.select_for_update()
        .select_related("candidate", "candidate__person")
        .get(pk=pk)
    )
    return meeting, locked


def _event(
    user: User | None,
    kind: str,
    meeting: Meeting,
    payload: dict[str, Any],
    candidate_id: int | None = None,
) -> int:
    event = append_event(
        kind=kind,
        candidate_id=candidate_id,
        happened_on=meeting.held_on,
        payload={"meeting_id": meeting.pk, **payload},
        recorded_by_id=user.pk if user is not None else None,
    )
    return event.seq


def _require(meeting: Meeting, *statuses: str) -> None:
    if meeting.status not in statuses:
        labels = {
            MeetingStatus.DRAFT: _("会议尚未开始时"),
            MeetingStatus.OPEN: _("会议进行中"),
            MeetingStatus.CLOSED: _("会议结束后"),
        }
        allowed = _("或").join(labels[MeetingStatus(s)] for s in statuses)
        raise ActionRefused(
            _("只能在%(allowed)s进行此操作（当前：%(status)s）")
            % {"allowed": allowed, "status": meeting.get_status_display()}
        )


def _roster(meeting: Meeting) -> dict[int, Member]:
    """The branch's roster on the meeting's date, each member as they stood that day (党章 arts.
    7, 40: status and 留党察看 decide the vote)."""
    return {m.pk: m for m in roster_on(meeting.org_id, meeting.held_on)}


def _live_gates(item: AgendaItem, today: date) -> list[Reason]:
    """The gates of a live motion, each reason naming the candidate (a meeting has several)."""
    name = item.candidate.person.name
    return [
        Reason(_("%(name)s：%(message)s") % {"name": name, "message": r.message}, r.basis)
        for r in candidate_gates(item.candidate, item.step, today, item.outcome)
    ]
