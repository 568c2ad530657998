"""The report part of the home page queue: a report the district reminded the sender about, or
returned to it, waits for the sending committee's staff until it is submitted again."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from fazhan.notices.queues import PER_KIND, QueueItem
from fazhan.reports.models import EDITABLE_STATES, ReportSubmission, SubmissionState


def report_items(senders: Iterable[int], day: date) -> list[QueueItem]:
    """Reports of the organizations `senders` that the district reminded about or returned."""
    ids = list(senders)
    if not ids:
        return []
    rows = (
        ReportSubmission.objects.filter(sender_id__in=ids, state__in=sorted(EDITABLE_STATES))
        .filter(Q(reminded_on__isnull=False) | Q(state=SubmissionState.RETURNED))
        .select_related("campaign", "sender")
        .order_by("campaign__due", "pk")[:PER_KIND]
    )
    items = []
    for row in rows:
        returned = row.state == SubmissionState.RETURNED
        title = (
            _("%(campaign)s被退回，请修改后重新上报：%(org)s")
            if returned
            else _("区委组织部催报%(campaign)s：%(org)s")
        ) % {"campaign": row.campaign, "org": row.sender.name}
        since = (row.returned_on if returned else row.reminded_on) or day
        items.append(
            QueueItem(
                kind="report",
                title=title,
                candidate_id=None,
                notice_id=None,
                url=reverse("reports:submission", args=[row.pk]),
                since=since,
                deadline=row.campaign.due,
            )
        )
    return items
