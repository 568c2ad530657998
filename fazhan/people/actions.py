"""Every mutation of a candidate's record, one `do_<verb>` each (DESIGN.md principle 5).

Each action is atomic, locks its candidate, asks the engine, appends to the chain and re-projects
in the same transaction. Live recording refuses what the rules forbid, with the Chinese reason and
the article; recording past facts (digitising paper files, 补录) refuses only unreadable data and
keeps rule breaches as findings (principle 4). The same step recorded twice at the same moment by
two clerks is one event: the second waits for the lock and finds the first.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from fazhan.accounts.authority import (
    COMMITTEE_KINDS,
    authority,
    cooperation_for,
    cooperations_of,
)
from fazhan.accounts.scope import reach
from fazhan.audit.chain import append_event, events_of
from fazhan.audit.models import Event as ChainEvent
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.core.rulings import reason
from fazhan.holidays.table import current_table
from fazhan.members.history import members_on
from fazhan.orgs.models import Member, Organization
from fazhan.people.content import clean_content
from fazhan.people.models import Candidate, CandidateOrgLink, LinkRole, Person
from fazhan.people.record import (
    candidate_document,
    file_event,
    is_record_kind,
    member_names,
    project,
)
from fazhan.policy.engine import Evaluation, effective_events, evaluate
from fazhan.policy.live import live_refusals
from fazhan.policy.parse import Unreadable, parse_document
from fazhan.policy.voting import Tally, decide

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    User = AbstractBaseUser

# Steps taken by the superior committee (rules-reference §1, actor SC/OD): a branch secretary
# cannot record them for their own branch.
COMMITTEE_STEPS = frozenset({"S13", "S16", "S17", "S18", "S24"})
# The writer kind of an organization recording under a cooperation agreement (fazhan.mobility).
COOPERATING = "cooperating"


class Mode(StrEnum):
    LIVE = "live"  # happening now: the rules are gates
    PAST = "past"  # a fact from a paper file or a meeting held offline: recorded, breaches kept


# -- who may act --------------------------------------------------------------------------------


def _check_writer(
    user: User, candidate: Candidate, step: str | None = None, *, reopening: bool = False
) -> set[str]:
    """The kinds the user writes this file as; refusals in words. `reopening`: the one record a
    departed file takes, the void of its departure (fazhan.mobility.crossing)."""
    if not Candidate.objects.visible_to(user).filter(pk=candidate.pk).exists():
        raise Http404(_("没有这份档案"))
    if candidate.departed_on is not None and not reopening:
        # Sent out of the district (fazhan.mobility): the receiving district records from now on.
        raise ActionRefused(
            Reason(
                _("档案已于 %(date)s 转出区外，由接收的党组织继续记录，本区不能再记录")
                % {"date": candidate.departed_on},
                "细则第十二条；发展党员工作意见 三(三)",
            )
        )
    kinds = authority(user).writer_kinds(candidate.org_id)
    if not kinds and cooperations_of(user, candidate.pk):
        # A cooperating organization (fazhan.mobility): exactly the steps of its agreement.
        if step is None or cooperation_for(user, candidate.pk, step) is None:
            raise ActionRefused(
                Reason(
                    _("协作协议的范围不包括这项记录，由负责的党组织办理"),
                    "细则第十二条；发展党员工作意见 三(三)",
                )
            )
        kinds = {COOPERATING}
    if not kinds:
        raise ActionRefused(_("只读账号不能修改档案"))
    if step in COMMITTEE_STEPS and not kinds & COMMITTEE_KINDS:
        raise ActionRefused(
            Reason(
                _("%(step)s 由具有审批权限的基层党委办理，支部不能代为记录") % {"step": step},
                "细则第十九、二十三条",
            )
        )
    return kinds


def _lock(candidate: Candidate | int) -> Candidate:
    pk = candidate if isinstance(candidate, int) else candidate.pk
    return Candidate.objects.select_for_update().select_related("person", "org").get(pk=pk)


# -- the payload ----------------------------------------------------------------------------------


def _members_payload(raw: Sequence[Any], field: str, day: date) -> list[dict[str, Any]]:
    """Member ids (or Members) to the snapshots events record: the members on the roster on the
    step's date, with the status they had that day (Issue 12 item 4)."""
    ids = [m.pk if isinstance(m, Member) else m for m in raw]
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ActionRefused(_("%(field)s：应为党员名册中的党员") % {"field": field})
    found = members_on(ids, day)
    if len(found) != len(set(ids)):
        raise ActionRefused(
            _("%(field)s：有党员在 %(date)s 不在党员名册中") % {"field": field, "date": day}
        )
    return [found[i].snapshot() for i in ids]


def _clean_payload(
    candidate: Candidate, step: str, payload: Mapping[str, Any], day: date
) -> dict[str, Any]:
    clean = {k: copy.deepcopy(v) for k, v in payload.items() if k not in ("id", "type", "date")}
    for field in ("contacts", "introducers"):
        if field in clean:
            clean[field] = _members_payload(clean[field], field, day)
    if "content" in clean:  # what the step records besides its date (fazhan.people.content)
        clean["content"] = clean_content(candidate.org_id, step, clean["content"], day)
    if step in ("S15", "S23") and isinstance(clean.get("vote"), dict) and "result" not in clean:
        clean["result"] = _vote_result(clean["vote"])
    return clean


def _day(value: Any) -> date:
    """A replacement's date, as given (a date or its ISO text); today when unreadable (the
    judgement then names the bad date)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return dates.today()


def _vote_result(vote: Mapping[str, Any]) -> str:
    """The meeting's result follows from its counts (细则 arts. 20, 21), decided by
    fazhan.policy.voting: nobody types "pass", and no form decides it."""
    keys = ("expected", "present", "for", "against", "abstain", "issued", "returned")
    optional = ("written_for", "written_against", "written_abstain", "invalid")
    counts = {k: vote.get(k) for k in keys} | {k: vote.get(k) or 0 for k in optional}
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in counts.values()):
        raise ActionRefused(_("表决票数应为整数"))
    decision = decide(
        Tally(
            expected=counts["expected"],
            present=counts["present"],
            in_favour=counts["for"],
            against=counts["against"],
            abstain=counts["abstain"],
            written_for=counts["written_for"],
            written_against=counts["written_against"],
            written_abstain=counts["written_abstain"],
            issued=counts["issued"],
            returned=counts["returned"],
            invalid=counts["invalid"],
        )
    )
    return "pass" if decision.passed else "fail"


def _document_with(
    candidate: Candidate,
    *,
    chain: list[ChainEvent],
    kind: str,
    happened_on: date,
    payload: Mapping[str, Any],
    as_of: date,
) -> dict[str, Any]:
    document = candidate_document(candidate, chain, as_of)
    names = member_names([payload])
    document["events"].append(file_event(0, kind, happened_on, payload, names) | {"id": "new"})
    return document


def _judge(document: dict[str, Any], field_prefix: str) -> Evaluation:
    try:
        return evaluate(parse_document(document), table=current_table())
    except Unreadable as error:
        where = (error.field or "").replace(f"events[{len(document['events']) - 1}]", field_prefix)
        raise ActionRefused(
            _("数据无法读取：%(where)s：%(problem)s") % {"where": where, "problem": error.problem}
        ) from None


def _violations(result: Evaluation) -> set[tuple[str, str, date]]:
    return {(f.id, f.step, f.date) for f in result.findings if f.severity == "violation"}


def _same_event(
    chain: list[ChainEvent], kind: str, happened_on: date, payload: Mapping[str, Any]
) -> ChainEvent | None:
    for event in reversed(chain):
        if event.kind == kind and event.happened_on == happened_on and event.payload == payload:
            return event
    return None


# -- actions --------------------------------------------------------------------------------------


def do_create_candidate(
    user: User,
    *,
    org: Organization,
    name: str,
    sex: str,
    birth_date: date,
    id_number: str | None = None,
    mode: Mode = Mode.LIVE,
    **person_fields: Any,
) -> Candidate:
    """Open a candidate file in `org` (a branch the user reaches) for a new or known person."""
    if not authority(user).may_write(org.pk):
        raise Http404(_("没有这个组织"))
    if org.closed_on is not None:
        raise ActionRefused(_("「%(name)s」已撤销，不能接收档案") % {"name": org.name})
    with transaction.atomic():
        person = Person(name=name, sex=sex, birth_date=birth_date, **person_fields)
        if id_number:
            mismatches = person.set_id_number(id_number)
            if mismatches and mode == Mode.LIVE:
                raise ActionRefused([Reason(m, "GB 11643-1999") for m in mismatches])
            existing = Person.objects.with_id_number(id_number).first()
            if existing is not None:
                raise ActionRefused(_("该身份证号码已有档案（重复录入）"))
        person.full_clean(exclude=["id_number_index"] if mode == Mode.PAST else None)
        person.save()
        candidate = Candidate.objects.create(person=person, org=org)
        append_event(
            kind="candidate.opened",
            candidate_id=candidate.pk,
            happened_on=dates.today(),
            payload={"org_id": org.pk, "person_id": person.pk, "mode": str(mode)},
            recorded_by_id=user.pk,
        )
        project(candidate)
    return candidate


def do_record_step(
    user: User,
    candidate: Candidate | int,
    *,
    step: str,
    happened_on: date,
    payload: Mapping[str, Any] | None = None,
    mode: Mode = Mode.LIVE,
    today: date | None = None,
) -> ChainEvent:
    """Record that `step` (S01–S25, a notice, or a lifecycle event) happened on `happened_on`."""
    today = today or dates.today()
    with transaction.atomic():
        locked = _lock(candidate)
        kinds = _check_writer(user, locked, step)
        raw = dict(payload or {})
        if kinds == {COOPERATING}:
            # Which organization recorded it, under which agreement (Issue 16 item 2).
            right = cooperation_for(user, locked.pk, step)
            if right is not None:
                raw |= {"recorded_for_org_id": right.org_id, "agreement_id": right.agreement_id}
        if step in ("S17", "S24") and "approver" not in raw:
            acting = authority(user).acting_committee(locked.org_id)
            # 细则 art. 23: only a committee with approval authority approves.
            raw["approver"] = {"can_approve": bool(acting and acting.can_approve)}
        clean = _clean_payload(locked, step, raw, happened_on)
        chain = events_of(locked.pk)
        record = [e for e in chain if is_record_kind(e.kind)]
        duplicate = _same_event(record, step, happened_on, clean)
        if duplicate is not None:
            return duplicate  # two clerks, one step: the second finds the first
        if happened_on > today:
            raise ActionRefused(
                _("日期 %(date)s 晚于今天，不能记录尚未发生的事") % {"date": happened_on}
            )
        document = _document_with(
            locked, chain=chain, kind=step, happened_on=happened_on, payload=clean, as_of=today
        )
        after = _judge(document, step)
        if mode == Mode.LIVE:
            _gate_live(locked, chain=chain, step=step, after=after, today=today)
        event = append_event(
            kind=step,
            candidate_id=locked.pk,
            happened_on=happened_on,
            payload=clean | ({"mode": "past"} if mode == Mode.PAST else {}),
            recorded_by_id=user.pk,
        )
        project(locked)
    return event


def _gate_live(
    candidate: Candidate,
    *,
    chain: list[ChainEvent],
    step: str,
    after: Evaluation,
    today: date,
) -> None:
    # The rules' own live gates (closed, suspended, repeats, the volunteer form): fazhan.policy.
    current = parse_document(candidate_document(candidate, chain, today))
    refusals = live_refusals(
        effective_events(current.events, today),
        step=step,
        stage=str(candidate.stage),
        suspended=candidate.suspended,
    )
    if refusals:
        raise ActionRefused(reason(refusals[0]))
    before = evaluate(current, table=current_table())
    new = _violations(after) - _violations(before)
    if new:
        reasons = [
            Reason(f.message, f.basis, f.id)
            for f in after.findings
            if (f.id, f.step, f.date) in new
        ]
        raise ActionRefused(reasons)


def do_correct_event(
    user: User,
    candidate: Candidate | int,
    *,
    seq: int,
    replacement: Mapping[str, Any] | None = None,
    void: bool = False,
    reason: str,
    reopening_departure: bool = False,
) -> ChainEvent:
    """Supersede an earlier event with a corrected one, or void it (a new event; nothing is
    edited). The corrected record is judged like any past fact: breaches become findings.

    `reopening_departure` is for fazhan.mobility's void of a departure only: it lets a departed
    file take the void of a `transfer-out`, and nothing else."""
    if not reason.strip():
        raise ActionRefused(_("更正须说明理由"))
    if (replacement is None) == (not void):
        raise ActionRefused(_("更正须给出替换内容，或声明作废，二者选一"))
    with transaction.atomic():
        locked = _lock(candidate)
        chain = events_of(locked.pk)
        target = next((e for e in chain if e.seq == seq and is_record_kind(e.kind)), None)
        reopening = (
            reopening_departure and void and target is not None and target.kind == "transfer-out"
        )
        _check_writer(user, locked, reopening=reopening)
        if target is None or target.kind == "correct":
            raise ActionRefused(_("要更正的事件不在这份档案中"))
        payload: dict[str, Any] = {"supersedes": str(seq), "reason": reason.strip()}
        if void:
            payload["void"] = True
        else:
            assert replacement is not None
            kind = replacement.get("type", target.kind)
            when = replacement.get("date", target.happened_on)
            when_text = when.isoformat() if isinstance(when, date) else str(when)
            inner = _clean_payload(locked, kind, replacement, _day(when))
            payload["replacement"] = {"type": kind, "date": when_text, **inner}
        today = dates.today()
        document = _document_with(
            locked, chain=chain, kind="correct", happened_on=today, payload=payload, as_of=today
        )
        _judge(document, "replacement")
        event = append_event(
            kind="correct",
            candidate_id=locked.pk,
            happened_on=today,
            payload=payload,
            recorded_by_id=user.pk,
        )
        project(locked)
    return event


def _lifecycle(
    user: User,
    candidate: Candidate | int,
    kind: str,
    happened_on: date,
    payload: Mapping[str, Any] | None = None,
) -> ChainEvent:
    return do_record_step(user, candidate, step=kind, happened_on=happened_on, payload=payload)


def do_suspend(
    user: User, candidate: Candidate | int, *, happened_on: date, reason: str = ""
) -> ChainEvent:
    """暂缓: the file stays at its stage and its clocks keep running (contracts §1)."""
    return _lifecycle(user, candidate, "suspend", happened_on, {"reason": reason} if reason else {})


def do_resume(user: User, candidate: Candidate | int, *, happened_on: date) -> ChainEvent:
    pk = candidate if isinstance(candidate, int) else candidate.pk
    last = max(
        (e.happened_on for e in events_of(pk) if e.kind == "suspend" and e.happened_on),
        default=None,
    )
    # Within one day a resume sorts before a suspend (contracts §1), so it would not lift it.
    if last is not None and happened_on <= last:
        raise ActionRefused(_("恢复日期须晚于暂缓日期 %(date)s") % {"date": last})
    return _lifecycle(user, candidate, "resume", happened_on)


def do_withdraw(
    user: User, candidate: Candidate | int, *, happened_on: date, reason: str
) -> ChainEvent:
    """撤回申请: closes the file; why it ends is part of the record (全程纪实)."""
    if not reason.strip():
        raise ActionRefused(_("撤回申请须写明理由"))
    return _lifecycle(user, candidate, "withdraw", happened_on, {"reason": reason.strip()})


def do_reject(
    user: User, candidate: Candidate | int, *, happened_on: date, reason: str
) -> ChainEvent:
    """不予发展: closes the file; the organization states why (全程纪实)."""
    if not reason.strip():
        raise ActionRefused(_("不予发展须写明理由"))
    return _lifecycle(user, candidate, "reject", happened_on, {"reason": reason.strip()})


def do_transfer_out(
    user: User, candidate: Candidate | int, *, to_org: Organization, happened_on: date
) -> ChainEvent:
    """细则 art. 12: the old organization hands the file over; cultivation time is continuous.
    The receiving organization sees the file from now on and accepts it with do_transfer_in."""
    if to_org.kind != "branch":
        raise ActionRefused(_("只能转到党支部"))
    if to_org.closed_on is not None:
        raise ActionRefused(_("「%(name)s」已撤销，不能接收档案") % {"name": to_org.name})
    with transaction.atomic():
        locked = _lock(candidate)
        if locked.org_id == to_org.pk:
            raise ActionRefused(_("已在该组织"))
        payload = {
            "from_org": locked.org.name,
            "to_org": to_org.name,
            "from_org_id": locked.org_id,
            "to_org_id": to_org.pk,
        }
        event = do_record_step(
            user, locked, step="transfer-out", happened_on=happened_on, payload=payload
        )
        CandidateOrgLink.objects.get_or_create(
            candidate=locked,
            org=to_org,
            role=LinkRole.INFLOW,
            ended_on=None,
            defaults={"started_on": happened_on},
        )
    return event


def do_transfer_in(user: User, candidate: Candidate | int, *, happened_on: date) -> ChainEvent:
    """The receiving organization reviews the materials and takes the file over (细则 art. 12)."""
    with transaction.atomic():
        locked = _lock(candidate)
        scope = reach(user)
        links = CandidateOrgLink.objects.filter(
            candidate=locked, role=LinkRole.INFLOW, ended_on__isnull=True
        )
        link = next((ln for ln in links if scope.everything or ln.org_id in scope.org_ids), None)
        if link is None:
            raise Http404(_("没有待接收的转接"))
        if not authority(user).may_write(link.org_id):
            raise ActionRefused(_("只读账号不能接收转接"))
        old = locked.org
        payload = {
            "from_org": old.name,
            "to_org": link.org.name,
            "from_org_id": old.pk,
            "to_org_id": link.org_id,
        }
        event = append_event(
            kind="transfer-in",
            candidate_id=locked.pk,
            happened_on=happened_on,
            payload=payload,
            recorded_by_id=user.pk,
        )
        locked.org = link.org
        locked.save(update_fields=["org"])
        link.ended_on = happened_on
        link.save(update_fields=["ended_on"])
        project(locked)
    return event


@dataclass(frozen=True)
class BatchResult:
    candidate_id: int
    ok: bool
    reasons: tuple[Reason, ...] = ()
    seq: int | None = None


def do_record_step_batch(
    user: User,
    candidate_ids: Sequence[int],
    *,
    step: str,
    happened_on: date,
    payload: Mapping[str, Any] | None = None,
    mode: Mode = Mode.LIVE,
) -> list[BatchResult]:
    """One step for many candidates (a party-school class, a half-year assessment, a committee
    meeting): each candidate is judged on its own and recorded in its own transaction, so one
    refusal does not hold up the others."""
    results = []
    for pk in dict.fromkeys(candidate_ids):
        try:
            event = do_record_step(
                user, pk, step=step, happened_on=happened_on, payload=payload, mode=mode
            )
        except ActionRefused as refused:
            results.append(BatchResult(pk, False, tuple(refused.reasons)))
        except (Http404, Candidate.DoesNotExist):
            results.append(BatchResult(pk, False, (Reason(_("没有这份档案")),)))
        else:
            results.append(BatchResult(pk, True, (), event.seq))
    return results
