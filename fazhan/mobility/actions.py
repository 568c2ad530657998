"""Every mutation of the mobility app, one `do_<verb>` each (DESIGN principle 5).

The in-district transfer itself is people's: `do_transfer_out` (the outflow branch proposes) and
`do_transfer_in` (the inflow branch accepts, the file moves with its whole history, the member
roster follows through the projection). This module adds the refusal, the cooperation agreements
(seed 三(三): 双边共管, 委托培养, 跟踪教育, 授权考察), the organizations outside the district and
what they report, and the dated contacts with candidates away ("走出去、请回来", 结对).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhan.accounts.authority import authority
from fazhan.accounts.scope import reach
from fazhan.attachments.actions import do_record_step_with_files
from fazhan.audit.chain import append_event
from fazhan.audit.models import Event as ChainEvent
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.mobility.models import AgreementType, Cooperation, OutsideOrg
from fazhan.orgs.models import Organization
from fazhan.people.actions import Mode
from fazhan.people.models import (
    CLOSED_STAGES,
    Agreement,
    Candidate,
    CandidateOrgLink,
    LinkRole,
)
from fazhan.policy import mobility as rules

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from fazhan.accounts.models import User

SEED = "发展党员工作意见 三(三)"


def _lock(candidate: Candidate | int) -> Candidate:
    pk = candidate if isinstance(candidate, int) else candidate.pk
    return Candidate.objects.select_for_update().select_related("person", "org").get(pk=pk)


def _visible(user: User, candidate: Candidate) -> None:
    if not Candidate.objects.visible_to(user).filter(pk=candidate.pk).exists():
        raise Http404(_("没有这份档案"))


def _responsible(user: User, candidate: Candidate) -> None:
    """Agreements, outside reports and contacts are the responsible organization's work."""
    _visible(user, candidate)
    if not authority(user).may_write(candidate.org_id):
        raise ActionRefused(_("由负责该档案的党组织办理"))


def _here(candidate: Candidate) -> None:
    """A file sent out of the district is the receiving organization's now."""
    if candidate.departed_on is not None:
        raise ActionRefused(
            Reason(
                _("档案已于 %(date)s 转出区外") % {"date": candidate.departed_on},
                SEED,
            )
        )


def _not_future(day: date) -> None:
    if day > dates.today():
        raise ActionRefused(_("日期 %(date)s 晚于今天") % {"date": day})


# -- transfers ------------------------------------------------------------------------------------


def do_refuse_transfer(
    user: User, candidate: Candidate | int, *, happened_on: date, reason: str
) -> ChainEvent:
    """The inflow branch does not take the file over, and says why (细则 art. 12: it reviews the
    materials first). The file stays with its branch, which may propose again."""
    if not reason.strip():
        raise ActionRefused(_("不接收须写明理由"))
    _not_future(happened_on)
    with transaction.atomic():
        locked = _lock(candidate)
        scope = reach(user)
        links = CandidateOrgLink.objects.filter(
            candidate=locked, role=LinkRole.INFLOW, ended_on__isnull=True
        ).select_related("org")
        link = next((ln for ln in links if scope.everything or ln.org_id in scope.org_ids), None)
        if link is None:
            raise Http404(_("没有待接收的转接"))
        if not authority(user).may_write(link.org_id):
            raise ActionRefused(_("只读账号不能办理转接"))
        if happened_on < link.started_on:
            raise ActionRefused(
                _("不接收日期不能早于转出日期 %(date)s") % {"date": link.started_on}
            )
        link.ended_on = happened_on
        link.save(update_fields=["ended_on"])
        return append_event(
            kind="mobility.transfer-refused",
            candidate_id=locked.pk,
            happened_on=happened_on,
            payload={
                "from_org_id": locked.org_id,
                "to_org_id": link.org_id,
                "reason": reason.strip(),
            },
            recorded_by_id=user.pk,
        )


# -- cooperation agreements -----------------------------------------------------------------------


def do_open_cooperation(
    user: User,
    candidate: Candidate | int,
    *,
    kind: str,
    started_on: date,
    steps: list[str] | tuple[str, ...] | None = None,
    cooperating: Organization | None = None,
    outside: OutsideOrg | None = None,
    until: date | None = None,
    contact: str = "",
) -> Cooperation:
    """The responsible organization sets up an agreement with one cooperating organization (seed
    三(三)). In the district, the cooperating one sees the file and records the agreement's scope
    from now on; outside it, the responsible side records what it reports."""
    if kind not in rules.AGREEMENT_TYPES:
        raise ActionRefused(_("未知的协议类型"))
    if (cooperating is None) == (outside is None):
        raise ActionRefused(_("请选择一个协作党组织（区内或区外，二者选一）"))
    chosen = list(dict.fromkeys(steps if steps is not None else rules.DEFAULT_SCOPE[kind]))
    wrong = rules.scope_problems(kind, chosen)
    if wrong:
        raise ActionRefused(
            Reason(
                _("%(kind)s协议不能把 %(steps)s 交给协作方记录")
                % {"kind": AgreementType(kind).label, "steps": "、".join(wrong)},
                SEED,
            )
        )
    if kind in rules.NEEDS_CONTACT and not contact.strip():
        raise ActionRefused(Reason(_("跟踪教育须指定负责跟踪的联系人"), SEED))
    if until is not None and until < started_on:
        raise ActionRefused(_("约定结束日期不能早于开始日期"))
    _not_future(started_on)
    with transaction.atomic():
        locked = _lock(candidate)
        _responsible(user, locked)
        _here(locked)
        if locked.stage in CLOSED_STAGES:
            raise ActionRefused(_("档案已结束，不能签订协作协议"))
        if cooperating is not None:
            if cooperating.pk == locked.org_id:
                raise ActionRefused(_("协作党组织不能是负责该档案的党组织本身"))
            if cooperating.closed_on is not None:
                raise ActionRefused(_("「%(name)s」已撤销") % {"name": cooperating.name})
            if (
                Cooperation.objects.open()
                .filter(candidate=locked, cooperating=cooperating)
                .exists()
            ):
                raise ActionRefused(_("与该党组织已有生效的协作协议"))
        elif (
            outside is not None
            and not OutsideOrg.objects.visible_to(user).filter(pk=outside.pk).exists()
        ):
            raise Http404(_("没有这个区外党组织"))
        link = None
        if cooperating is not None:
            link = CandidateOrgLink.objects.create(
                candidate=locked,
                org=cooperating,
                role=LinkRole.COOPERATING,
                agreement=Agreement(kind),
                started_on=started_on,
            )
        row = Cooperation.objects.create(
            candidate=locked,
            kind=kind,
            responsible=locked.org,
            cooperating=cooperating,
            outside=outside,
            link=link,
            steps=chosen,
            contact=contact.strip(),
            started_on=started_on,
            until=until,
        )
        event = append_event(
            kind="mobility.agreement-opened",
            candidate_id=locked.pk,
            happened_on=started_on,
            payload={
                "agreement_id": row.pk,
                "type": kind,
                "responsible_org_id": locked.org_id,
                "cooperating_org_id": cooperating.pk if cooperating else None,
                "outside_org_id": outside.pk if outside else None,
                "steps": chosen,
                "until": until.isoformat() if until else None,
            },
            recorded_by_id=user.pk,
        )
        row.opened_seq = event.seq
        row.save(update_fields=["opened_seq"])
    return row


def do_end_cooperation(
    user: User, cooperation: Cooperation | int, *, ended_on: date, reason: str
) -> ChainEvent:
    """Either side ends the agreement (the candidate came back, moved on, or the term ran out)."""
    if not reason.strip():
        raise ActionRefused(_("结束协议须写明原因"))
    _not_future(ended_on)
    pk = cooperation if isinstance(cooperation, int) else cooperation.pk
    with transaction.atomic():
        row = Cooperation.objects.select_for_update().filter(pk=pk).first()
        if row is None or not Cooperation.objects.visible_to(user).filter(pk=pk).exists():
            raise Http404(_("没有这份协议"))
        held = authority(user)
        sides = [row.responsible_id] + ([row.cooperating_id] if row.cooperating_id else [])
        if not any(held.may_write(org) for org in sides):
            raise ActionRefused(_("只读账号不能结束协议"))
        if row.ended_on is not None:
            raise ActionRefused(_("该协议已于 %(date)s 结束") % {"date": row.ended_on})
        if ended_on < row.started_on:
            raise ActionRefused(_("结束日期不能早于开始日期 %(date)s") % {"date": row.started_on})
        row.ended_on, row.end_reason = ended_on, reason.strip()
        row.save(update_fields=["ended_on", "end_reason"])
        if row.link_id is not None:
            CandidateOrgLink.objects.filter(pk=row.link_id).update(ended_on=ended_on)
        return append_event(
            kind="mobility.agreement-ended",
            candidate_id=row.candidate_id,
            happened_on=ended_on,
            payload={"agreement_id": row.pk, "reason": reason.strip()},
            recorded_by_id=user.pk,
        )


# -- outside organizations ------------------------------------------------------------------------


def do_register_outside_org(
    user: User,
    *,
    registered_for: Organization,
    name: str,
    kind: str,
    contact: str,
    region: str = "",
) -> OutsideOrg:
    """An organization outside the district, with its contact; it has no accounts."""
    if not authority(user).may_write(registered_for.pk):
        raise Http404(_("没有这个组织"))
    if not name.strip() or not contact.strip():
        raise ActionRefused(_("请填写名称和联系人"))
    with transaction.atomic():
        row = OutsideOrg.objects.create(
            name=name.strip(),
            kind=kind,
            region=region.strip(),
            contact=contact.strip(),
            registered_for=registered_for,
            registered_by=user,
            registered_on=dates.today(),
        )
        append_event(
            kind="mobility.outside-registered",
            candidate_id=None,
            happened_on=row.registered_on,
            payload={"outside_org_id": row.pk, "org_id": registered_for.pk, "type": kind},
            recorded_by_id=user.pk,
        )
    return row


def do_record_outside_report(
    user: User,
    cooperation: Cooperation | int,
    *,
    step: str,
    happened_on: date,
    document: str,
    payload: Mapping[str, Any] | None = None,
    files: Sequence[UploadedFile] = (),
) -> ChainEvent:
    """What an outside organization reports under an agreement (an assessment letter, a 函调
    result) is recorded by the responsible side as a past fact with its document reference, the
    content the step asks (`payload`, as the step page gives it) and the scanned letter
    (`files`, kept like any step's scans: fazhan.attachments). DESIGN principle 4: a breach
    becomes a finding, it is not refused."""
    if not document.strip():
        raise ActionRefused(_("请填写来函的文号或材料编号"))
    pk = cooperation if isinstance(cooperation, int) else cooperation.pk
    row = Cooperation.objects.visible_to(user).filter(pk=pk, outside__isnull=False).first()
    if row is None:
        raise Http404(_("没有这份协议"))
    if row.ended_on is not None and happened_on > row.ended_on:
        raise ActionRefused(_("该协议已于 %(date)s 结束") % {"date": row.ended_on})
    if step not in row.steps:
        raise ActionRefused(Reason(_("协作协议的范围不包括 %(step)s") % {"step": step}, SEED))
    candidate = Candidate.objects.get(pk=row.candidate_id)
    _responsible(user, candidate)
    return do_record_step_with_files(
        user,
        candidate,
        step=step,
        happened_on=happened_on,
        payload=dict(payload or {})
        | {
            "outside_org_id": row.outside_id,
            "agreement_id": row.pk,
            "document": document.strip(),
            # Where the past fact comes from, as the 补录 log reads it (fazhan.dossier).
            "past": {
                "source_kind": "other",
                "source_ref": document.strip(),
                "reason": str(_("区外党组织按协作协议报来的材料")),
            },
        },
        files=files,
        mode=Mode.PAST,
    )


# -- contacts -------------------------------------------------------------------------------------


class ContactWay:
    VISIT = "visit"  # 走出去
    INVITE = "invite"  # 请回来
    PAIR = "pair"  # 结对联系
    LETTER = "letter"  # 函询、电话

    LABELS = {
        VISIT: gettext_lazy("走出去（上门联系）"),
        INVITE: gettext_lazy("请回来（回乡联系）"),
        PAIR: gettext_lazy("党员结对联系"),
        LETTER: gettext_lazy("电话、信函联系"),
    }


def do_record_contact(
    user: User, candidate: Candidate | int, *, happened_on: date, way: str
) -> ChainEvent:
    """A dated contact with a candidate away (seed 三(三): 结对 contacts and "走出去、请回来")."""
    if way not in ContactWay.LABELS:
        raise ActionRefused(_("未知的联系方式"))
    _not_future(happened_on)
    with transaction.atomic():
        locked = _lock(candidate)
        _visible(user, locked)
        _here(locked)
        held = authority(user)
        org_id = locked.org_id
        if not held.may_write(org_id):
            mine = [
                c.cooperating_id
                for c in Cooperation.objects.open().filter(candidate=locked)
                if c.cooperating_id and held.may_write(c.cooperating_id)
            ]
            if not mine:
                raise ActionRefused(_("只读账号不能记录联系"))
            org_id = mine[0]
        return append_event(
            kind="mobility.contact",
            candidate_id=locked.pk,
            happened_on=happened_on,
            payload={"way": way, "org_id": org_id},
            recorded_by_id=user.pk,
        )
