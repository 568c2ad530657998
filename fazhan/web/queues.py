"""What waits for a user (the home page's queue), gathered from the apps that own the work.

Each role sees what waits for *it* (issue 14 item 4), scoped like every read (DESIGN principle 6):
- a branch (支部书记/组织委员): its own notices to draft and publish, feedback on them, candidates
  to send to pre-review (S12), volunteer forms to hand out, tasks assigned to it;
- a committee (党委/党工委): pre-reviews to answer (S13), talks and approvals due (S16, S17, S24),
  filings (S18) when it has approval authority (细则 art. 23); feedback on the notices it issued
  itself; reports the district reminded about or returned; its cases and tasks;
- the district: reports submitted for its review, feedback on its own notices, its cases and
  the supervision tasks assigned to it — never every branch's items.

Nearest deadline first; items without a deadline last, oldest first among them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.accounts.models import RoleKind
from fazhan.core.dates import today
from fazhan.notices.queues import PER_KIND, QueueItem, notice_items
from fazhan.reports.actions import senders_for
from fazhan.reports.models import ReportSubmission, SubmissionState
from fazhan.reports.queues import report_items
from fazhan.reviews.queues import branch_items, committee_items

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser


def by_deadline(item: QueueItem) -> tuple[bool, date, date, str]:
    """The queue's order: nearest deadline first, undated items last (oldest first)."""
    return (item.deadline is None, item.deadline or date.max, item.since, item.title)


def queue_for(user: UserLike, on: date | None = None) -> list[QueueItem]:
    """Everything waiting for `user`, nearest deadline first, undated last."""
    day = on or today()
    auth = authority(user)
    if not auth.roots():
        return []  # the auditor, the system administrator, an outsider: nothing to do
    own = set(auth.roots())  # the organizations of the user's roles themselves
    branch_orgs = auth.branch_ids()
    # Notices, their feedback and the notices due: those of the user's own organizations and of
    # the branches the user is secretary of (a committee's branches publish their own).
    items = notice_items(own | branch_orgs, day)
    # The branch side of pre-review falls to branch secretaries; committee work to committees
    # with approval authority (细则 arts. 19, 23).
    items += branch_items(branch_orgs, day)
    items += committee_items(auth.approving_ids(), day)
    # A report the district reminded about or returned (Step 10): the sending committee's.
    items += report_items(senders_for(user), day)
    # Reports submitted to the district for review: the district's.
    items += review_items(auth.roots(RoleKind.DISTRICT_STAFF), day)
    items += case_items(own, day)
    return sorted(items, key=by_deadline)


def review_items(districts: Iterable[int], day: date) -> list[QueueItem]:
    """Submitted reports of the campaigns these organizations opened, waiting to be returned or
    accepted (the consolidated report is due with the campaign)."""
    ids = list(districts)
    if not ids:
        return []
    rows = (
        ReportSubmission.objects.filter(campaign__org_id__in=ids, state=SubmissionState.SUBMITTED)
        .select_related("campaign", "sender")
        .order_by("campaign__due", "submitted_on", "pk")[:PER_KIND]
    )
    return [
        QueueItem(
            kind="report_review",
            title=_("审核%(campaign)s：%(org)s")
            % {"campaign": row.campaign, "org": row.sender.name},
            candidate_id=None,
            notice_id=None,
            url=reverse("reports:submission", args=[row.pk]),
            since=row.submitted_on or day,
            deadline=row.campaign.due,
        )
        for row in rows
    ]


def case_items(orgs: set[int], day: date) -> list[QueueItem]:
    """Open accountability cases opened by, and supervision tasks assigned to, these very
    organizations, with their deadlines (责任追究制, 督查)."""
    if not orgs:
        return []
    # Through the app registry: fazhan.accountability imports the web app (its exports), so a
    # module import here would close a loop between the packages (tests/test_layers.py).
    case_model = apps.get_model("accountability", "Case")
    task_model = apps.get_model("accountability", "SupervisionTask")
    items = [
        QueueItem(
            kind="case",
            title=_("责任追究案件：%(title)s") % {"title": case.title},
            candidate_id=None,
            notice_id=None,
            url=reverse("accountability:case", args=[case.pk]),
            since=case.opened_on,
            deadline=case.due_on,
        )
        for case in case_model.objects.filter(org_id__in=orgs, state="open")
        .only("title", "opened_on", "due_on")
        .order_by("due_on", "pk")[:PER_KIND]
    ]
    items += [
        QueueItem(
            kind="task",
            title=_("督查任务：%(title)s") % {"title": task.title},
            candidate_id=None,
            notice_id=None,
            url=reverse("accountability:task", args=[task.pk]),
            since=task.created_on,
            deadline=task.due_on,
        )
        for task in task_model.objects.filter(org_id__in=orgs, state="open")
        .only("title", "created_on", "due_on")
        .order_by("due_on", "pk")[:PER_KIND]
    ]
    return items
