"""Every change to activist education, one `do_<verb>` each (DESIGN principle 5): atomic, checked
against the one authority, one chain event `education.<verb>` with ids and counts."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.audit.chain import append_event
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, NotVisible
from fazhan.education.models import (
    Attendance,
    Form,
    Nomination,
    Outcome,
    Pairing,
    Source,
    TrainingClass,
)
from fazhan.orgs.models import Member, MemberStatus, Organization
from fazhan.people.models import Candidate, Stage

if TYPE_CHECKING:
    from fazhan.accounts.models import User

# The stages a training class, a helper or a recommendation is for: the pool (seed 3:1) and, for
# 推优, the applicants it turns into.
POOL_STAGES = (Stage.ACTIVIST, Stage.TARGET)


def _event(user: User, verb: str, candidate_id: int | None = None, **payload: Any) -> None:
    append_event(
        kind=f"education.{verb}",
        candidate_id=candidate_id,
        happened_on=dates.today(),
        payload=payload,
        recorded_by_id=user.pk,
    )


def _writer(user: User, org_id: int) -> None:
    if not Organization.objects.visible_to(user).filter(pk=org_id).exists():
        raise NotVisible
    if not authority(user).may_write(org_id):
        raise ActionRefused(_("只有本组织及上级组织的工作人员可以办理。"))


def _visible(model: Any, user: User, pk: Any) -> Any:
    try:
        return model.objects.visible_to(user).select_related("org").get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotVisible from None


def get_training_for_user(user: User, pk: Any) -> TrainingClass:
    found: TrainingClass = _visible(TrainingClass, user, pk)
    return found


def get_nomination_for_user(user: User, pk: Any) -> Nomination:
    found: Nomination = _visible(Nomination, user, pk)
    return found


@transaction.atomic
def do_open_training(
    user: User,
    *,
    org: Organization,
    title: str,
    form: str,
    starts_on: date,
    ends_on: date,
    hours: int,
) -> TrainingClass:
    _writer(user, org.pk)
    if form not in Form.values:
        raise ActionRefused(_("请选择培训形式。"))
    if not title.strip():
        raise ActionRefused(_("请填写培训班名称。"))
    if ends_on < starts_on:
        raise ActionRefused(_("结束日期不能早于开始日期。"))
    if not 1 <= hours <= 500:
        raise ActionRefused(_("学时应在 1 到 500 之间。"))
    training = TrainingClass.objects.create(
        org=org,
        title=title.strip()[:200],
        form=form,
        starts_on=starts_on,
        ends_on=ends_on,
        hours=hours,
        created_by=user,
    )
    _event(user, "training_opened", training_id=training.pk, org_id=org.pk, hours=hours)
    return training


@transaction.atomic
def do_record_attendance(
    user: User, training: TrainingClass, candidate: Candidate, *, hours: int, completed: bool
) -> Attendance:
    """One activist's or development target's attendance: within the class's hours, for a file
    the class's organization reaches (the class is held above the branches it trains)."""
    _writer(user, training.org_id)
    if not Candidate.objects.visible_to(user).filter(pk=candidate.pk).exists():
        raise NotVisible
    if candidate.org_id not in Organization.objects.subtree_ids([training.org_id]):
        raise ActionRefused(_("该对象不在举办组织的范围内。"))
    if candidate.stage not in POOL_STAGES:
        raise ActionRefused(_("积极分子培训只记录入党积极分子和发展对象。"))
    if not 0 <= hours <= training.hours:
        raise ActionRefused(_("实际学时应在 0 到 %(n)s 之间。") % {"n": training.hours})
    attendance, _created = Attendance.objects.update_or_create(
        training=training, candidate=candidate, defaults={"hours": hours, "completed": completed}
    )
    _event(
        user,
        "attended",
        candidate.pk,
        training_id=training.pk,
        hours=hours,
        completed=completed,
    )
    return attendance


@transaction.atomic
def do_pair(user: User, candidate: Candidate, member: Member, *, started_on: date) -> Pairing:
    """一帮一: a full member of the candidate's branch, not under 留党察看 without restored rights
    (the one who helps is an example, 党章 art. 7 and 40 as for contacts)."""
    if not Candidate.objects.visible_to(user).filter(pk=candidate.pk).exists():
        raise NotVisible
    _writer(user, candidate.org_id)
    if candidate.stage not in POOL_STAGES:
        raise ActionRefused(_("一帮一结对只针对入党积极分子和发展对象。"))
    if member.org_id != candidate.org_id or not member.active:
        raise ActionRefused(_("结对党员应是本支部在册党员。"))
    if member.status != MemberStatus.FULL or not member.may_vote:
        raise ActionRefused(_("结对党员应是正式党员，且未受留党察看处分。"))
    if started_on > dates.today():
        raise ActionRefused(_("结对日期不能晚于今天。"))
    current = Pairing.objects.select_for_update().filter(candidate=candidate, ended_on=None)
    for old in current:
        old.ended_on = started_on
        old.save(update_fields=["ended_on"])
    pairing = Pairing.objects.create(
        org_id=candidate.org_id, member=member, candidate=candidate, started_on=started_on
    )
    _event(user, "paired", candidate.pk, member_id=member.pk, pairing_id=pairing.pk)
    return pairing


@transaction.atomic
def do_receive_nomination(
    user: User, *, org: Organization, source: str, received_on: date, name: str, unit: str = ""
) -> Nomination:
    _writer(user, org.pk)
    if source not in Source.values:
        raise ActionRefused(_("请选择推荐单位。"))
    if not name.strip():
        raise ActionRefused(_("请填写姓名。"))
    if received_on > dates.today():
        raise ActionRefused(_("接收日期不能晚于今天。"))
    nomination = Nomination.objects.create(
        org=org, source=source, received_on=received_on, name=name.strip()[:64], unit=unit[:128]
    )
    _event(user, "nominated", nomination_id=nomination.pk, org_id=org.pk, source=source)
    return nomination


@transaction.atomic
def do_set_nomination_outcome(
    user: User,
    nomination: Nomination,
    *,
    outcome: str,
    candidate: Candidate | None = None,
    note: str = "",
) -> Nomination:
    """The outcome of one recommended name; an application or an activist names its file."""
    locked = Nomination.objects.select_for_update().get(pk=nomination.pk)
    _writer(user, locked.org_id)
    if outcome not in Outcome.values:
        raise ActionRefused(_("请选择结果。"))
    if outcome in (Outcome.APPLIED, Outcome.ACTIVIST) and candidate is None:
        raise ActionRefused(_("已递交申请或已确定为积极分子的，请选择其档案。"))
    if (
        candidate is not None
        and not Candidate.objects.visible_to(user).filter(pk=candidate.pk).exists()
    ):
        raise NotVisible
    if outcome == Outcome.NOT_ADOPTED and not note.strip():
        raise ActionRefused(_("未采纳的，请说明原因。"))
    locked.outcome = outcome
    locked.candidate = candidate if outcome in (Outcome.APPLIED, Outcome.ACTIVIST) else None
    locked.note = note.strip()[:255]
    locked.save(update_fields=["outcome", "candidate", "note"])
    _event(
        user,
        "nomination_outcome",
        locked.candidate_id,
        nomination_id=locked.pk,
        outcome=outcome,
    )
    return locked
