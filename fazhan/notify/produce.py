"""Producing notifications: what each account should hear of today, made idempotently.

The daily job (`fazhan notify`) runs `daily()` over every active account; events run `sync_user`
for the accounts concerned (fazhan.notify.events). Both compute the same list from the record:
- files due within N days (FAZHAN_NOTIFY_DUE_DAYS, default 7) or overdue now (the signals of
  fazhan.policy.signals), for those who do the next step: the branch for its steps, a committee
  with approval authority for S13, S16, S17, S18, S24;
- the home queue's items (fazhan.web.queues): a pre-review returned or refused, a report campaign
  reminded or returned, feedback received on one's notice, a case or a task, and any other item
  whose deadline is near or passed;
- a report campaign opened, for the sending committee's staff.
Each has a key (what, and the date that makes it new), unique per account: producing it twice
finds it there. Each keeps its sentence as a code and data (fazhan.notify.text), built in the
reader's language when shown; its title is the line in the default language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import override

from fazhan.accounts.authority import authority
from fazhan.accounts.models import SCOPED_KINDS, User
from fazhan.core.dates import today
from fazhan.notify import text
from fazhan.notify.models import Kind, Notification
from fazhan.people.actions import COMMITTEE_STEPS
from fazhan.people.models import Candidate
from fazhan.people.signals import overdue_now
from fazhan.reports.actions import senders_for
from fazhan.reports.models import ReportSubmission, SubmissionState
from fazhan.web.queues import queue_for

# At most this many of one kind per account and run: the lists are one click away.
PER_RUN = 100
# The home queue's kinds that are news in themselves (whatever their deadline).
NEWS = {
    "prereview_returned": Kind.RETURNED,
    "report": Kind.REPORT,
    "feedback": Kind.FEEDBACK,
    "case": Kind.CASE,
    "task": Kind.CASE,
}


def due_days() -> int:
    return int(getattr(settings, "FAZHAN_NOTIFY_DUE_DAYS", 7))


@dataclass(frozen=True)
class Draft:
    kind: str
    key: str
    code: str
    params: dict[str, Any]
    url: str
    deadline: date | None
    # A queue item's identity, to find its title in the other languages (see _translate_items).
    item: tuple[str, str, date] | None = field(default=None, compare=False)

    @property
    def title(self) -> str:
        return text.default_line(self.code, self.params)


def drafts_for(user: Any, day: date) -> list[Draft]:
    """What `user` should hear of on `day` (not yet checked against what they already have)."""
    found = _from_queue(user, day) + _from_files(user, day) + _campaigns_opened(user, day)
    unique: dict[str, Draft] = {}
    for draft in found:
        unique.setdefault(draft.key, draft)
    return list(unique.values())


def _from_queue(user: Any, day: date) -> list[Draft]:
    soon = day + timedelta(days=due_days())
    drafts = []
    with override(settings.LANGUAGE_CODE):
        items = queue_for(user, day)
    for item in items:
        news = NEWS.get(item.kind)
        params = {"item": {settings.LANGUAGE_CODE: item.title}}
        ident = (item.kind, item.url, item.since)
        if news is not None:
            key = f"q:{item.kind}:{item.url}:{item.since}"
            drafts.append(Draft(news, key, text.QUEUE_NEWS, params, item.url, None, ident))
        elif item.deadline is not None and item.deadline < day:
            key = f"q:overdue:{item.url}:{item.deadline}"
            drafts.append(
                Draft(Kind.OVERDUE, key, text.QUEUE_OVERDUE, params, item.url, item.deadline, ident)
            )
        elif item.deadline is not None and item.deadline <= soon:
            key = f"q:due:{item.url}:{item.deadline}"
            drafts.append(
                Draft(Kind.DUE_SOON, key, text.QUEUE_DUE, params, item.url, item.deadline, ident)
            )
    return drafts


def _translate_items(user: Any, day: date, drafts: list[Draft]) -> None:
    """Write the queue items' titles of these (new) drafts in the other languages, once: the
    queue is computed again in each language only when a new queue notification is made."""
    wanted = {d.item: d for d in drafts if d.item is not None}
    if not wanted:
        return
    for language in text.language_codes():
        if language == settings.LANGUAGE_CODE:
            continue
        with override(language):
            for item in queue_for(user, day):
                draft = wanted.get((item.kind, item.url, item.since))
                if draft is not None:
                    draft.params["item"][language] = item.title


def _mine(user: Any) -> Q | None:
    """The files whose next step the user does: a branch's own steps in its branches, the
    committee steps under a committee with approval authority (细则 arts. 19, 23)."""
    auth = authority(user)
    branches, approving = auth.branch_ids(), auth.approving_ids()
    parts = []
    if branches:
        parts.append(Q(org_id__in=branches) & ~Q(next_step__in=COMMITTEE_STEPS))
    if approving:
        parts.append(Q(org_id__in=approving, next_step__in=COMMITTEE_STEPS))
    if not parts:
        return None
    mine = parts[0]
    for part in parts[1:]:
        mine |= part
    return mine


def _from_files(user: Any, day: date) -> list[Draft]:
    mine = _mine(user)
    if mine is None:
        return []
    files = Candidate.objects.filter(mine, suspended=False).select_related("person")
    drafts = []
    for c in overdue_now(files, day).order_by("next_due", "pk")[:PER_RUN]:
        drafts.append(
            Draft(
                Kind.OVERDUE,
                f"file:overdue:{c.pk}:{c.next_step}:{c.next_due}",
                text.FILE_OVERDUE,
                _file_params(c),
                reverse("candidate", args=[c.pk]),
                c.next_due,
            )
        )
    soon = files.filter(next_due__gte=day, next_due__lte=day + timedelta(days=due_days()))
    for c in soon.order_by("next_due", "pk")[:PER_RUN]:
        drafts.append(
            Draft(
                Kind.DUE_SOON,
                f"file:due:{c.pk}:{c.next_step}:{c.next_due}",
                text.FILE_DUE,
                _file_params(c),
                reverse("candidate", args=[c.pk]),
                c.next_due,
            )
        )
    return drafts


def _file_params(c: Candidate) -> dict[str, Any]:
    # The name the line already shows to this account; never an ID number.
    due = c.next_due.isoformat() if c.next_due else ""
    return {"name": c.person.name, "step": c.next_step, "due": due}


def _campaigns_opened(user: Any, day: date) -> list[Draft]:
    senders = senders_for(user)
    if not senders:
        return []
    rows = (
        ReportSubmission.objects.filter(
            sender_id__in=senders,
            state=SubmissionState.NOT_STARTED,
            campaign__due__gte=day,
        )
        .select_related("campaign", "sender")
        .order_by("campaign__due", "pk")[:PER_RUN]
    )
    return [
        Draft(
            Kind.REPORT,
            f"campaign:open:{row.pk}",
            text.CAMPAIGN_OPEN,
            {
                "campaign_year": row.campaign.year,
                "campaign_kind": row.campaign.kind,
                "due": row.campaign.due.isoformat(),
                "org": row.sender.name,
            },
            reverse("reports:submission", args=[row.pk]),
            row.campaign.due,
        )
        for row in rows
    ]


def sync_user(user: Any, day: date | None = None) -> int:
    """Create the notifications `user` should have and does not; returns how many are new."""
    when = day or today()
    drafts = drafts_for(user, when)
    if not drafts:
        return 0
    have = set(
        Notification.objects.filter(user=user, key__in=[d.key for d in drafts]).values_list(
            "key", flat=True
        )
    )
    fresh = [d for d in drafts if d.key not in have]
    _translate_items(user, when, fresh)
    new = [
        Notification(
            user=user,
            kind=d.kind,
            key=d.key[:200],
            title=d.title[:300],
            code=d.code,
            params=d.params,
            url=d.url,
            deadline=d.deadline,
            created_on=when,
        )
        for d in fresh
    ]
    # ignore_conflicts: an event and the daily job racing on the same key make one row.
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def working_accounts() -> Any:
    """Accounts holding an active working role (the auditor and administrators have no work)."""
    return User.objects.filter(
        is_active=True, roles__active=True, roles__kind__in=sorted(SCOPED_KINDS)
    ).distinct()


def daily(day: date | None = None) -> tuple[int, int]:
    """The daily job: every working account's notifications; (accounts, new notifications)."""
    when = day or today()
    accounts = created = 0
    for user in working_accounts().order_by("pk"):
        accounts += 1
        created += sync_user(user, when)
    return accounts, created
