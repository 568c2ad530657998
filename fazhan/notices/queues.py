"""What waits for a user: notices to publish, feedback to handle, pre-reviews and approvals due.

`queue_for(user)` is shown on the home page. Each role sees its own work, scoped like every read
(DESIGN principle 6): a branch publishes notices, sends candidates to pre-review and hands out the
volunteer form; a committee with approval authority pre-reviews, talks, approves and files; anyone
who may write for a notice's organization handles its feedback. Oldest first, with the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from fazhan.notices.models import (
    Feedback,
    FeedbackState,
    Notice,
    NoticeEntry,
    NoticeKind,
    NoticeStatus,
)
from fazhan.people.models import Candidate, Stage
from fazhan.policy.calendar import add_months

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser

# Enough for a home page; the full lists are one click away.
PER_KIND = 50


@dataclass(frozen=True)
class QueueItem:
    kind: str  # notice_draft, notice_due, feedback, prereview_send, prereview, prereview_returned,
    # volunteer_form, approval, filing
    title: str
    candidate_id: int | None
    notice_id: int | None
    url: str
    since: date
    deadline: date | None


def notice_items(writable: set[int] | None, day: date) -> list[QueueItem]:
    """The notice part of the queue for the organizations a user writes for (None: everywhere)."""
    return [
        *_notice_drafts(writable),
        *_notices_due(writable, day),
        *_feedback(writable),
    ]


def _within(field: str, orgs: set[int] | None) -> Q:
    """`field` among `orgs`, or everywhere when `orgs` is None (a role at the root)."""
    return Q() if orgs is None else Q(**{f"{field}__in": orgs})


def _notice_drafts(orgs: set[int] | None) -> list[QueueItem]:
    drafts = Notice.objects.filter(_within("org_id", orgs), status=NoticeStatus.DRAFT)
    drafts = drafts.select_related("org")
    return [
        QueueItem(
            kind="notice_draft",
            title=_("待发布：%(title)s") % {"title": n.title},
            candidate_id=None,
            notice_id=n.pk,
            url=reverse("notices:detail", args=[n.pk]),
            since=n.created_at.date(),
            deadline=None,
        )
        for n in drafts.order_by("created_at")[:PER_KIND]
    ]


def _notices_due(orgs: set[int] | None, day: date) -> list[QueueItem]:
    """Candidates for whom the engine lists a notice as the next thing to do, once the decision
    it serves is near: the activist notice after the talk, the target notice in the last month of
    the year of cultivation (细则 art. 13), the conversion notice in the last month of probation."""
    from fazhan.notices.actions import offered_kinds

    kinds = {k.value for k in offered_kinds()}
    # Every home page asks: organizations holding no file at a stage a notice serves (a district
    # or a committee, whose files sit in its branches) are answered by one look at the index.
    stages = (Stage.APPLICANT, Stage.ACTIVIST, Stage.PROBATIONARY)
    if not Candidate.objects.filter(_within("org_id", orgs), stage__in=stages).exists():
        return []
    busy = NoticeEntry.objects.exclude(notice__status=NoticeStatus.CANCELLED).exclude(
        notice__status=NoticeStatus.PUBLISHED, notice__end__lt=day
    )
    pool = (
        Candidate.objects.here()
        .filter(_within("org_id", orgs), suspended=False)
        .exclude(pk__in=busy.values("candidate_id"))
        .select_related("person")
        # What the items below read: every home page runs these three queries.
        .only("org", "projection", "activist_on", "applied_on", "created_at", "person__name")
    )
    month = timedelta(days=31)
    wanted = {
        NoticeKind.ACTIVIST.value: pool.filter(stage=Stage.APPLICANT, next_step="N-ACT"),
        NoticeKind.TARGET.value: pool.filter(
            stage=Stage.ACTIVIST, activist_on__lte=add_months(day, -12) + month
        ),
        NoticeKind.CONVERSION.value: pool.filter(
            stage=Stage.PROBATIONARY, probation_end__lte=day + month
        ),
    }
    items = []
    for kind, candidates in wanted.items():
        if kind not in kinds:
            continue
        for c in candidates.order_by("pk")[: PER_KIND * 4]:
            step = next(
                (n for n in (c.projection or {}).get("next", []) if n.get("step") == kind), None
            )
            if step is None:
                continue
            since = _since(c, kind, step.get("earliest"))
            items.append(
                QueueItem(
                    kind="notice_due",
                    title=_("待公示：%(name)s（%(notice)s）")
                    % {"name": c.person.name, "notice": NoticeKind(kind).label},
                    candidate_id=c.pk,
                    notice_id=None,
                    url=reverse("notices:create") + f"?org={c.org_id}&kind={kind}",
                    since=since,
                    deadline=None,
                )
            )
    items.sort(key=lambda i: i.since)
    return items[:PER_KIND]


def _since(candidate: Candidate, kind: str, earliest: str | None) -> date:
    if earliest:
        return date.fromisoformat(earliest)
    if kind == NoticeKind.TARGET and candidate.activist_on is not None:
        return add_months(candidate.activist_on, 12) - timedelta(days=31)
    return candidate.applied_on or candidate.created_at.date()


def _feedback(orgs: set[int] | None) -> list[QueueItem]:
    items = Feedback.objects.filter(
        _within("notice__org_id", orgs), state=FeedbackState.PENDING
    ).select_related("notice", "entry__candidate__person")
    # What the items below read (the home page runs this on every visit).
    items = items.only(
        "received_on",
        "deadline",
        "handler",
        "notice__kind",
        "notice__end",
        "entry__candidate__person__name",
        "notice",
        "entry",
        "entry__candidate",
        "entry__candidate__person",
    )
    rows = []
    for f in items.order_by("received_on", "pk")[:PER_KIND]:
        who = f.entry.candidate.person.name if f.entry is not None else _("整份公示")
        missing = "" if f.handler_id else _("，未指定承办人")
        rows.append(
            QueueItem(
                kind="feedback",
                title=_("公示反馈 #%(n)s：%(who)s（%(notice)s%(missing)s）")
                % {
                    "n": f.pk,
                    "who": who,
                    "notice": f.notice.get_kind_display(),
                    "missing": missing,
                },
                candidate_id=f.entry.candidate_id if f.entry is not None else None,
                notice_id=f.notice_id,
                url=reverse("notices:feedback_detail", args=[f.pk]),
                since=f.received_on,
                deadline=f.deadline or f.notice.end,
            )
        )
    return rows
