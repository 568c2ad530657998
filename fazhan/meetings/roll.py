"""The meeting page's tellers and monitor (chosen from the members present) and the roll call's
exceptions (请假/缺席 with the reason), as the page reads and posts them."""

from __future__ import annotations

from typing import Any

from fazhan.meetings.actions import officers, voted_on
from fazhan.meetings.models import Absence, Attendance, Meeting, OfficerRole
from fazhan.members.history import roster_on


def officer_context(meeting: Meeting) -> dict[str, Any]:
    """The chosen tellers and monitors, and who may be chosen (present, not voted on)."""
    rows = Attendance.objects.filter(meeting=meeting, present=True)
    present = set(rows.values_list("member_id", flat=True))
    barred = voted_on(meeting)
    tellers = officers(meeting, OfficerRole.TELLER)
    monitors = officers(meeting, OfficerRole.MONITOR)
    teller_ids = {m.pk for m in tellers}
    monitor_ids = {m.pk for m in monitors}
    pool = [
        {"member": m, "teller": m.pk in teller_ids, "monitor": m.pk in monitor_ids}
        for m in roster_on(meeting.org_id, meeting.held_on)
        if m.pk in present and m.pk not in barred
    ]
    return {"tellers": tellers, "monitors": monitors, "officer_pool": pool}


def roll_absences(post: Any, roster_ids: list[int]) -> dict[int, tuple[str, str]]:
    """`absence-<id>` (leave or absent) and `note-<id>` (the reason) of the posted roll call."""
    found: dict[int, tuple[str, str]] = {}
    for member_id in roster_ids:
        kind = post.get(f"absence-{member_id}", "")
        if kind in Absence.values:
            found[member_id] = (kind, str(post.get(f"note-{member_id}", ""))[:200])
    return found


def posted_ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]
