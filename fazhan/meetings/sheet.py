"""The result sheet (表决结果报告单) and the ballot cards, as HTML and as A4 PDF (WeasyPrint).

The sheet carries the chain's head code after the vote (DESIGN principle 2): copied into the paper
minutes and sent up, it witnesses the electronic record. Fonts are the machine's own (Debian
fonts-wqy-zenhei, "WenQuanYi Zen Hei"); nothing is fetched.
"""

from __future__ import annotations

from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhan.accounts.models import User
from fazhan.audit.chain import head_code
from fazhan.meetings.models import (
    AgendaItem,
    ElectorateEntry,
    ItemKind,
    Meeting,
    MeetingOfficer,
    OfficerRole,
    WrittenOpinion,
)
from fazhan.meetings.tally import FAIL, PASS, VOID

RESULT_LABELS = {
    PASS: gettext_lazy("通过"),
    FAIL: gettext_lazy("未通过"),
    VOID: gettext_lazy("表决无效（收回选票多于发出选票），须重新表决"),
}


def motion(item: AgendaItem) -> str:
    """The motion as the resolution words it (the candidate's name: a sheet is for the file)."""
    name = item.candidate.person.name
    if item.kind == ItemKind.ADMISSION:
        return _("接收%(name)s同志为中共预备党员") % {"name": name}
    if item.kind == ItemKind.CONVERSION:
        return _("%(name)s同志按期转为中共正式党员") % {"name": name}
    if item.kind == ItemKind.EXTENSION:
        return _("延长%(name)s同志预备期%(months)s个月") % {
            "name": name,
            "months": item.extension_months,
        }
    return _("取消%(name)s同志预备党员资格") % {"name": name}


def _names(user_ids: list[int]) -> list[str]:
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    return [str(users[pk]) if pk in users else f"#{pk}" for pk in user_ids]


def revocation_grounds(item: AgendaItem) -> Any:
    """The grounds of a revocation motion (fazhan.accountability.Revocation, read through the
    candidate's reverse relation): the latest proposed on or before the meeting, or None."""
    if item.kind != ItemKind.REVOCATION:
        return None
    return (
        item.candidate.revocations.filter(proposed_on__lte=item.meeting.held_on)
        .select_related("case")
        .order_by("-proposed_on", "-pk")
        .first()
    )


def officer_names(meeting: Meeting, role: str) -> list[str]:
    """The members chosen as tellers or monitors, by name (the sheet is for the file)."""
    rows = MeetingOfficer.objects.filter(meeting=meeting, role=role).select_related("member")
    return [row.member.name for row in rows.order_by("pk")]


def sheet_context(item: AgendaItem) -> dict[str, Any]:
    meeting: Meeting = item.meeting
    tally: dict[str, int] = item.tally or {}
    counts = list(item.teller_counts.all())
    tellers = officer_names(meeting, OfficerRole.TELLER)
    if not tellers:  # counted before tellers were members: the accounts were the tellers
        tellers = _names(sorted({t.entered_by_id for t in counts}))
    monitors = officer_names(meeting, OfficerRole.MONITOR)
    if item.confirmed_monitor_id is not None:
        monitor = item.confirmed_monitor.name if item.confirmed_monitor else ""
    else:
        monitor = _names([item.confirmed_by_id])[0] if item.confirmed_by_id else ""
    accounts = _names(sorted({t.entered_by_id for t in counts}))
    excluded = ElectorateEntry.objects.filter(meeting=meeting, excluded=True).count()
    written = list(WrittenOpinion.objects.filter(item=item, counted=True).select_related("member"))
    expected = tally.get("expected", 0)
    present = tally.get("present", 0)
    in_favour = tally.get("for", 0) + tally.get("written_for", 0)
    return {
        "item": item,
        "meeting": meeting,
        "org": meeting.org,
        "motion": motion(item),
        "t": tally,
        "in_favour_total": in_favour,
        "half": f"{expected / 2:g}",
        "quorum_met": present * 2 > expected,
        "majority_met": in_favour * 2 > expected,
        "excluded": excluded,
        "written": written,
        "result_label": RESULT_LABELS.get(item.result, ""),
        "head_code": head_code(item.head_hash) if item.head_hash else "",
        "tellers": tellers,
        "monitors": monitors or ([monitor] if monitor else []),
        "monitor": monitor,
        "accounts": accounts,
        "confirmed_by": _names([item.confirmed_by_id])[0] if item.confirmed_by_id else "",
        "grounds": revocation_grounds(item),
        "entered_by": str(item.closed_by) if item.closed_by_id else "",
        "late_approved_by": (str(meeting.late_approved_by) if meeting.late_approved_by_id else ""),
    }


def _pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only the PDF views need.
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def sheet_pdf(item: AgendaItem) -> bytes:
    return _pdf(render_to_string("meetings/sheet_pdf.html", sheet_context(item)))


def qr_svg_data_uri(url: str) -> str:
    return str(segno.make(url, error="m").svg_data_uri(scale=3, border=1))


def cards_pdf(item: AgendaItem, codes: list[str], vote_url: str) -> bytes:
    """One card per code, ten to an A4 page, to be cut, shuffled before the monitors and drawn."""
    from fazhan.meetings.codes import pretty

    html = render_to_string(
        "meetings/cards_pdf.html",
        {
            "item": item,
            "meeting": item.meeting,
            "motion": motion(item),
            "codes": [pretty(c) for c in codes],
            "vote_url": vote_url,
            "qr": qr_svg_data_uri(vote_url),
        },
    )
    return _pdf(html)
