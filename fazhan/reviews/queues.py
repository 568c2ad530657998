"""The pre-review and approval part of `fazhan.web.queues.queue_for`."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from fazhan.notices.queues import PER_KIND, QueueItem
from fazhan.people.models import Candidate, Stage
from fazhan.reviews.actions import prereview_working_days
from fazhan.reviews.checklist import due_in_working_days
from fazhan.reviews.models import Approval, ApprovalStep, PrereviewRequest, PrereviewState
from fazhan.reviews.reminders import approvals_waiting


def branch_items(orgs: set[int], day: date) -> list[QueueItem]:
    """Send targets to pre-review (S12), complete returned files, hand out the volunteer form."""
    if not orgs:
        return []
    items: list[QueueItem] = []
    pending = PrereviewRequest.objects.filter(state=PrereviewState.PENDING).values("candidate_id")
    ready = (
        Candidate.objects.here()
        .filter(org_id__in=orgs, stage=Stage.TARGET, suspended=False)
        .exclude(pk__in=pending)
        .select_related("person")
    )
    for c in ready.order_by("target_on", "pk")[: PER_KIND * 4]:
        steps = {n.get("step") for n in (c.projection or {}).get("next", [])}
        if not steps & {"S12", "S13"}:  # S13: reviewed by the branch, never sent
            continue
        latest = PrereviewRequest.objects.filter(candidate=c).order_by("-pk").first()
        returned = latest is not None and latest.state != PrereviewState.PASS
        items.append(
            QueueItem(
                kind="prereview_returned" if returned else "prereview_send",
                title=(
                    _("预审退回，补充后重报：%(name)s") % {"name": c.person.name}
                    if returned
                    else _("支部委员会审查后报送预审：%(name)s") % {"name": c.person.name}
                ),
                candidate_id=c.pk,
                notice_id=None,
                url=reverse("reviews:index") + f"#c{c.pk}",
                since=(latest.decided_on if returned and latest and latest.decided_on else None)
                or c.target_on
                or day,
                deadline=None,
            )
        )
    passed = PrereviewRequest.objects.filter(
        state=PrereviewState.PASS,
        s14_seq__isnull=True,
        candidate__org_id__in=orgs,
        candidate__stage=Stage.TARGET,
        candidate__departed_on__isnull=True,
    ).select_related("candidate__person")
    for r in passed.order_by("decided_on")[:PER_KIND]:
        items.append(
            QueueItem(
                kind="volunteer_form",
                title=_("预审同意，发放入党志愿书：%(name)s") % {"name": r.candidate.person.name},
                candidate_id=r.candidate_id,
                notice_id=None,
                url=reverse("reviews:prereview", args=[r.pk]),
                since=r.decided_on or r.sent_on,
                deadline=None,
            )
        )
    return items[: PER_KIND * 2]


def committee_items(orgs: set[int], day: date) -> list[QueueItem]:
    """Pre-reviews to answer, approvals due (S16, S17, S24) and filings (S18)."""
    if not orgs:
        return []
    items: list[QueueItem] = []
    requests = PrereviewRequest.objects.filter(
        state=PrereviewState.PENDING, candidate__org_id__in=orgs
    ).select_related("candidate__person", "from_org")
    days = prereview_working_days()
    for r in requests.order_by("sent_on", "pk")[:PER_KIND]:
        items.append(
            QueueItem(
                kind="prereview",
                title=_("预审：%(name)s（%(org)s）")
                % {"name": r.candidate.person.name, "org": r.from_org.name},
                candidate_id=r.candidate_id,
                notice_id=None,
                url=reverse("reviews:prereview", args=[r.pk]),
                since=r.sent_on,
                deadline=due_in_working_days(r.sent_on, days),
            )
        )
    waiting = approvals_waiting(Candidate.objects.here().filter(org_id__in=orgs), day)
    for w in waiting[:PER_KIND]:
        items.append(
            QueueItem(
                kind="approval",
                title=_("%(step)s 审批（%(label)s）：%(name)s（%(org)s）")
                % {"step": w.step, "label": w.label, "name": w.name, "org": w.org_name},
                candidate_id=w.candidate_id,
                notice_id=None,
                url=reverse("reviews:candidate", args=[w.candidate_id]),
                since=w.since,
                deadline=w.deadline,
            )
        )
    filings = Approval.objects.filter(
        step=ApprovalStep.ADMISSION,
        result="approved",
        filed_seq__isnull=True,
        candidate__org_id__in=orgs,
    ).select_related("candidate__person")
    for a in filings.order_by("meeting_on")[:PER_KIND]:
        items.append(
            QueueItem(
                kind="filing",
                title=_("报组织部门备案（S18）：%(name)s") % {"name": a.candidate.person.name},
                candidate_id=a.candidate_id,
                notice_id=None,
                url=reverse("reviews:candidate", args=[a.candidate_id]),
                since=a.meeting_on,
                deadline=None,
            )
        )
    return items
