"""Past facts with their paper and reason, the second person for an exception, and the 思想汇报
log: one `do_<verb>` each (DESIGN principles 4 and 5).

A past fact (补录) names the paper it comes from and why it was not recorded at the time; it is
never refused for a rule breach (the breach becomes a finding). A past fact that claims an
exception the rules allow (fazhan.policy.exceptions) is held as PENDING: the engine never sees it
until an account of the organization above the candidate's, not the recorder, confirms it; only
then is the step event appended. Request, confirmation and refusal are chain events.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.audit.chain import append_event, events_of
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.dossier.models import PastFact, PastStatus, SourceKind, ThoughtReport
from fazhan.people.actions import (
    Mode,
    _check_writer,
    _clean_payload,
    _document_with,
    _judge,
    _lock,
    do_record_step,
)
from fazhan.people.models import CLOSED_STAGES, Candidate
from fazhan.policy.exceptions import ALLOWS_EXCEPTION, allows_exception, exception_needed
from fazhan.policy.thoughts import Quarter

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    User = AbstractBaseUser

PRINCIPLE = "DESIGN 原则四（补录须注明出处、理由）"


def _check_source(source_kind: str, source_ref: str, reason: str) -> list[Reason]:
    problems = []
    if source_kind not in SourceKind.values:
        problems.append(
            Reason(_("补录须选择所依据的纸质材料（如入党申请书原件、支部大会会议记录）"), PRINCIPLE)
        )
    if not source_ref.strip():
        problems.append(Reason(_("补录须写明材料出处（如：支部大会会议记录第3页）"), PRINCIPLE))
    if not reason.strip():
        problems.append(Reason(_("补录须说明当时为何没有及时记录"), PRINCIPLE))
    return problems


def _past(source_kind: str, source_ref: str, reason: str) -> dict[str, Any]:
    return {"source_kind": source_kind, "source_ref": source_ref.strip(), "reason": reason.strip()}


def do_record_past_fact(
    user: User,
    candidate: Candidate | int,
    *,
    step: str,
    happened_on: date,
    source_kind: str,
    source_ref: str,
    reason: str,
    payload: Mapping[str, Any] | None = None,
    exception: bool = False,
    today: date | None = None,
) -> PastFact:
    """Record `step` as a past fact from a paper file, with its source and the reason it comes
    late. With `exception` (the rules' own, e.g. training short of three days) it waits for a
    second person of the organization above."""
    today = today or dates.today()
    problems = _check_source(source_kind, source_ref, reason)
    if happened_on > today:
        problems.append(
            Reason(_("日期 %(date)s 晚于今天，不能记录尚未发生的事") % {"date": happened_on})
        )
    raw = dict(payload or {})
    raw.pop("exception", None)  # only the second person's confirmation sets it
    if exception and not allows_exception(step):
        problems.append(Reason(_("%(step)s 没有规则允许的特殊情况") % {"step": step}))
    elif exception and not exception_needed(step, raw):
        problems.append(
            Reason(_("培训已达三天或二十四学时，不需要按特殊情况处理"), ALLOWS_EXCEPTION[step])
        )
    if problems:
        raise ActionRefused(problems)
    past = _past(source_kind, source_ref, reason)
    if exception:
        return _request_exception(
            user,
            candidate,
            step=step,
            happened_on=happened_on,
            raw=raw,
            past=past,
            today=today,
        )
    with transaction.atomic():
        event = do_record_step(
            user,
            candidate,
            step=step,
            happened_on=happened_on,
            payload=raw | {"past": past},
            mode=Mode.PAST,
            today=today,
        )
        existing = PastFact.objects.filter(event_seq=event.seq).first()
        if existing is not None:
            return existing  # two clerks, one paper: the second finds the first
        return PastFact.objects.create(
            candidate_id=candidate if isinstance(candidate, int) else candidate.pk,
            step=step,
            happened_on=happened_on,
            payload=raw,
            status=PastStatus.RECORDED,
            requested_by_id=user.pk,
            request_seq=event.seq,
            event_seq=event.seq,
            **past,
        )


def _request_exception(
    user: User,
    candidate: Candidate | int,
    *,
    step: str,
    happened_on: date,
    raw: dict[str, Any],
    past: dict[str, Any],
    today: date,
) -> PastFact:
    with transaction.atomic():
        locked = _lock(candidate)
        _check_writer(user, locked, step)
        parent = locked.org.parent_id
        if parent is None:
            raise ActionRefused(_("没有上级党组织可以确认这项特殊情况"))
        same = PastFact.objects.filter(
            candidate=locked, step=step, happened_on=happened_on, status=PastStatus.PENDING
        ).first()
        if same is not None:
            return same
        clean = _clean_payload(locked, step, raw, happened_on)
        # Unreadable data is refused now, not at the confirmation (principle 4).
        document = _document_with(
            locked,
            chain=events_of(locked.pk),
            kind=step,
            happened_on=happened_on,
            payload=clean | {"exception": True},
            as_of=today,
        )
        _judge(document, step)
        fact = PastFact.objects.create(
            candidate=locked,
            step=step,
            happened_on=happened_on,
            payload=raw,
            exception=True,
            status=PastStatus.PENDING,
            confirm_org_id=parent,
            requested_by_id=user.pk,
            **past,
        )
        event = append_event(
            kind="pastfact.requested",
            candidate_id=locked.pk,
            happened_on=today,
            payload={
                "past_fact_id": fact.pk,
                "step": step,
                "date": happened_on.isoformat(),
                "exception": True,
                "confirm_org_id": parent,
                "step_payload": clean,
                **past,
            },
            recorded_by_id=user.pk,
        )
        fact.request_seq = event.seq
        fact.save(update_fields=["request_seq"])
    return fact


def _decidable(user: User, fact_id: int) -> PastFact:
    """The pending fact, locked, if `user` is its second person: outside the scope is a 404."""
    fact = PastFact.objects.visible_to(user).select_for_update().filter(pk=fact_id).first()
    if fact is None:
        raise Http404(_("没有这项补录"))
    if fact.status != PastStatus.PENDING:
        raise ActionRefused(_("这项补录已经处理"))
    if fact.requested_by_id == user.pk:
        raise ActionRefused(Reason(_("特殊情况须由录入人以外的另一人确认"), PRINCIPLE))
    if fact.confirm_org_id is None or not authority(user).may_write(fact.confirm_org_id):
        raise ActionRefused(
            Reason(_("特殊情况须由上级党组织有权限的账号确认"), ALLOWS_EXCEPTION.get(fact.step, ""))
        )
    return fact


def do_confirm_past_fact(user: User, fact: PastFact | int) -> PastFact:
    """The second person confirms a pending exception: a confirmation event, then the step."""
    pk = fact if isinstance(fact, int) else fact.pk
    with transaction.atomic():
        found = _decidable(user, pk)
        today = dates.today()
        confirmation = append_event(
            kind="pastfact.confirmed",
            candidate_id=found.candidate_id,
            happened_on=today,
            payload={"past_fact_id": found.pk, "request_seq": found.request_seq},
            recorded_by_id=user.pk,
        )
        past = _past(found.source_kind, found.source_ref, found.reason) | {
            "request_seq": found.request_seq,
            "confirm_seq": confirmation.seq,
        }
        event = do_record_step(
            user,
            found.candidate_id,
            step=found.step,
            happened_on=found.happened_on,
            payload=dict(found.payload) | {"exception": True, "past": past},
            mode=Mode.PAST,
            today=today,
        )
        found.status = PastStatus.CONFIRMED
        found.decided_by_id = user.pk
        found.decided_at = timezone.now()
        found.event_seq = event.seq
        found.save(update_fields=["status", "decided_by", "decided_at", "event_seq"])
    return found


def do_decline_past_fact(user: User, fact: PastFact | int, *, note: str) -> PastFact:
    """The second person does not confirm the exception: nothing reaches the record."""
    if not note.strip():
        raise ActionRefused(_("不予确认须写明理由"))
    pk = fact if isinstance(fact, int) else fact.pk
    with transaction.atomic():
        found = _decidable(user, pk)
        append_event(
            kind="pastfact.declined",
            candidate_id=found.candidate_id,
            happened_on=dates.today(),
            payload={
                "past_fact_id": found.pk,
                "request_seq": found.request_seq,
                "reason": note.strip(),
            },
            recorded_by_id=user.pk,
        )
        found.status = PastStatus.DECLINED
        found.decided_by_id = user.pk
        found.decided_at = timezone.now()
        found.decision_note = note.strip()
        found.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return found


def do_record_thought_report(
    user: User,
    candidate: Candidate | int,
    *,
    received_on: date,
    period: Quarter | None = None,
    note: str = "",
    attachment_ref: str = "",
) -> ThoughtReport:
    """The branch records a 思想汇报 it received (a chain event; not one of the 25 steps)."""
    quarter = period or Quarter.of(received_on)
    if received_on > dates.today():
        raise ActionRefused(
            _("日期 %(date)s 晚于今天，不能记录尚未收到的思想汇报") % {"date": received_on}
        )
    if quarter.first_day > received_on:
        raise ActionRefused(
            _("%(date)s 收到的思想汇报不能属于以后的季度 %(q)s")
            % {"date": received_on, "q": quarter.label}
        )
    with transaction.atomic():
        locked = _lock(candidate)
        _check_writer(user, locked)
        if locked.stage in CLOSED_STAGES:
            raise ActionRefused(_("档案已结束，不再登记思想汇报"))
        same = ThoughtReport.objects.filter(
            candidate=locked,
            received_on=received_on,
            period_year=quarter.year,
            period_quarter=quarter.number,
            note=note.strip(),
        ).first()
        if same is not None:
            return same
        report = ThoughtReport.objects.create(
            candidate=locked,
            received_on=received_on,
            period_year=quarter.year,
            period_quarter=quarter.number,
            note=note.strip(),
            attachment_ref=attachment_ref.strip(),
            recorded_by_id=user.pk,
        )
        event = append_event(
            kind="thought.report",
            candidate_id=locked.pk,
            happened_on=received_on,
            payload={
                "report_id": report.pk,
                "period": quarter.label,
                "attachment": bool(report.attachment_ref),
            },
            recorded_by_id=user.pk,
        )
        report.seq = event.seq
        report.save(update_fields=["seq"])
    return report
