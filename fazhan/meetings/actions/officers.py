"""The tellers (计票人) and the monitor (监票人) of a meeting: members of the branch present at
the meeting, chosen from the roster of the meeting's date (rules-reference §2 "Tellers and
monitors": proposed by the branch committee, approved by the meeting; the person being voted on
never serves, by analogy with 《中国共产党基层组织选举工作条例》: 监票人从不是候选人的党员中
推选)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fazhan.core.errors import ActionRefused, Reason
from fazhan.meetings.actions.common import (
    ACTIVE_ITEM,
    _check_writer,
    _event,
    _lock_meeting,
    _require,
    _roster,
)
from fazhan.meetings.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingOfficer,
    MeetingStatus,
    OfficerRole,
    TellerCount,
)
from fazhan.orgs.models import Member

if TYPE_CHECKING:
    from fazhan.accounts.models import User

OFFICER_RULE = (
    "计票人、监票人由支部委员会提出、大会通过，被表决人不得担任"
    "（参照《中国共产党基层组织选举工作条例》：监票人从不是候选人的党员中推选）"
)
MIN_TELLERS = 2  # the double entry: two independent counts that must agree
MIN_MONITORS = 1
MAX_OFFICERS = 5


def officers(meeting: Meeting, role: str) -> list[Member]:
    """The meeting's tellers or monitors, in the order chosen."""
    rows = MeetingOfficer.objects.filter(meeting=meeting, role=role).select_related("member")
    return [row.member for row in rows.order_by("pk")]


def voted_on(meeting: Meeting) -> dict[int, str]:
    """Members being voted on at this meeting (a probationary member's own roster row), by id,
    with the name: they may not count or monitor."""
    items = AgendaItem.objects.filter(meeting=meeting, status__in=ACTIVE_ITEM).select_related(
        "candidate"
    )
    candidate_ids = [i.candidate_id for i in items]
    person_ids = [i.candidate.person_id for i in items]
    if not candidate_ids:
        return {}
    rows = Member.objects.filter(Q(candidate_id__in=candidate_ids) | Q(person_id__in=person_ids))
    return {m.pk: m.name for m in rows}


def do_set_officers(
    user: User,
    meeting: Meeting | int,
    *,
    tellers: Iterable[int],
    monitors: Iterable[int],
) -> list[MeetingOfficer]:
    """Choose the tellers and the monitor (replacing an earlier choice) until the first count is
    entered: at least two tellers (the double entry) and one monitor, each present at the
    meeting, none of them in two roles, none being voted on."""
    teller_ids = list(dict.fromkeys(tellers))
    monitor_ids = list(dict.fromkeys(monitors))
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _check_writer(user, locked)
        _require(locked, MeetingStatus.DRAFT, MeetingStatus.OPEN)
        if TellerCount.objects.filter(item__meeting=locked).exists():
            raise ActionRefused(_("已开始计票，计票人、监票人不能再更换"))
        reasons: list[Reason] = []
        if len(teller_ids) < MIN_TELLERS:
            reasons.append(Reason(_("须推选至少两名计票人（两人分别清点，结果一致方有效）")))
        if len(monitor_ids) < MIN_MONITORS:
            reasons.append(Reason(_("须推选至少一名监票人"), OFFICER_RULE))
        if len(teller_ids) > MAX_OFFICERS or len(monitor_ids) > MAX_OFFICERS:
            reasons.append(Reason(_("计票人、监票人各不超过五名")))
        both = set(teller_ids) & set(monitor_ids)
        roster = _roster(locked)
        if both:
            names = "、".join(roster[i].name if i in roster else str(i) for i in sorted(both))
            reasons.append(Reason(_("%(names)s 不能既是计票人又是监票人") % {"names": names}))
        present = set(
            Attendance.objects.filter(meeting=locked, present=True).values_list(
                "member_id", flat=True
            )
        )
        excluded = voted_on(locked)
        for member_id in [*teller_ids, *monitor_ids]:
            found = roster.get(member_id)
            if found is None:
                reasons.append(Reason(_("计票人、监票人须是本支部名册上的党员")))
            elif member_id in excluded:
                reasons.append(
                    Reason(
                        _("%(name)s 是本次会议的被表决人，不能担任计票人或监票人")
                        % {"name": found.name},
                        OFFICER_RULE,
                    )
                )
            elif member_id not in present:
                reasons.append(
                    Reason(_("%(name)s 未签到到会，不能担任计票人或监票人") % {"name": found.name})
                )
        if reasons:
            raise ActionRefused([r for n, r in enumerate(reasons) if r not in reasons[:n]])
        MeetingOfficer.objects.filter(meeting=locked).delete()
        rows = MeetingOfficer.objects.bulk_create(
            [
                *(
                    MeetingOfficer(
                        meeting=locked, member_id=i, role=OfficerRole.TELLER, chosen_by=user
                    )
                    for i in teller_ids
                ),
                *(
                    MeetingOfficer(
                        meeting=locked, member_id=i, role=OfficerRole.MONITOR, chosen_by=user
                    )
                    for i in monitor_ids
                ),
            ]
        )
        _event(user, "meeting.officers", locked, {"tellers": teller_ids, "monitors": monitor_ids})
    return rows
