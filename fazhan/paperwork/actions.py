"""The 入党志愿书 register: issue, use, spoil, lose. One `do_<verb>` each (DESIGN principle 5).

The district's organization department issues numbered forms to a committee with approval
authority; that committee gives one to a candidate whose pre-review passed (细则 art. 19, S14),
and records a spoiled (作废) or lost (遗失) form with its reason. A number is used once: the form
row is locked (select_for_update) before its state is read, and a partial unique constraint keeps
one form in use per candidate, so two clerks at once never give one number to two people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.audit.chain import append_event, events_of
from fazhan.core.errors import ActionRefused, NotVisible, Reason
from fazhan.orgs.models import Kind, Organization
from fazhan.paperwork.models import FormState, VolunteerForm, format_number
from fazhan.people.models import Candidate
from fazhan.people.record import is_record_kind

if TYPE_CHECKING:
    from fazhan.accounts.models import User

ART19 = "细则第十九条（经预审合格的，发给入党志愿书）"
# One issue at a time stays readable in the register and in one chain event.
MAX_ISSUE = 5000


@dataclass(frozen=True)
class Issued:
    committee_id: int
    first: int
    last: int
    seq: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1


def district_of(org: Organization) -> Organization:
    """The root of the organization's tree: numbers are unique within it."""
    ids = Organization.objects.ancestor_ids(org.pk)  # from the organization up to the root
    return Organization.objects.get(pk=ids[-1]) if ids else org


def do_issue_forms(
    user: User,
    committee: Organization | int,
    *,
    issued_on: date,
    first: int | None = None,
    last: int | None = None,
    count: int | None = None,
) -> Issued:
    """District staff issue the numbers first..last (or `count` numbers after the district's
    highest) to a committee with approval authority. A number already in the register, whoever
    holds it, refuses the whole issue: a number exists once in the district."""
    auth = authority(user)
    committee_id = committee if isinstance(committee, int) else committee.pk
    with transaction.atomic():
        target = Organization.objects.visible_to(user).filter(pk=committee_id).first()
        if target is None:
            raise NotVisible(_("没有找到该组织。"))
        if not auth.is_district_staff or not auth.may_write(target.pk):
            raise ActionRefused(_("只有区委组织部工作人员才能下发入党志愿书"))
        if target.kind != Kind.SUB or not target.can_approve:
            raise ActionRefused(
                Reason(_("入党志愿书只下发给具有审批权限的基层党委（由其预审后发放）"), ART19)
            )
        # The district row is the lock that serializes issues: concurrent issues of
        # overlapping ranges wait for each other, and the unique constraint stays the backstop.
        district = Organization.objects.select_for_update().get(pk=district_of(target).pk)
        in_district = VolunteerForm.objects.filter(district=district)
        if count is not None:
            if first is not None or last is not None:
                raise ActionRefused(_("请填写起止编号或数量，二者选一"))
            top = in_district.order_by("-number").values_list("number", flat=True).first()
            highest = top or 0
            first, last = highest + 1, highest + count
        if first is None or last is None:
            raise ActionRefused(_("请填写起止编号或数量"))
        if first < 1 or last < first:
            raise ActionRefused(_("起始编号须为正数，且不大于终止编号"))
        if last - first + 1 > MAX_ISSUE:
            raise ActionRefused(_("一次最多下发 %(n)d 份") % {"n": MAX_ISSUE})
        taken = list(
            in_district.filter(number__gte=first, number__lte=last)
            .order_by("number")
            .values_list("number", flat=True)[:5]
        )
        if taken:
            raise ActionRefused(
                _("编号已在本区登记，不能重复下发：%(numbers)s")
                % {"numbers": "、".join(format_number(n) for n in taken)}
            )
        event = append_event(
            kind="paperwork.issued",
            candidate_id=None,
            happened_on=issued_on,
            payload={
                "district_id": district.pk,
                "committee_id": target.pk,
                "first": first,
                "last": last,
                "count": last - first + 1,
            },
            recorded_by_id=user.pk,
        )
        try:
            with transaction.atomic():
                VolunteerForm.objects.bulk_create(
                    [
                        VolunteerForm(
                            district=district,
                            number=n,
                            committee=target,
                            issued_on=issued_on,
                            issued_by=user,
                            issue_seq=event.seq,
                        )
                        for n in range(first, last + 1)
                    ],
                    batch_size=1000,
                )
        except IntegrityError:
            raise ActionRefused(_("编号已在本区登记，不能重复下发")) from None
    return Issued(target.pk, first, last, event.seq)


def _lock_form(user: User, form: VolunteerForm | int) -> VolunteerForm:
    pk = form if isinstance(form, int) else form.pk
    if not VolunteerForm.objects.visible_to(user).filter(pk=pk).exists():
        raise NotVisible(_("没有找到该入党志愿书编号。"))
    return VolunteerForm.objects.select_for_update().get(pk=pk)


def _require_holder(user: User, form: VolunteerForm) -> None:
    """The committee holding the form (or the district above it) writes its register."""
    auth = authority(user)
    if not auth.writes_as_committee(form.committee_id):
        raise ActionRefused(_("只有领用该批入党志愿书的党委（或区委组织部）才能登记"))


def volunteer_state(candidate_id: int) -> tuple[bool, int | None]:
    """(whether the latest pre-review passed, the seq of an S14 recorded after it, if any)."""
    passed_seq: int | None = None
    s14: int | None = None
    for event in events_of(candidate_id):
        if not is_record_kind(event.kind):
            continue
        if event.kind == "S13":
            passed_seq = event.seq if event.payload.get("result") == "pass" else None
            s14 = None
        elif event.kind == "S14" and passed_seq is not None:
            s14 = event.seq
    return passed_seq is not None, s14


def do_use_form(
    user: User, candidate: Candidate | int, form: VolunteerForm | int, *, used_on: date
) -> VolunteerForm:
    """Give the numbered form to a candidate whose pre-review passed. S14 is recorded now through
    its owner's action (`reviews.do_issue_volunteer_form`) unless it already stands since that
    pre-review (a spoiled form replaced, or S14 recorded before the register)."""
    from fazhan.reviews.actions import do_issue_volunteer_form

    candidate_id = candidate if isinstance(candidate, int) else candidate.pk
    with transaction.atomic():
        if not Candidate.objects.visible_to(user).filter(pk=candidate_id).exists():
            raise NotVisible(_("没有找到该档案。"))
        # The candidate first, then the form: every path takes the locks in this order.
        locked = Candidate.objects.select_for_update().select_related("org").get(pk=candidate_id)
        row = _lock_form(user, form)
        _require_holder(user, row)
        if row.state != FormState.STOCK:
            raise ActionRefused(
                _("编号 %(number)s 已%(state)s，一个编号只能使用一次")
                % {"number": row.label, "state": row.get_state_display()}
            )
        above = Organization.objects.ancestor_ids(locked.org_id)
        if row.committee_id not in above:
            raise ActionRefused(_("该编号由其他党委领用，不能发给本档案"))
        in_use = VolunteerForm.objects.filter(candidate=locked, state=FormState.USED).first()
        if in_use is not None:
            raise ActionRefused(
                _("该发展对象已有入党志愿书（编号 %(number)s）；如已作废或遗失，请先登记")
                % {"number": in_use.label}
            )
        passed, s14_seq = volunteer_state(locked.pk)
        if not passed:
            raise ActionRefused(Reason(_("预审同意后才能发放入党志愿书"), ART19))
        if s14_seq is None:
            s14_seq = do_issue_volunteer_form(user, locked, issued_on=used_on).seq
        row.state = FormState.USED
        row.candidate = locked
        row.used_on = used_on
        row.used_by = user
        row.s14_seq = s14_seq
        event = append_event(
            kind="paperwork.used",
            candidate_id=locked.pk,
            happened_on=used_on,
            payload={
                "form_id": row.pk,
                "number": row.number,
                "committee_id": row.committee_id,
                "s14_seq": s14_seq,
            },
            recorded_by_id=user.pk,
        )
        row.use_seq = event.seq
        row.save(update_fields=["state", "candidate", "used_on", "used_by", "s14_seq", "use_seq"])
    return row


def do_close_form(
    user: User, form: VolunteerForm | int, *, state: str, closed_on: date, reason: str
) -> VolunteerForm:
    """Record a form spoiled (作废) or lost (遗失), in stock or in use, with its reason; the number
    is never used again. A candidate whose form this was may then receive another number."""
    if state not in (FormState.SPOILED, FormState.LOST):
        raise ActionRefused(_("只能登记作废或遗失"))
    if not reason.strip():
        raise ActionRefused(_("作废或遗失须写明原因"))
    with transaction.atomic():
        row = _lock_form(user, form)
        _require_holder(user, row)
        if row.state not in (FormState.STOCK, FormState.USED):
            raise ActionRefused(
                _("编号 %(number)s 已登记为%(state)s")
                % {"number": row.label, "state": row.get_state_display()}
            )
        if closed_on < (row.used_on or row.issued_on):
            raise ActionRefused(_("作废或遗失日期不能早于下发或发放日期"))
        row.state = FormState(state)
        row.closed_on = closed_on
        row.closed_by = user
        row.reason = reason.strip()[:500]
        event = append_event(
            kind=f"paperwork.{state}",
            candidate_id=row.candidate_id,
            happened_on=closed_on,
            payload={"form_id": row.pk, "number": row.number, "committee_id": row.committee_id},
            recorded_by_id=user.pk,
        )
        row.close_seq = event.seq
        row.save(update_fields=["state", "closed_on", "closed_by", "reason", "close_seq"])
    return row
