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

from fazhan.accounts.authority import authority
from fazhan.core.dates import today
from fazhan.notices.queues import QueueItem, notice_items
from fazhan.reports.actions import senders_for
from fazhan.reports.queues import report_items
from fazhan.reviews.queues import branch_items, committee_items

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser


def queue_for(user: UserLike, on: date | None = None) -> list[QueueItem]:
    """Everything waiting for `user`, oldest first (then the nearest deadline)."""
    day = on or today()
    auth = authority(user)
    if not auth.roots():
        return []  # the auditor, the system administrator, an outsider: nothing to do
    # District staff at the root of the tree reach every organization: no id list to filter by.
    writable = auth.writable_ids()
    branch_orgs = auth.branch_ids()
    approving = auth.approving_ids()
    items = notice_items(writable, day)
    # The branch side of pre-review falls to branch secretaries; committee work to committees
    # with approval authority (细则 arts. 19, 23).
    items += branch_items(branch_orgs, day)
    items += committee_items(approving, day)
    # A report the district reminded about or returned (Step 10): the sending committee's.
    items += report_items(senders_for(user), day)
    return sorted(items, key=lambda i: (i.since, i.deadline or date.max, i.title))
