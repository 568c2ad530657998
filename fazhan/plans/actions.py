"""Every change to a plan, one `do_<verb>` each (DESIGN.md principle 5).

Each action is atomic, locks the plan, validates with `fazhan.policy.targets` and appends one chain
event `plan.<verb>` carrying ids and counts only (principle 8). Who may act: 区委组织部 staff on the
district's plan; a 党委/党工委's staff on the split of their own share (and the district's staff
above them). The auditor reads only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.audit.chain import append_event
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.orgs.models import Kind, Organization
from fazhan.plans.models import Plan, PlanShare, PlanState, share_document
from fazhan.policy import jsontext, targets

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    User = AbstractBaseUser

SPLIT_BASIS = "区委意见二（一）数量目标：指导性计划数"


def can_edit(user: User, org: Organization | int) -> bool:
    """District or sub-organization staff whose subtree holds `org` (branches do not plan)."""
    org_id = org if isinstance(org, int) else org.pk
    return authority(user).writes_as_committee(org_id)


def _check_writer(user: User, org: Organization) -> None:
    if not Organization.objects.visible_to(user).filter(pk=org.pk).exists():
        raise Http404(_("没有这个组织"))
    if not can_edit(user, org):
        raise ActionRefused(_("只有区委组织部或本级党委（党工委）的工作人员可以修改计划"))


def _event(user: User, verb: str, payload: Mapping[str, Any]) -> None:
    append_event(
        kind=f"plan.{verb}",
        candidate_id=None,
        happened_on=dates.today(),
        payload=dict(payload),
        recorded_by_id=user.pk,
    )


def shipped_document(name_or_path: str) -> tuple[dict[str, Any], str]:
    """A shipped plan's document by name (`seed`), else a plan file by path; with its source."""
    resource = resources.files(targets.PLANS_PACKAGE).joinpath(f"{name_or_path}.json")
    try:
        if resource.is_file():
            text = resource.read_text(encoding="utf-8")
            source = f"fazhan/policies/plans/{name_or_path}.json"
        else:
            path = Path(name_or_path)
            text = path.read_text(encoding="utf-8")
            source = str(path)
        data = jsontext.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ActionRefused(
            _("无法读取计划 %(name)s：%(error)s") % {"name": name_or_path, "error": error}
        ) from None
    if not isinstance(data, dict):
        raise ActionRefused(_("计划 %(name)s 不是 JSON 对象") % {"name": name_or_path})
    return data, source


def district_root() -> Organization:
    root = Organization.objects.filter(kind=Kind.DISTRICT, parent__isnull=True).order_by("pk")
    found = root.first()
    if found is None:
        raise ActionRefused(_("还没有区委组织"))
    return found


def _parse(document: Mapping[str, Any], origin: str) -> targets.Plan:
    try:
        return targets.parse_plan(dict(document), origin)
    except targets.PlanError as error:
        raise ActionRefused(str(error)) from None


def do_load_plan(
    user: User, *, name: str = "seed", year: int, org: Organization | None = None
) -> Plan:
    """Load a shipped plan (or a plan file) as the year's plan of `org` (the district)."""
    org = org or district_root()
    _check_writer(user, org)
    document, source = shipped_document(name)
    document["year"] = year
    parsed = _parse(document, name)
    with transaction.atomic():
        existing = Plan.objects.select_for_update().filter(org=org, year=year).first()
        if existing is not None and existing.state == PlanState.DRAFT:
            raise ActionRefused(
                _("%(org)s%(year)s年已有由各单位申请汇总的计划草案，请在计划页面修改或采用")
                % {"org": org.name, "year": year}
            )
        if existing is not None:
            raise ActionRefused(
                _("%(org)s%(year)s年已有发展党员计划，请在计划页面修改")
                % {"org": org.name, "year": year}
            )
        plan = Plan.objects.create(
            year=year,
            org=org,
            name=parsed.name,
            title=parsed.title,
            total=parsed.total,
            data=document,
            source=document.get("source") or source,
        )
        _event(
            user,
            "load",
            {
                "plan_id": plan.pk,
                "org_id": org.pk,
                "year": year,
                "total": plan.total,
                "targets": len(parsed.targets),
                "source": name,
            },
        )
    return plan


def _level(plan: Plan, parent: PlanShare | None) -> list[PlanShare]:
    return list(PlanShare.objects.filter(plan=plan, parent=parent).select_related("org"))


def _children_total(share: PlanShare) -> int | None:
    totals = list(share.children.values_list("total", flat=True))
    return sum(totals) if totals else None


def do_edit_plan(user: User, plan: Plan | int, *, document: Mapping[str, Any]) -> Plan:
    """Replace the plan's targets (and total) by `document`, validated as fazhan-plan/1."""
    with transaction.atomic():
        locked = (
            Plan.objects.select_for_update()
            .select_related("org")
            .get(pk=plan if isinstance(plan, int) else plan.pk)
        )
        _check_writer(user, locked.org)
        data = dict(document)
        data["year"] = locked.year
        parsed = _parse(data, _("%(year)s年计划") % {"year": locked.year})
        shares = _level(locked, None)
        summed = sum(s.total for s in shares)
        if shares and summed != parsed.total:
            raise ActionRefused(
                Reason(
                    _(
                        "计划数已分解到各单位（合计%(summed)s名），不能改为%(total)s名；"
                        "请先调整或清空分解"
                    )
                    % {"summed": summed, "total": parsed.total},
                    SPLIT_BASIS,
                )
            )
        before = {t.id for t in locked.parsed().targets}
        locked.data = data
        locked.total = parsed.total
        locked.title = parsed.title
        locked.name = parsed.name
        locked.save(update_fields=["data", "total", "title", "name", "updated_at"])
        _event(
            user,
            "edit",
            {
                "plan_id": locked.pk,
                "total": parsed.total,
                "targets": len(parsed.targets),
                "added": len({t.id for t in parsed.targets} - before),
                "removed": len(before - {t.id for t in parsed.targets}),
            },
        )
    return locked


def split_candidates(plan: Plan, parent: PlanShare | None) -> list[Organization]:
    """The organizations a level is split over: the direct children of the parent's org."""
    org = parent.org if parent is not None else plan.org
    return list(Organization.objects.filter(parent=org).order_by("code"))


def do_split(
    user: User,
    plan: Plan | int,
    *,
    shares: Mapping[int, int],
    parent: PlanShare | int | None = None,
    notes: Mapping[int, str] | None = None,
) -> list[PlanShare]:
    """Set the split of the plan's total (parent None) or of a share over the units below it.

    `shares` maps organization ids (direct children of the split organization) to numbers; they
    must add up to the parent's total (an empty mapping clears the level). Refused, in Chinese,
    when they do not, when a unit is not below the parent, or when a changed share has a split of
    its own that would no longer add up.
    """
    with transaction.atomic():
        locked = (
            Plan.objects.select_for_update()
            .select_related("org")
            .get(pk=plan if isinstance(plan, int) else plan.pk)
        )
        parent_share: PlanShare | None = None
        if parent is not None:
            parent_id = parent if isinstance(parent, int) else parent.pk
            try:
                parent_share = PlanShare.objects.select_related("org").get(
                    pk=parent_id, plan=locked
                )
            except PlanShare.DoesNotExist:
                raise Http404(_("没有这项分配")) from None
        owner = parent_share.org if parent_share is not None else locked.org
        _check_writer(user, owner)
        parent_total = parent_share.total if parent_share is not None else locked.total
        allowed = {o.pk: o for o in split_candidates(locked, parent_share)}
        clean: dict[int, int] = {}
        for org_id, number in shares.items():
            if org_id not in allowed:
                raise ActionRefused(
                    _("组织 %(id)s 不是%(owner)s的下级组织，不能参与分解")
                    % {"id": org_id, "owner": owner.name}
                )
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                name = allowed[org_id].name
                raise ActionRefused(
                    _("%(name)s的分配数必须是非负整数，实际为 %(number)s")
                    % {"name": name, "number": repr(number)}
                )
            clean[org_id] = number
        summed = sum(clean.values())
        if clean and summed != parent_total:
            diff = summed - parent_total
            more = _("多%(n)s名") % {"n": diff} if diff > 0 else _("少%(n)s名") % {"n": -diff}
            raise ActionRefused(
                Reason(
                    _(
                        "各单位分配数合计%(summed)s名，与%(owner)s的计划数%(total)s名不符"
                        "（%(more)s）。分解之和必须等于计划数"
                    )
                    % {"summed": summed, "owner": owner.name, "total": parent_total, "more": more},
                    SPLIT_BASIS,
                )
            )
        existing = {s.org_id: s for s in _level(locked, parent_share)}
        for org_id, share in existing.items():
            below = _children_total(share)
            if below is not None and clean.get(org_id) != below:
                raise ActionRefused(
                    _("%(org)s已进一步分解（合计%(below)s名），请先调整其下级分解再改变它的分配数")
                    % {"org": share.org.name, "below": below}
                )
        saved: list[PlanShare] = []
        for org_id, share in existing.items():
            if org_id not in clean:
                share.delete()
        for org_id, number in clean.items():
            note = (notes or {}).get(org_id, "")
            share_row = existing.get(org_id)
            if share_row is None:
                share_row = PlanShare.objects.create(
                    plan=locked, org=allowed[org_id], parent=parent_share, total=number, note=note
                )
            else:
                share_row.total = number
                share_row.note = note or share_row.note
                share_row.save(update_fields=["total", "note", "updated_at"])
            saved.append(share_row)
        _event(
            user,
            "split",
            {
                "plan_id": locked.pk,
                "parent_share_id": parent_share.pk if parent_share else None,
                "org_id": owner.pk,
                "units": len(clean),
                "total": summed,
            },
        )
    return saved


def do_set_share_targets(
    user: User, share: PlanShare | int, *, targets_data: Sequence[Any]
) -> PlanShare:
    """Give a share structure targets of its own (fazhan-plan/1 targets), or none ([])."""
    with transaction.atomic():
        share_id = share if isinstance(share, int) else share.pk
        locked = (
            PlanShare.objects.select_for_update().select_related("plan", "org").get(pk=share_id)
        )
        # The unit above the share sets its targets: the plan's issuer or the parent share's org.
        owner = locked.parent.org if locked.parent_id and locked.parent else locked.plan.org
        _check_writer(user, owner)
        data = list(targets_data)
        if locked.total > 0:
            document = share_document(
                locked.plan.data,
                total=locked.total,
                extra=data,
                name=f"{locked.plan.name}/{locked.org.code}",
                issuer=locked.org.name,
            )
            _parse(document, _("%(org)s的分配") % {"org": locked.org.name})
        elif data:
            raise ActionRefused(
                _("%(org)s的分配数为0，不能设定结构目标") % {"org": locked.org.name}
            )
        locked.targets = data
        locked.save(update_fields=["targets", "updated_at"])
        _event(
            user,
            "share_targets",
            {"plan_id": locked.plan_id, "share_id": locked.pk, "targets": len(data)},
        )
    return locked
