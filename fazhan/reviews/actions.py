"""Pre-review, volunteer form, superior talk, approval and filing: one `do_<verb>` each (DESIGN
principle 5). The steps go through `fazhan.people.actions.do_record_step`, so the engine gates them
live (principle 4): S15 without a passed S13 is refused (prereview.missing), an S17 or S24 by a
committee without approval authority is refused (approval.unauthorized). What the engine does not
judge is checked here and cites its article: only the committee with approval authority
pre-reviews (细则 art. 19), and only a passed pre-review gets the volunteer form (art. 19:
"经预审合格的，发给入党志愿书").
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.audit.chain import append_event, events_of, read_head
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.orgs.models import Organization, nearest_approver
from fazhan.people.actions import do_record_step
from fazhan.people.models import Candidate, Stage
from fazhan.reviews.checklist import checklist, leaving_flags
from fazhan.reviews.models import (
    Approval,
    ApprovalStep,
    PrereviewRequest,
    PrereviewState,
    Talk,
)

if TYPE_CHECKING:
    from fazhan.accounts.models import User

ART19 = "细则第十九条；区委意见：发展党员预审制"
ART23 = "细则第二十三条（审批权限）"


def prereview_working_days() -> int:
    """Days the committee has to answer (a county rule: 7 working days, rules-reference §3.2)."""
    return int(getattr(settings, "FAZHAN_PREREVIEW_WORKING_DAYS", 7))


def approving_org(user: User, candidate: Candidate) -> Organization | None:
    """The committee with approval authority the user acts for over this candidate: the nearest
    sub-organization role at or above the candidate's branch whose organization may approve."""
    return authority(user).acting_committee(candidate.org_id, approving=True)


def _require_committee(user: User, candidate: Candidate) -> Organization:
    if not Candidate.objects.visible_to(user).filter(pk=candidate.pk).exists():
        raise Http404(_("没有这份档案"))
    org = approving_org(user, candidate)
    if org is None:
        raise ActionRefused(
            Reason(_("只有具有审批权限的基层党委才能预审和审批；本账号所在组织没有审批权限"), ART23)
        )
    return org


def _lock(pk: int) -> Candidate:
    return Candidate.objects.select_for_update().select_related("person", "org").get(pk=pk)


def _last(candidate_id: int, kind: str) -> Any:
    found = [e for e in events_of(candidate_id) if e.kind == kind]
    return found[-1] if found else None


# -- pre-review -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    candidate_id: int
    ok: bool
    reasons: tuple[Reason, ...] = ()
    request_id: int | None = None


def _send_one(
    user: User, pk: int, *, reviewed_on: date, opinion: str, batch: str, today: date
) -> PrereviewRequest:
    with transaction.atomic():
        candidate = _lock(pk)
        if not Candidate.objects.visible_to(user).filter(pk=pk).exists():
            raise Http404(_("没有这份档案"))
        if not authority(user).may_write(candidate.org_id):
            raise ActionRefused(_("只读账号不能报送预审"))
        if candidate.stage != Stage.TARGET:
            raise ActionRefused(
                Reason(
                    _("只有发展对象才能报送预审（现为%(stage)s）")
                    % {"stage": candidate.get_stage_display()},
                    ART19,
                )
            )
        if PrereviewRequest.objects.filter(
            candidate=candidate, state=PrereviewState.PENDING
        ).exists():
            raise ActionRefused(_("已报送预审，等待上级党委答复"))
        last13 = _last(pk, "S13")
        last12 = _last(pk, "S12")
        if last13 is not None and last13.payload.get("result") == "pass":
            raise ActionRefused(_("已经预审同意，无需再报"))
        to_org = nearest_approver(candidate.org_id)
        if to_org is None:
            raise ActionRefused(Reason(_("上级没有具有审批权限的党委，无法预审"), ART23))
        # The branch committee's review (S12) is recorded now unless one stands since the last
        # answer (an S12 after a returned or refused S13 is the review of the completed file).
        # The engine orders by date (S12 before S13 within a day), so that review must fall on a
        # later day than the answer that returned the file.
        answered = last13.happened_on if last13 is not None else None
        standing = last12 is not None and (
            answered is None or (last12.happened_on is not None and last12.happened_on > answered)
        )
        if standing:
            s12 = last12
        elif answered is not None and reviewed_on <= answered:
            raise ActionRefused(
                _("补充材料后的支部委员会审查日期须晚于上次预审日期 %(date)s") % {"date": answered}
            )

        else:
            s12 = do_record_step(user, candidate, step="S12", happened_on=reviewed_on)
        items = checklist(candidate, today)
        flags = leaving_flags(candidate, today)
        request = PrereviewRequest.objects.create(
            candidate=candidate,
            from_org=candidate.org,
            to_org=to_org,
            batch=batch,
            s12_on=s12.happened_on or reviewed_on,
            s12_seq=s12.seq,
            branch_opinion=opinion.strip(),
            sent_on=today,
            sent_by=user,
            checklist=[i.as_dict() for i in items],
            flags=flags,
        )
        append_event(
            kind="prereview.sent",
            candidate_id=candidate.pk,
            happened_on=today,
            payload={
                "request_id": request.pk,
                "to_org_id": to_org.pk,
                "s12_seq": s12.seq,
                "flags": len(flags),
            },
            recorded_by_id=user.pk,
        )
    return request


def do_send_to_prereview(
    user: User,
    candidate_ids: Sequence[int],
    *,
    reviewed_on: date,
    opinion: str = "",
) -> list[SendResult]:
    """The branch committee's review (S12) sends candidates, one by one or as a batch, to the
    committee with approval authority (细则 art. 19; seed 预审制). Each candidate in its own
    transaction: one refusal does not hold up the others."""
    today = dates.today()
    batch = uuid.uuid4().hex
    results = []
    for pk in dict.fromkeys(candidate_ids):
        try:
            request = _send_one(
                user, pk, reviewed_on=reviewed_on, opinion=opinion, batch=batch, today=today
            )
        except ActionRefused as refused:
            results.append(SendResult(pk, False, tuple(refused.reasons)))
        except (Http404, Candidate.DoesNotExist):
            results.append(SendResult(pk, False, (Reason(_("没有这份档案")),)))
        else:
            results.append(SendResult(pk, True, (), request.pk))
    return results


def do_decide_prereview(
    user: User,
    request: PrereviewRequest,
    *,
    result: str,
    decided_on: date,
    opinion: str,
) -> PrereviewRequest:
    """The committee passes, returns for completion or refuses, in writing, per candidate. S13
    goes to the chain with the result; the written opinion stays here (principle 8)."""
    if result not in (PrereviewState.PASS, PrereviewState.RETURNED, PrereviewState.FAIL):
        raise ActionRefused(_("预审结论应为：同意、退回补充或不同意"))
    if not opinion.strip():
        raise ActionRefused(Reason(_("预审意见须书面写明"), ART19))
    with transaction.atomic():
        locked = PrereviewRequest.objects.select_for_update().get(pk=request.pk)
        candidate = _lock(locked.candidate_id)
        _require_committee(user, candidate)
        if locked.state != PrereviewState.PENDING:
            raise ActionRefused(_("该预审已有结论"))
        if decided_on < locked.s12_on:
            raise ActionRefused(_("预审日期不能早于支部委员会审查日期"))
        event = do_record_step(
            user, candidate, step="S13", happened_on=decided_on, payload={"result": result}
        )
        locked.state = PrereviewState(result)
        locked.decided_on = decided_on
        locked.decided_by = user
        locked.opinion = opinion.strip()
        locked.s13_seq = event.seq
        locked.head_code = read_head().code
        locked.save(
            update_fields=["state", "decided_on", "decided_by", "opinion", "s13_seq", "head_code"]
        )
    return locked


def do_issue_volunteer_form(user: User, candidate: Candidate | int, *, issued_on: date) -> Any:
    """S14: the volunteer form goes only to a candidate whose latest pre-review passed (细则 art.
    19). The engine's order rule accepts any S13 before S14; this is the stricter gate."""
    pk = candidate if isinstance(candidate, int) else candidate.pk
    with transaction.atomic():
        locked = _lock(pk)
        last13 = _last(pk, "S13")
        if last13 is None or last13.payload.get("result") != "pass":
            raise ActionRefused(Reason(_("预审同意后才能发放入党志愿书"), ART19))
        if last13.happened_on and issued_on < last13.happened_on:
            raise ActionRefused(_("发放日期不能早于预审日期"))
        event = do_record_step(user, locked, step="S14", happened_on=issued_on)
        request = (
            PrereviewRequest.objects.filter(candidate=locked, state=PrereviewState.PASS)
            .order_by("-pk")
            .first()
        )
        if request is not None and request.s14_seq is None:
            request.s14_on = issued_on
            request.s14_seq = event.seq
            request.save(update_fields=["s14_on", "s14_seq"])
    return event


# -- talk, approval, filing -----------------------------------------------------------------------


def do_record_talk(
    user: User,
    candidate: Candidate | int,
    *,
    talked_on: date,
    talker: str,
    summary: str = "",
    payload: Mapping[str, Any] | None = None,
) -> Talk:
    """S16: the committee's talk with the candidate before approval (党章 art. 5). `payload`
    carries the talk's content (its 谈话人 by member id, place, summary) into the event, as the
    candidate page's step form does, so the candidate page shows it under the step."""
    if not talker.strip():
        raise ActionRefused(_("须写明谈话人"))
    pk = candidate if isinstance(candidate, int) else candidate.pk
    with transaction.atomic():
        locked = _lock(pk)
        _require_committee(user, locked)
        event = do_record_step(user, locked, step="S16", happened_on=talked_on, payload=payload)
        return Talk.objects.create(
            candidate=locked,
            talked_on=talked_on,
            talker=talker.strip()[:100],
            summary=summary.strip(),
            seq=event.seq,
            recorded_by=user,
        )


def collective_result(total: int, present: int, in_favour: int) -> str:
    """A committee decides collectively (细则 art. 23: 集体讨论、逐个表决): more than half of its
    members present, and approved when more than half of ALL members agree — the same strict
    majority of the whole body that 细则 art. 21 asks of a branch meeting. Local choice: the
    2014 细则 does not state the committee's quorum; docs/notices.md."""
    if total < 1 or present > total or in_favour > present:
        raise ActionRefused(_("委员人数不合理：到会不能多于委员总数，同意不能多于到会人数"))
    if present * 2 <= total:
        raise ActionRefused(
            Reason(_("到会委员未超过半数，不能审批"), "集体讨论决定（细则第二十三条）")
        )
    return "approved" if in_favour * 2 > total else "rejected"


def do_approve(
    user: User,
    candidate: Candidate | int,
    *,
    step: str,
    meeting_on: date,
    members_total: int,
    members_present: int,
    members_for: int,
    opinion: str = "",
) -> Approval:
    """S17 (admission) or S24 (conversion, extension, revocation), decided by the committee with
    approval authority at its meeting. `do_record_step` fills `approver.can_approve` from the acting
    organization, and the engine refuses an approval without authority (approval.unauthorized)."""
    if step not in (ApprovalStep.ADMISSION, ApprovalStep.CONVERSION):
        raise ActionRefused(_("审批步骤应为 S17 或 S24"))
    result = collective_result(members_total, members_present, members_for)
    pk = candidate if isinstance(candidate, int) else candidate.pk
    with transaction.atomic():
        locked = _lock(pk)
        if not Candidate.objects.visible_to(user).filter(pk=pk).exists():
            raise Http404(_("没有这份档案"))
        committee = approving_org(user, locked) or _any_committee(user, locked)
        event = do_record_step(
            user,
            locked,
            step=step,
            happened_on=meeting_on,
            payload={
                "result": result,
                "collective": {
                    "members": members_total,
                    "present": members_present,
                    "for": members_for,
                },
            },
        )
        return Approval.objects.create(
            candidate=locked,
            step=step,
            committee=committee,
            meeting_on=meeting_on,
            members_total=members_total,
            members_present=members_present,
            members_for=members_for,
            result=result,
            opinion=opinion.strip(),
            seq=event.seq,
            head_code=read_head().code,
            recorded_by=user,
        )


def _any_committee(user: User, candidate: Candidate) -> Organization:
    """The organization the user acts for even without authority: the engine will refuse it
    (approval.unauthorized) with the article; this only names who tried."""
    return authority(user).acting_committee(candidate.org_id) or candidate.org


def do_file_approval(user: User, approval: Approval, *, filed_on: date) -> Approval:
    """S18: the approving committee files the approval with the organization department above."""
    with transaction.atomic():
        locked = Approval.objects.select_for_update().get(pk=approval.pk)
        if locked.step != ApprovalStep.ADMISSION or locked.result != "approved":
            raise ActionRefused(_("只有批准接收预备党员的审批需要报备案"))
        if locked.filed_seq is not None:
            return locked
        if filed_on < locked.meeting_on:
            raise ActionRefused(_("备案日期不能早于审批日期"))
        event = do_record_step(user, locked.candidate_id, step="S18", happened_on=filed_on)
        locked.filed_on = filed_on
        locked.filed_seq = event.seq
        locked.save(update_fields=["filed_on", "filed_seq"])
    return locked
