"""Next year's plan from below (seed 四: 12月下旬上报**年发展党员工作计划).

Each organization directly below the district requests its number and structure for next year
(`PlanRequest`: draft → submitted, withdrawn to change it). The district sees every request
against this year's results and activist pools (`fazhan.people.counts.report_counts`, the one
counting function), rolls the submitted requests up into a draft `Plan` for next year whose shares
are the requests, runs the existing allocation on it, and adopts it: from then on it is next
year's plan, as if `do_load_plan` had loaded it. Every change is one `do_<verb>`, atomic, locked
and logged on the chain (`plan.request_save`, `plan.request_submit`, `plan.request_withdraw`,
`plan.roll_up`, `plan.adopt`; ids, dates and counts only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.orgs.models import Organization
from fazhan.people.counts import CountsReport, report_counts
from fazhan.plans.actions import _event, _parse, can_edit, district_root, shipped_document
from fazhan.plans.models import (
    Plan,
    PlanRequest,
    PlanShare,
    PlanState,
    RequestState,
    share_document,
)
from fazhan.policy import requests as rules
from fazhan.policy import targets

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    User = AbstractBaseUser

REQUEST_BASIS = "区委意见四：12月下旬上报下一年度发展党员工作计划"
ROLL_UP_SOURCE = "requests"
ROLL_UP_ORIGIN = "各单位计划申请汇总"


# -- who ------------------------------------------------------------------------------------------


def requesters() -> list[Organization]:
    """The organizations that send a plan request: those directly below the district."""
    return list(Organization.objects.filter(parent=district_root()).order_by("code"))


def can_request(user: User, org: Organization) -> bool:
    """The requesting organization's own committee staff (not the district's, who read)."""
    auth = authority(user)
    district = district_root()
    return (
        org.parent_id == district.pk
        and auth.writes_as_committee(org.pk)
        and not auth.writes_as_committee(district.pk)
    )


def _requester(user: User, org: Organization) -> None:
    if not Organization.objects.visible_to(user).filter(pk=org.pk).exists():
        raise Http404(_("没有这个组织"))
    if org.parent_id != district_root().pk:
        raise ActionRefused(_("只有区委直接管理的党委（党工委）报送下一年度计划"))
    if not can_request(user, org):
        raise ActionRefused(_("只有%(org)s的工作人员可以填写本单位的计划申请") % {"org": org.name})


def adopted_plan(year: int) -> Plan | None:
    return Plan.objects.filter(org=district_root(), year=year, state=PlanState.ADOPTED).first()


def _open_year(year: int) -> None:
    today = dates.today()
    if not today.year <= year <= today.year + 1:
        raise ActionRefused(
            _("只能申请%(this)s年或%(next)s年的计划，不能申请%(year)s年")
            % {"this": today.year, "next": today.year + 1, "year": year}
        )
    if adopted_plan(year) is not None:
        raise ActionRefused(
            Reason(
                _("%(year)s年计划已经采用，不能再修改申请") % {"year": year},
                REQUEST_BASIS,
            )
        )


# -- the request ----------------------------------------------------------------------------------


def _structure(raw: Mapping[str, Any], total: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, value in raw.items():
        if key not in rules.STRUCTURE_KEYS:
            raise ActionRefused(_("未知的结构类别：%(key)s") % {"key": key})
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ActionRefused(
                _("%(name)s必须是非负整数，实际为 %(value)s")
                % {"name": targets.CATEGORY_LABELS[key], "value": repr(value)}
            )
        if value:
            out[key] = value
    return out


def do_save_plan_request(
    user: User,
    org: Organization,
    year: int,
    *,
    total: int,
    structure: Mapping[str, Any],
    justification: str = "",
) -> PlanRequest:
    """Create or change the organization's draft request for `year` (a withdrawn one becomes a
    draft again). Refused once submitted (withdraw first) or once the year's plan is adopted."""
    _requester(user, org)
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ActionRefused(_("申请发展数必须是非负整数，实际为 %(v)s") % {"v": repr(total)})
    clean = _structure(structure, total)
    with transaction.atomic():
        # The organization's row serializes the first save of a request (no row to lock yet).
        Organization.objects.select_for_update().filter(pk=org.pk).first()
        _open_year(year)
        request = PlanRequest.objects.select_for_update().filter(org=org, year=year).first()
        if request is not None and request.state == RequestState.SUBMITTED:
            raise ActionRefused(_("申请已上报，如需修改请先撤回"))
        if request is None:
            request = PlanRequest(org=org, year=year)
        request.total = total
        request.structure = clean
        request.justification = justification.strip()
        request.state = RequestState.DRAFT
        request.submitted_on = None
        request.save()
        _event(
            user,
            "request_save",
            {
                "request_id": request.pk,
                "org_id": org.pk,
                "year": year,
                "total": total,
                "categories": len(clean),
            },
        )
    return request


def _locked(request: PlanRequest | int) -> PlanRequest:
    pk = request if isinstance(request, int) else request.pk
    return PlanRequest.objects.select_for_update().select_related("org").get(pk=pk)


def do_submit_plan_request(user: User, request: PlanRequest | int) -> PlanRequest:
    """Send the draft to the district (dated today). Flags do not stop it: the district sees
    them (judged when read, against the pool of that day: no count under the lock)."""
    with transaction.atomic():
        locked = _locked(request)
        _requester(user, locked.org)
        _open_year(locked.year)
        if locked.state != RequestState.DRAFT:
            state = locked.get_state_display()
            raise ActionRefused(_("只有草稿可以上报（当前：%(s)s）") % {"s": state})
        locked.state = RequestState.SUBMITTED
        locked.submitted_on = dates.today()
        locked.save(update_fields=["state", "submitted_on", "updated_at"])
        _event(
            user,
            "request_submit",
            {
                "request_id": locked.pk,
                "org_id": locked.org_id,
                "year": locked.year,
                "total": locked.total,
                "categories": len(dict(locked.structure)),
            },
        )
    return locked


def do_withdraw_plan_request(user: User, request: PlanRequest | int) -> PlanRequest:
    """Take a submitted request back (to change it); refused once the year's plan is adopted."""
    with transaction.atomic():
        locked = _locked(request)
        _requester(user, locked.org)
        _open_year(locked.year)
        if locked.state != RequestState.SUBMITTED:
            raise ActionRefused(_("只有已上报的申请可以撤回"))
        locked.state = RequestState.WITHDRAWN
        locked.save(update_fields=["state", "updated_at"])
        _event(
            user,
            "request_withdraw",
            {"request_id": locked.pk, "org_id": locked.org_id, "year": locked.year},
        )
    return locked


# -- the rules the requests are judged by -------------------------------------------------------


def reference_document(year: int) -> dict[str, Any]:
    """The plan whose rules judge requests for `year`: this year's adopted district plan, else
    the shipped seed plan; dated `year`."""
    current = adopted_plan(year - 1)
    document = current.document() if current is not None else shipped_document("seed")[0]
    document["year"] = year
    return document


def reference_plan(year: int) -> targets.Plan:
    return _parse(reference_document(year), _("%(year)s年计划") % {"year": year})


def default_as_of(year: int) -> date:
    """This year's results as of today, at the latest 31 December of the year before `year`."""
    return min(dates.today(), date(year - 1, 12, 31))


def cut_off(year: int) -> date:
    """The year-end report's cut-off (12月20日) of the year before `year`."""
    return date(year - 1, 12, 20)


def pool_of(org: Organization, as_of: date) -> int:
    counts = report_counts(org, start=date(as_of.year, 1, 1), as_of=as_of)
    return counts.root.counts.activists


def flags_of(
    request: PlanRequest, *, pool: int | None = None, plan: targets.Plan | None = None
) -> list[rules.Flag]:
    if pool is None:
        pool = pool_of(request.org, default_as_of(request.year))
    plan = plan or reference_plan(request.year)
    return rules.check_request(request.total, dict(request.structure), pool, plan)


# -- the district's overview ----------------------------------------------------------------------


@dataclass
class Row:
    org: Organization
    request: PlanRequest | None
    developed: int  # this year's results as of the overview's date
    pool: int
    share: int | None  # this year's share of the district plan, if split
    flags: list[rules.Flag] = field(default_factory=list)

    @property
    def counted(self) -> bool:
        return self.request is not None and self.request.state == RequestState.SUBMITTED


@dataclass
class Overview:
    year: int
    as_of: date
    plan: targets.Plan
    rows: list[Row]
    requested: int
    structure: dict[str, int]
    developed: int
    pool: int
    flags: list[rules.Flag]
    draft: Plan | None
    adopted: Plan | None

    @property
    def submitted(self) -> int:
        return sum(1 for r in self.rows if r.counted)


def overview(year: int, as_of: date) -> Overview:
    district = district_root()
    plan = reference_plan(year)
    report: CountsReport = report_counts(district, start=date(as_of.year, 1, 1), as_of=as_of)
    by_org = {c.org.pk: c for c in report.children}
    requests = {r.org_id: r for r in PlanRequest.objects.filter(year=year).select_related("org")}
    current = adopted_plan(year - 1)
    shares: dict[int, int] = {}
    if current is not None:
        shares = dict(
            PlanShare.objects.filter(plan=current, parent=None).values_list("org_id", "total")
        )
    rows: list[Row] = []
    summed: dict[str, int] = {}
    for org in requesters():
        counts = by_org[org.pk].counts if org.pk in by_org else None
        request = requests.get(org.pk)
        pool = counts.activists if counts else 0
        row = Row(org, request, counts.developed if counts else 0, pool, shares.get(org.pk))
        if request is not None and request.state != RequestState.WITHDRAWN:
            row.flags = rules.check_request(request.total, dict(request.structure), pool, plan)
        if row.counted and request is not None:
            for key, value in dict(request.structure).items():
                summed[key] = summed.get(key, 0) + int(value)
        rows.append(row)
    requested = sum(r.request.total for r in rows if r.counted and r.request)
    pool = report.root.counts.activists
    whole = rules.check_request(requested, summed, pool, plan, whole=True) if requested else []
    found = Plan.objects.filter(org=district, year=year).first()
    return Overview(
        year=year,
        as_of=as_of,
        plan=plan,
        rows=rows,
        requested=requested,
        structure=summed,
        developed=report.root.counts.developed,
        pool=pool,
        flags=whole,
        draft=found if found is not None and found.state == PlanState.DRAFT else None,
        adopted=found if found is not None and found.state == PlanState.ADOPTED else None,
    )


# -- rolling up and adopting ----------------------------------------------------------------------


def _draft_document(year: int, total: int) -> dict[str, Any]:
    document = reference_document(year)
    before = document.get("total")
    document["total"] = total
    document["name"] = f"{ROLL_UP_SOURCE}-{year}"
    document["title"] = _("发展党员计划（各单位申请汇总）")
    document["source"] = ROLL_UP_ORIGIN
    kept = []
    for raw in document.get("targets", []):
        if (
            isinstance(raw, dict)
            and raw.get("kind") == "aspiration"
            and raw.get("category") == targets.DEVELOPED
            and raw.get("abs") == before
        ):
            kept.append(raw | {"abs": total})
        else:
            kept.append(raw)
    document["targets"] = kept
    return document


def do_roll_up_requests(user: User, year: int) -> Plan:
    """A draft district plan for `year` whose total is the sum of the submitted requests and whose
    shares are the requests (structure as share targets). A draft rolled up before is replaced;
    refused once the year's plan is adopted."""
    district = district_root()
    if not can_edit(user, district):
        raise ActionRefused(_("只有区委组织部的工作人员可以汇总计划申请"))
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=district.pk).first()
        existing = Plan.objects.select_for_update().filter(org=district, year=year).first()
        if existing is not None and existing.state == PlanState.ADOPTED:
            raise ActionRefused(
                Reason(
                    _("%(year)s年计划已经采用（%(on)s），不能再汇总申请")
                    % {"year": year, "on": existing.adopted_on or existing.created_at.date()},
                    REQUEST_BASIS,
                )
            )
        submitted = list(
            PlanRequest.objects.select_for_update()
            .filter(year=year, state=RequestState.SUBMITTED, org__parent=district)
            .select_related("org")
            .order_by("org__code")
        )
        total = sum(r.total for r in submitted)
        if total <= 0:
            raise ActionRefused(_("还没有上报的计划申请（或申请数合计为0），无法汇总"))
        document = _draft_document(year, total)
        parsed = _parse(document, _("%(year)s年计划") % {"year": year})
        if existing is None:
            plan = Plan(org=district, year=year)
        else:
            plan = existing
            while PlanShare.objects.filter(plan=plan).exists():  # the deepest splits first
                PlanShare.objects.filter(plan=plan, children__isnull=True).delete()
        plan.name = parsed.name
        plan.title = parsed.title
        plan.total = total
        plan.data = document
        plan.source = ROLL_UP_ORIGIN
        plan.state = PlanState.DRAFT
        plan.save()
        for request in submitted:
            share_targets = rules.share_targets(dict(request.structure), parsed)
            if request.total > 0 and share_targets:
                check = share_document(
                    document,
                    total=request.total,
                    extra=share_targets,
                    name=f"{plan.name}/{request.org.code}",
                    issuer=request.org.name,
                )
                _parse(check, _("%(org)s的申请") % {"org": request.org.name})
            PlanShare.objects.create(
                plan=plan,
                org=request.org,
                total=request.total,
                targets=share_targets if request.total > 0 else [],
                note=_("申请"),
            )
        _event(
            user,
            "roll_up",
            {"plan_id": plan.pk, "year": year, "requests": len(submitted), "total": total},
        )
    return plan


def do_adopt_plan(user: User, plan: Plan | int) -> Plan:
    """Make a draft plan the year's plan (as `do_load_plan` would have loaded it). Refused when it
    is already adopted, or when its split does not add up to its total."""
    with transaction.atomic():
        pk = plan if isinstance(plan, int) else plan.pk
        locked = Plan.objects.select_for_update().select_related("org").get(pk=pk)
        if not Organization.objects.visible_to(user).filter(pk=locked.org_id).exists():
            raise Http404(_("没有找到该计划。"))
        if not can_edit(user, locked.org):
            raise ActionRefused(_("只有下达单位的工作人员可以采用计划"))
        if locked.state == PlanState.ADOPTED:
            raise ActionRefused(
                Reason(
                    _("%(org)s%(year)s年计划已经采用，不能再次采用")
                    % {"org": locked.org.name, "year": locked.year},
                    REQUEST_BASIS,
                )
            )
        _parse(locked.data, _("%(year)s年计划") % {"year": locked.year})
        level = PlanShare.objects.filter(plan=locked, parent=None)
        shares = list(level.values_list("total", flat=True))
        if shares and sum(shares) != locked.total:
            raise ActionRefused(
                _("各单位分配数合计%(summed)s名，与计划数%(total)s名不符，请先调整分解")
                % {"summed": sum(shares), "total": locked.total}
            )
        locked.state = PlanState.ADOPTED
        locked.adopted_on = dates.today()
        locked.save(update_fields=["state", "adopted_on", "updated_at"])
        _event(
            user,
            "adopt",
            {
                "plan_id": locked.pk,
                "org_id": locked.org_id,
                "year": locked.year,
                "total": locked.total,
                "shares": len(shares),
            },
        )
    return locked
