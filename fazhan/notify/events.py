"""Notifications made at the moment something happens, not only by the daily job: the accounts of
the organization concerned and of those above it are brought up to date once the transaction
commits (a failed recording notifies no one). Hooks, so that no other app imports this one:
- a single file's projection saved (a step recorded, a pre-review or approval decided): due soon,
  overdue now, returned; a bulk re-projection waits for the daily job;
- feedback received on a notice; a report submission opened, reminded, returned or submitted;
- an accountability case or a supervision task saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from fazhan.accounts.models import SCOPED_KINDS, User
from fazhan.orgs.models import Organization


def accounts_over(org_ids: Iterable[int]) -> list[User]:
    """The working accounts with an active role at these organizations or above them."""
    orgs: set[int] = set()
    for org_id in set(org_ids):
        orgs.update(Organization.objects.ancestor_ids(org_id))
    if not orgs:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            roles__active=True,
            roles__kind__in=sorted(SCOPED_KINDS),
            roles__org_id__in=orgs,
        ).distinct()
    )


def refresh(org_ids: Iterable[int]) -> None:
    """After the commit: bring the notifications of the accounts concerned up to date."""
    wanted = sorted(set(org_ids))
    if not wanted:
        return

    def run() -> None:
        from fazhan.notify.produce import sync_user

        for user in accounts_over(wanted):
            sync_user(user)

    # robust: a notification that fails is logged, never the recording that caused it.
    transaction.on_commit(run, robust=True)


def _projected(candidates: Sequence[Any]) -> None:
    if len(candidates) == 1:  # one recording; bulk re-projections wait for the daily job
        refresh([candidates[0].org_id])


def _feedback_saved(sender: Any, instance: Any, created: bool, **_: Any) -> None:
    if created:
        refresh([instance.notice.org_id])


def _submission_saved(sender: Any, instance: Any, **_: Any) -> None:
    refresh([instance.sender_id, instance.campaign.org_id])


def _org_saved(sender: Any, instance: Any, **_: Any) -> None:
    refresh([instance.org_id])


def connect() -> None:
    from fazhan.accountability.models import Case, SupervisionTask
    from fazhan.notices.models import Feedback
    from fazhan.people.record import register_projection_listener
    from fazhan.reports.models import ReportSubmission

    register_projection_listener(_projected)
    post_save.connect(_feedback_saved, sender=Feedback, dispatch_uid="notify.feedback")
    post_save.connect(_submission_saved, sender=ReportSubmission, dispatch_uid="notify.report")
    post_save.connect(_org_saved, sender=Case, dispatch_uid="notify.case")
    post_save.connect(_org_saved, sender=SupervisionTask, dispatch_uid="notify.task")
