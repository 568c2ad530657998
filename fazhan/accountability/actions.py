"""What people do with a row of the register, one `do_<verb>` each (DESIGN principle 5).

The engine opens and closes rows by itself (fazhan.accountability.register); people add what the
engine cannot know: the organization's explanation of a breach, and the superior committee's
conclusion that closes it (区委意见 "责任追究制"). Each is one chain event on the file, carrying the
row's id and the finding's key, never the text (principle 8: the text stays in the register).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from fazhan.accountability.models import (
    Case,
    CaseState,
    ClosedBecause,
    Ground,
    Irregularity,
    Outcome,
    Party,
    Revocation,
    State,
    SupervisionTask,
    TaskNote,
    TaskState,
    Topic,
)
from fazhan.accountability.parties import propose
from fazhan.accounts.authority import authority
from fazhan.audit.chain import append_event
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, NotVisible, Reason
from fazhan.orgs.models import Organization
from fazhan.people.models import Candidate, Stage

if TYPE_CHECKING:
    from fazhan.accounts.models import User

# Long enough to say something (a conclusion is read by the inspectors), short enough for a form.
MIN_TEXT = 10
MAX_TEXT = 2000


def get_irregularity_for_user(user: User, pk: Any) -> Irregularity:
    try:
        return (
            Irregularity.objects.visible_to(user)
            .select_related("candidate__person", "org")
            .get(pk=pk)
        )
    except (Irregularity.DoesNotExist, ValueError, TypeError):
        raise NotVisible from None


def _locked(user: User, row: Irregularity | int) -> Irregularity:
    pk = row if isinstance(row, int) else row.pk
    get_irregularity_for_user(user, pk)  # outside the reach: 404, before any lock is taken
    return Irregularity.objects.select_for_update().get(pk=pk)


def _text(value: str, what: str) -> str:
    text = (value or "").strip()
    if len(text) < MIN_TEXT:
        raise ActionRefused(
            _("请填写%(what)s（至少 %(n)s 个字）。") % {"what": what, "n": MIN_TEXT}
        )
    if len(text) > MAX_TEXT:
        raise ActionRefused(_("%(what)s不能超过 %(n)s 个字。") % {"what": what, "n": MAX_TEXT})
    return text


def _event(user: User, row: Irregularity, verb: str) -> None:
    append_event(
        kind=f"irregularity.{verb}",
        candidate_id=row.candidate_id,
        happened_on=dates.today(),
        payload={
            "irregularity_id": row.pk,
            "org_id": row.org_id,
            "finding": row.finding,
            "step": row.step,
            "finding_date": row.finding_date.isoformat(),
            "state": row.state,
        },
        recorded_by_id=user.pk,
    )


def may_explain(user: User, row: Irregularity) -> bool:
    """The organization where the breach happened, or any organization above it, explains."""
    return authority(user).may_write(row.org_id)


def may_close(user: User, row: Irregularity) -> bool:
    """Only a committee above the organization (or the district) concludes: a branch does not
    close its own breach (责任追究制: the superior holds the lower level to account)."""
    power = authority(user)
    return power.writes_as_committee(row.org_id) and row.org_id not in power.branch_ids()


@transaction.atomic
def do_explain_irregularity(user: User, row: Irregularity | int, *, text: str) -> Irregularity:
    locked = _locked(user, row)
    if not may_explain(user, locked):
        raise ActionRefused(_("只有该组织或其上级组织的工作人员可以填写情况说明。"))
    if locked.state == State.CLOSED:
        raise ActionRefused(_("该记录已关闭，不能再填写情况说明。"))
    locked.explanation = _text(text, _("情况说明"))
    if locked.state == State.OPEN:
        locked.state = State.EXPLAINED
    locked.save(update_fields=["explanation", "state"])
    _event(user, locked, "explained")
    return locked


@transaction.atomic
def do_close_irregularity(user: User, row: Irregularity | int, *, conclusion: str) -> Irregularity:
    locked = _locked(user, row)
    if not may_close(user, locked):
        raise ActionRefused(_("只有上级党委或区委组织部的工作人员可以作出处理结论并关闭。"))
    if locked.state == State.CLOSED:
        raise ActionRefused(_("该记录已关闭。"))
    if locked.state == State.CASE:
        raise ActionRefused(_("该记录正在立案处理中，请在案件中作出处理结论。"))
    locked.conclusion = _text(conclusion, _("处理结论"))
    locked.state = State.CLOSED
    locked.closed_on = dates.today()
    locked.closed_because = ClosedBecause.DECIDED
    locked.save(update_fields=["conclusion", "state", "closed_on", "closed_because"])
    _event(user, locked, "closed")
    return locked


# -- cases (issue 15 item 2) -------------------------------------------------------------------

# 办结期限 by default: the register is reviewed with the half-year and year-end reports.
DEFAULT_CASE_DAYS = 60


def _case_event(user: User, case: Case, verb: str, **extra: Any) -> None:
    rows = list(case.irregularities.order_by("pk").values_list("pk", "candidate_id"))
    append_event(
        kind=f"case.{verb}",
        candidate_id=None,
        happened_on=dates.today(),
        payload={
            "case_id": case.pk,
            "org_id": case.org_id,
            "irregularity_ids": [pk for pk, _c in rows],
            "candidate_ids": sorted({c for _p, c in rows}),
            "state": case.state,
            **extra,
        },
        recorded_by_id=user.pk,
    )


def get_case_for_user(user: User, pk: Any) -> Case:
    try:
        return Case.objects.visible_to(user).select_related("org").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotVisible from None


def _locked_case(user: User, case: Case | int) -> Case:
    pk = case if isinstance(case, int) else case.pk
    get_case_for_user(user, pk)
    return Case.objects.select_for_update().get(pk=pk)


def may_open_case(user: User, rows: Sequence[Irregularity]) -> bool:
    return bool(rows) and all(may_close(user, row) for row in rows)


@transaction.atomic
def do_open_case(
    user: User,
    rows: Sequence[int],
    *,
    title: str,
    due_on: date | None = None,
) -> Case:
    """Open a case from rows of the register: they move to 立案处理中, the people to look at are
    proposed from the chain, and the case belongs to the committee the opener acts for."""
    ids = sorted({int(pk) for pk in rows})
    if not ids:
        raise ActionRefused(_("请至少选择一项登记记录。"))
    for pk in ids:
        get_irregularity_for_user(user, pk)  # 404 for a row outside the reach
    locked = list(Irregularity.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if not may_open_case(user, locked):
        raise ActionRefused(_("只有上级党委或区委组织部的工作人员可以立案。"))
    taken = [row for row in locked if row.state in (State.CASE, State.CLOSED)]
    if taken:
        raise ActionRefused(
            _("所选记录中有 %(n)s 项已关闭或已在案件中，不能再立案。") % {"n": len(taken)}
        )
    name = (title or "").strip()
    if not name:
        raise ActionRefused(_("请填写案由。"))
    today = dates.today()
    due = due_on or today + timedelta(days=DEFAULT_CASE_DAYS)
    if due < today:
        raise ActionRefused(_("办结期限不能早于今天。"))
    committees = {authority(user).acting_committee(row.org_id) for row in locked}
    # One committee over every row: the nearest the opener acts for over all of them.
    org = _common_committee([c for c in committees if c is not None])
    case = Case.objects.create(
        org=org, title=name[:200], opened_by=user, opened_on=today, due_on=due
    )
    for row in locked:
        row.state = State.CASE
        row.case = case
    Irregularity.objects.bulk_update(locked, ["state", "case"])
    Party.objects.bulk_create(
        Party(
            case=case,
            user_id=p.user_id,
            org_id=p.org_id,
            role_kind=p.role_kind,
            event_seq=p.event_seq,
            basis=p.basis,
        )
        for p in propose(locked)
    )
    _case_event(user, case, "opened", due_on=due.isoformat())
    return case


def _common_committee(committees: list[Organization]) -> Organization:
    """The lowest committee above all of them (they all lie on the opener's own paths)."""
    if not committees:
        raise ActionRefused(_("只有上级党委或区委组织部的工作人员可以立案。"))
    paths = [Organization.objects.ancestor_ids(c.pk) for c in committees]
    shared = [org for org in paths[0] if all(org in path for path in paths[1:])]
    return Organization.objects.get(pk=shared[0])


def may_handle_case(user: User, case: Case) -> bool:
    return authority(user).writes_as_committee(case.org_id)


def _check_case_writer(user: User, case: Case) -> None:
    if not may_handle_case(user, case):
        raise ActionRefused(_("只有立案组织及其上级的工作人员可以办理该案件。"))
    if case.state != CaseState.OPEN:
        raise ActionRefused(_("该案件已结案。"))


@transaction.atomic
def do_record_investigation(user: User, case: Case | int, *, text: str) -> Case:
    locked = _locked_case(user, case)
    _check_case_writer(user, locked)
    locked.investigation = _text(text, _("调查情况"))
    locked.save(update_fields=["investigation"])
    _case_event(user, locked, "investigated")
    return locked


@transaction.atomic
def do_decide_party(
    user: User,
    case: Case | int,
    party: Party | int,
    *,
    responsible: bool,
    outcome: str = "",
    note: str,
) -> Party:
    """Find one person responsible (with the outcome for them) or not, with the reason."""
    locked = _locked_case(user, case)
    _check_case_writer(user, locked)
    pk = party if isinstance(party, int) else party.pk
    try:
        person = Party.objects.select_for_update().get(pk=pk, case=locked)
    except Party.DoesNotExist:
        raise NotVisible from None
    if responsible and outcome not in Outcome.values:
        raise ActionRefused(_("认定负有责任的，须选择处理方式。"))
    person.responsible = responsible
    person.outcome = outcome if responsible else ""
    person.note = _text(note, _("认定理由"))
    person.save(update_fields=["responsible", "outcome", "note"])
    _case_event(
        user,
        locked,
        "decided",
        party_user_id=person.user_id,
        responsible=responsible,
        outcome=person.outcome,
    )
    return person


@transaction.atomic
def do_conclude_case(user: User, case: Case | int, *, remedy: str, conclusion: str) -> Case:
    """结案: every person looked at is decided; the rows close with the case's conclusion."""
    locked = _locked_case(user, case)
    _check_case_writer(user, locked)
    if not locked.investigation:
        raise ActionRefused(_("请先填写调查情况。"))
    undecided = locked.parties.filter(responsible__isnull=True).count()
    if undecided:
        raise ActionRefused(_("还有 %(n)s 名被提出的人员未作认定，不能结案。") % {"n": undecided})
    locked.remedy = _text(remedy, _("档案补救措施"))
    locked.conclusion = _text(conclusion, _("结案意见"))
    locked.state = CaseState.CONCLUDED
    locked.concluded_on = dates.today()
    locked.save(update_fields=["remedy", "conclusion", "state", "concluded_on"])
    rows = list(locked.irregularities.select_for_update())
    for row in rows:
        row.state = State.CLOSED
        row.closed_on = locked.concluded_on
        row.closed_because = ClosedBecause.DECIDED
        row.conclusion = locked.conclusion
    Irregularity.objects.bulk_update(rows, ["state", "closed_on", "closed_because", "conclusion"])
    _case_event(user, locked, "concluded")
    return locked


# -- 督查 tasks (issue 15 item 4) ---------------------------------------------------------------


def _task_event(user: User, task: SupervisionTask, verb: str) -> None:
    append_event(
        kind=f"supervision.{verb}",
        candidate_id=None,
        happened_on=dates.today(),
        payload={
            "task_id": task.pk,
            "org_id": task.org_id,
            "topic": task.topic,
            "due_on": task.due_on.isoformat(),
            "state": task.state,
        },
        recorded_by_id=user.pk,
    )


def get_task_for_user(user: User, pk: Any) -> SupervisionTask:
    try:
        return SupervisionTask.objects.visible_to(user).select_related("org").get(pk=pk)
    except (SupervisionTask.DoesNotExist, ValueError, TypeError):
        raise NotVisible from None


def may_assign(user: User, org_id: int) -> bool:
    """A committee supervises the organizations below it, never itself (督查 goes downwards)."""
    power = authority(user)
    return power.writes_as_committee(org_id) and org_id not in power.roots()


@transaction.atomic
def do_assign_task(
    user: User, *, org: Organization, topic: str, title: str, due_on: date
) -> SupervisionTask:
    if not Organization.objects.visible_to(user).filter(pk=org.pk).exists():
        raise NotVisible
    if not may_assign(user, org.pk):
        raise ActionRefused(_("只有上级党委或区委组织部的工作人员可以交办督查任务。"))
    if topic not in Topic.values:
        raise ActionRefused(_("请选择督查事项。"))
    text = (title or "").strip()
    if not text:
        raise ActionRefused(_("请填写督办要求。"))
    today = dates.today()
    if due_on < today:
        raise ActionRefused(_("办结期限不能早于今天。"))
    task = SupervisionTask.objects.create(
        org=org, topic=topic, title=text[:200], created_by=user, created_on=today, due_on=due_on
    )
    _task_event(user, task, "assigned")
    return task


def _locked_task(user: User, task: SupervisionTask | int) -> SupervisionTask:
    pk = task if isinstance(task, int) else task.pk
    get_task_for_user(user, pk)
    locked = SupervisionTask.objects.select_for_update().get(pk=pk)
    if locked.state != TaskState.OPEN:
        raise ActionRefused(_("该督查任务已办结。"))
    return locked


@transaction.atomic
def do_note_task(user: User, task: SupervisionTask | int, *, text: str) -> TaskNote:
    """跟进: the assigned organization reports, or the committee above asks again."""
    locked = _locked_task(user, task)
    if not authority(user).may_write(locked.org_id):
        raise ActionRefused(_("只有督办对象及其上级组织的工作人员可以填写跟进情况。"))
    note = TaskNote.objects.create(
        task=locked, written_by=user, written_on=dates.today(), text=_text(text, _("跟进情况"))
    )
    _task_event(user, locked, "noted")
    return note


@transaction.atomic
def do_close_task(user: User, task: SupervisionTask | int, *, result: str) -> SupervisionTask:
    locked = _locked_task(user, task)
    if not may_assign(user, locked.org_id):
        raise ActionRefused(_("只有交办的上级组织可以办结督查任务。"))
    locked.result = _text(result, _("办理结果"))
    locked.state = TaskState.CLOSED
    locked.closed_on = dates.today()
    locked.save(update_fields=["result", "state", "closed_on"])
    _task_event(user, locked, "closed")
    return locked


# -- 取消预备党员资格 (issue 15 item 3) -----------------------------------------------------------


@transaction.atomic
def do_propose_revocation(
    user: User, case: Case | int, candidate_id: int, *, ground: str, reason: str
) -> Revocation:
    """The case proposes to revoke a probationary membership it found irregular: the grounds are
    kept with the case; the branch meeting then decides (its 取消预备党员资格 motion) and the
    committee with authority approves (S24)."""
    locked = _locked_case(user, case)
    _check_case_writer(user, locked)
    rows = locked.irregularities.filter(candidate_id=candidate_id)
    if not rows.exists():
        raise ActionRefused(_("该档案不在本案件的登记记录中。"))
    candidate = Candidate.objects.select_for_update().get(pk=candidate_id)
    if candidate.stage != Stage.PROBATIONARY:
        raise ActionRefused(
            Reason(
                _("只能对预备党员提出取消预备党员资格（该同志目前为「%(stage)s」）。")
                % {"stage": candidate.get_stage_display()},
                "细则第三十三条",
            )
        )
    if ground not in Ground.values:
        raise ActionRefused(_("请选择理由类别。"))
    revocation = Revocation.objects.create(
        candidate=candidate,
        case=locked,
        ground=ground,
        reason=_text(reason, _("理由")),
        proposed_by=user,
        proposed_on=dates.today(),
    )
    append_event(
        kind="revocation.proposed",
        candidate_id=candidate.pk,
        happened_on=revocation.proposed_on,
        payload={"revocation_id": revocation.pk, "case_id": locked.pk, "ground": ground},
        recorded_by_id=user.pk,
    )
    return revocation
