"""What waits for a user (the home page's queue): notices to publish, feedback to handle,
pre-reviews and approvals due, gathered from the apps that own them.

Each role sees its own work, scoped like every read (DESIGN principle 6): a branch publishes
notices, sends candidates to pre-review and hands out the volunteer form; a committee with approval
authority pre-reviews, talks, approves and files; anyone who may write for a notice's organization
handles its feedback. Oldest first, with the deadline.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from fazhan.accounts.models import RoleKind
from fazhan.accounts.scope import active_roles
from fazhan.core.dates import today
from fazhan.notices.queues import QueueItem, notice_items
from fazhan.orgs.models import Organization
from fazhan.reviews.queues import branch_items, committee_items

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser

WRITERS = (RoleKind.DISTRICT_STAFF, RoleKind.SUB_STAFF, RoleKind.BRANCH_SECRETARY)


def _roots(user: UserLike, kinds: tuple[str, ...]) -> set[int]:
    return {org for kind, org in active_roles(user) if kind in kinds and org is not None}


def queue_for(user: UserLike, on: date | None = None) -> list[QueueItem]:
    """Everything waiting for `user`, oldest first (then the nearest deadline)."""
    day = on or today()
    roots = _roots(user, WRITERS)
    if not roots:
        return []  # the auditor, the system administrator, an outsider: nothing to do
    # District staff at the root of the tree reach every organization: no id list to filter by.
    at_root = Organization.objects.filter(pk__in=roots, parent__isnull=True).exists()
    writable: set[int] | None = None if at_root else Organization.objects.subtree_ids(roots)
    branch_orgs = Organization.objects.subtree_ids(_roots(user, (RoleKind.BRANCH_SECRETARY,)))
    approving_roots = set(
        Organization.objects.filter(
            pk__in=_roots(user, (RoleKind.SUB_STAFF,)), can_approve=True
        ).values_list("pk", flat=True)
    )
    approving = Organization.objects.subtree_ids(approving_roots)
    items = notice_items(writable, day)
    # The branch side of pre-review falls to branch secretaries; committee work to committees
    # with approval authority (细则 arts. 19, 23).
    items += branch_items(branch_orgs, day)
    items += committee_items(approving, day)
    return sorted(items, key=lambda i: (i.since, i.deadline or date.max, i.title))
