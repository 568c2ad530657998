"""Plans, indicators, forecast, allocation and the dashboards: typed function views.

Who sees what (DESIGN principle 6; outside it is a 404, so existence is not revealed):

* 区委组织部 staff and 党委/党工委 staff: full dashboards for every organization in their subtree
  (plan judgement, forecast, charts, units ranked by risk, long-dormant branches, Excel);
* the auditor: the same everywhere, read only;
* 支部书记/组织委员: their own branch's counts only (no plan judgement, no other unit);
* the system administrator and accounts without a role: nothing (404).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhan.accounts.authority import authority
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.core import dates, i18n_data
from fazhan.core.errors import ActionRefused
from fazhan.orgs.models import Organization
from fazhan.people.counts import report_counts
from fazhan.people.models import Candidate
from fazhan.plans import indicators
from fazhan.plans import requests as nextyear
from fazhan.plans.actions import (
    can_edit,
    district_root,
    do_edit_plan,
    do_load_plan,
    do_set_share_targets,
    do_split,
    split_candidates,
)
from fazhan.plans.allocation import setting_for
from fazhan.plans.board import (
    KIND_LABELS,
    STATUS_LABELS,
    Board,
    build_board,
    monthly_chart,
    pool_chart,
    structure_chart,
)
from fazhan.plans.export import indicator_rows, workbook
from fazhan.plans.forms import (
    LoadPlanForm,
    PlanJsonForm,
    PlanRequestForm,
    PlanTargetsForm,
    ShareTargetsForm,
    SplitForm,
)
from fazhan.plans.models import Plan, PlanRequest, PlanShare, PlanState, RequestState
from fazhan.policy import forecast as pure
from fazhan.policy.requests import STRUCTURE_KEYS
from fazhan.policy.targets import CATEGORY_LABELS, COUNT_KEYS, PlanError, lint

# -- who may see which dashboard --------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    full: frozenset[int] | None  # None: every organization (the auditor)
    counts: frozenset[int]  # branch secretaries: their branches' counts only
    home: int | None
    read_only: bool

    def level(self, org_id: int) -> str:
        if self.full is None or org_id in self.full:
            return "full"
        if org_id in self.counts:
            return "counts"
        raise Http404(_("没有找到该组织。"))


def access(user: Any) -> Access:
    auth = authority(user)
    if not auth.roles or auth.is_sysadmin:
        raise Http404(_("没有找到该页面。"))
    if auth.is_read_only:
        root = Organization.objects.filter(parent__isnull=True).order_by("pk").first()
        return Access(None, frozenset(), root.pk if root else None, True)
    full = frozenset(auth.committee_ids())
    branches = auth.branch_ids()
    counts = frozenset(branches) - full
    return Access(full, counts, auth.home, auth.is_read_only)


def _org(acc: Access, pk: int) -> tuple[Organization, str]:
    level = acc.level(pk)
    try:
        return Organization.objects.get(pk=pk), level
    except Organization.DoesNotExist:
        raise Http404(_("没有找到该组织。")) from None


def _year(request: HttpRequest) -> int:
    today = dates.today()
    try:
        year = int(request.GET.get("year", today.year))
    except (TypeError, ValueError):
        return today.year
    return year if 2000 <= year <= 2100 else today.year


# -- dashboards -----------------------------------------------------------------------------------


def _unit_rows(board: Board) -> list[dict[str, Any]]:
    rows = []
    for rank, unit in enumerate(board.children, start=1):
        band = unit.band
        rows.append(
            {
                "rank": rank,
                "org": unit.org,
                "share": unit.share.total if unit.share else None,
                "now": unit.now.developed,
                "low": unit.forecast.low.developed,
                "high": unit.forecast.high.developed,
                "band": band,
                "band_label": STATUS_LABELS[band.status] if band else "",
                "unmet": unit.unmet,
                "at_risk": unit.at_risk,
                "activists": unit.now.activists,
                "judged": bool(unit.judgements),
            }
        )
    return rows


def _reference_plan(board: Board) -> Any:
    if board.plan is None:
        return board.main.plan
    try:
        return board.plan.parsed()
    except PlanError:
        return None


def _board_context(request: AuthenticatedHttpRequest, board: Board, acc: Access) -> dict[str, Any]:
    user = request.user
    editable = board.plan is not None and can_edit(user, board.plan.org)
    district_staff = authority(user).is_district_staff
    rows = indicator_rows(board.main)
    next_year = board.today.year + 1
    next_link = None  # next year's plan requests: the district's overview, a sender's form
    if board.org.parent_id is None and (district_staff or acc.read_only):
        next_link = f"{reverse('plans:requests')}?year={next_year}"
    elif board.org.parent_id is not None and board.org.parent_id == district_root().pk:
        next_link = reverse("plans:request", args=(next_year, board.org.pk))
    return {
        "next_link": next_link,
        "next_year": next_year,
        "board": board,
        "org": board.org,
        "year": board.year,
        "years": list(range(board.today.year - 3, board.today.year + 2)),
        "main": board.main,
        "rows": rows,
        "band_row": next((r for r in rows if r["kind_key"] == "band"), None),
        "units": _unit_rows(board),
        "pool": board.main.forecast.pool,
        "charts": {
            "structure": structure_chart(board.main, _reference_plan(board)),
            "monthly": monthly_chart(board),
            "pool": pool_chart(board),
        },
        "can_edit": editable,
        "can_load": board.plan is None
        and board.org.parent_id is None
        and district_staff
        and not acc.read_only,
        "load_form": LoadPlanForm(initial={"year": board.year}),
        # Only the ancestors the user may open are links (a 党委's staff do not see the district).
        "ancestors": [
            (a, acc.full is None or a.pk in acc.full)
            for a in (Organization.objects.ancestors(board.org) if board.org.parent_id else [])
        ],
    }


def _render_org(
    request: AuthenticatedHttpRequest, org: Organization, level: str, acc: Access
) -> HttpResponse:
    year = _year(request)
    today = dates.today()
    if level == "counts":
        subtree = Organization.objects.subtree_ids([org.pk])
        counts = indicators.indicator_counts(year, subtree)
        return render(
            request,
            "plans/branch.html",
            {
                "org": org,
                "year": year,
                "counts": [(i18n_data.text(CATEGORY_LABELS[k]), counts[k]) for k in COUNT_KEYS],
                "monthly": indicators.monthly_developed(year, subtree),
            },
        )
    board = build_board(org, year, today)
    return render(request, "plans/dashboard.html", _board_context(request, board, acc))


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    acc = access(request.user)
    if acc.home is None:
        raise Http404(_("没有找到该页面。"))
    org, level = _org(acc, acc.home)
    return _render_org(request, org, level, acc)


@login_required
def org_dashboard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    acc = access(request.user)
    org, level = _org(acc, pk)
    return _render_org(request, org, level, acc)


@login_required
def forecast_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Targets at risk and the visible candidates who could close each gap."""
    acc = access(request.user)
    org, level = _org(acc, pk)
    if level != "full":
        raise Http404(_("没有找到该页面。"))
    board = build_board(org, _year(request), dates.today())
    fc = board.main.forecast
    visible = Candidate.objects.visible_to(request.user)
    gaps = []
    for j in board.main.judgements:
        if j.status == "met":
            continue
        found = pure.closers(j, fc)
        by_id = {
            c.pk: c
            for c in visible.filter(pk__in=[p.item.id for p in found]).select_related(
                "person", "org"
            )
        }
        people = [
            {
                "candidate": by_id[p.item.id],
                "position": i18n_data.text(pure.POSITION_LABELS[p.position]),
                "fast": p.fast,
                "typical": p.typical,
            }
            for p in found
            if p.item.id in by_id
        ]
        gaps.append({"j": j, "row": _one_row(j), "people": people})
    positions: dict[str, list[int]] = {}
    for p in fc.projected:
        entry = positions.setdefault(p.position, [0, 0])
        entry[0] += 1
        entry[1] += 1 if p.can_make_it else 0
    return render(
        request,
        "plans/forecast.html",
        {
            "board": board,
            "org": org,
            "year": board.year,
            "fc": fc,
            "gaps": gaps,
            "positions": [
                (i18n_data.text(pure.POSITION_LABELS[pos]), *positions[pos])
                for pos in pure.POSITIONS
                if pos in positions
            ],
            "counts": [
                (i18n_data.text(CATEGORY_LABELS[k]), k, fc.now[k], fc.low[k], fc.high[k])
                for k in COUNT_KEYS
            ],
        },
    )


def _one_row(j: pure.Judgement) -> dict[str, Any]:
    return {
        "kind": KIND_LABELS.get(j.target.kind, j.target.kind),
        "status_label": STATUS_LABELS[j.status],
    }


@login_required
def export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    acc = access(request.user)
    org, level = _org(acc, pk)
    if level != "full":
        raise Http404(_("没有找到该页面。"))
    board = build_board(org, _year(request), dates.today())
    response = HttpResponse(
        workbook(board),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = _("%(org)s-%(year)s年发展党员指标.xlsx") % {"org": org.name, "year": board.year}
    response["Content-Disposition"] = (
        f"attachment; filename=\"plan-{board.year}.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response


# -- the plan and its split ----------------------------------------------------------------------


def _plan_for(acc: Access, pk: int) -> Plan:
    try:
        plan = Plan.objects.select_related("org").get(pk=pk)
    except Plan.DoesNotExist:
        raise Http404(_("没有找到该计划。")) from None
    if acc.level(plan.org_id) != "full":
        raise Http404(_("没有找到该计划。"))
    return plan


def _share_for(acc: Access, plan_pk: int, share_pk: str | None) -> tuple[Plan, PlanShare | None]:
    """The plan and, when `share_pk` is given, one of its shares the user reaches in full."""
    if not share_pk:
        return _plan_for(acc, plan_pk), None
    try:
        share = PlanShare.objects.select_related("plan", "plan__org", "org").get(
            pk=int(share_pk), plan_id=plan_pk
        )
    except (PlanShare.DoesNotExist, ValueError):
        raise Http404(_("没有找到该分配。")) from None
    if acc.level(share.org_id) != "full":
        raise Http404(_("没有找到该分配。"))
    return share.plan, share


@login_required
@require_POST
def load_plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    acc = access(request.user)
    form = LoadPlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写正确的年度。"))
        return redirect("plans:dashboard")
    if acc.read_only:
        raise Http404(_("没有找到该页面。"))
    try:
        plan = do_load_plan(
            request.user, name=form.cleaned_data["name"], year=form.cleaned_data["year"]
        )
    except ActionRefused as refused:
        messages.error(request, str(refused))
        return redirect(f"{reverse('plans:dashboard')}?year={form.cleaned_data['year']}")
    messages.success(request, _("已载入%(year)s年计划。") % {"year": plan.year})
    return redirect("plans:plan", pk=plan.pk)


def _share_tree(plan: Plan) -> list[dict[str, Any]]:
    shares = list(PlanShare.objects.filter(plan=plan).select_related("org").order_by("org__code"))
    by_parent: dict[int | None, list[PlanShare]] = {}
    for s in shares:
        by_parent.setdefault(s.parent_id, []).append(s)
    out: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> None:
        for s in by_parent.get(parent, []):
            below = by_parent.get(s.pk, [])
            out.append(
                {
                    "share": s,
                    "depth": depth,
                    "indent": depth * 1.5,
                    "split": sum(c.total for c in below) if below else None,
                    "targets": len(s.targets or []),
                }
            )
            walk(s.pk, depth + 1)

    walk(None, 0)
    return out


@login_required
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    acc = access(request.user)
    plan = _plan_for(acc, pk)
    parsed = plan.parsed()
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "parsed": parsed,
            "targets": [
                {
                    "t": t,
                    "kind": KIND_LABELS.get(t.kind, t.kind),
                    "category": i18n_data.text(CATEGORY_LABELS[t.category]),
                }
                for t in parsed.targets
            ],
            "findings": lint(parsed),
            "shares": _share_tree(plan),
            "split_total": sum(
                PlanShare.objects.filter(plan=plan, parent=None).values_list("total", flat=True)
            ),
            "can_edit": can_edit(request.user, plan.org),
            "draft": plan.state == PlanState.DRAFT,
        },
    )


@login_required
def plan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    acc = access(request.user)
    plan = _plan_for(acc, pk)
    editable = can_edit(request.user, plan.org)
    document = plan.document()
    numbers = PlanTargetsForm(document=document)
    raw = PlanJsonForm(initial={"document": json.dumps(document, ensure_ascii=False, indent=1)})
    error = None
    if request.method == "POST":
        if not editable:
            raise Http404(_("没有找到该页面。"))
        new: dict[str, Any] | None = None
        if request.POST.get("mode") == "json":
            raw = PlanJsonForm(request.POST)
            if raw.is_valid():
                new = raw.cleaned_data["document"]
        else:
            numbers = PlanTargetsForm(request.POST, document=document)
            if numbers.is_valid():
                new = numbers.new_document()
        if new is not None:
            try:
                do_edit_plan(request.user, plan, document=new)
            except ActionRefused as refused:
                error = str(refused)
            else:
                messages.success(request, _("计划已保存。"))
                return redirect("plans:plan", pk=plan.pk)
    return render(
        request,
        "plans/plan_edit.html",
        {"plan": plan, "numbers": numbers, "raw": raw, "error": error, "can_edit": editable},
    )


@login_required
def split(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    acc = access(request.user)
    plan, parent = _share_for(acc, pk, request.GET.get("share") or request.POST.get("share"))
    owner = parent.org if parent else plan.org
    units = split_candidates(plan, parent)
    existing = dict(
        PlanShare.objects.filter(plan=plan, parent=parent).values_list("org_id", "total")
    )
    form = SplitForm(units=units, initial_shares=existing)
    error = None
    editable = can_edit(request.user, owner)
    if request.method == "POST":
        if not editable:
            raise Http404(_("没有找到该页面。"))
        form = SplitForm(request.POST, units=units)
        if form.is_valid():
            chosen = form.shares() if request.POST.get("clear") != "1" else {}
            try:
                do_split(request.user, plan, shares=chosen, parent=parent)
            except ActionRefused as refused:
                error = str(refused)
            else:
                messages.success(request, _("分解已保存。"))
                if parent is not None:
                    return redirect("plans:org", pk=parent.org_id)
                return redirect("plans:plan", pk=plan.pk)
    return render(
        request,
        "plans/split.html",
        {
            "plan": plan,
            "parent": parent,
            "owner": owner,
            "total": parent.total if parent else plan.total,
            "form": form,
            "error": error,
            "can_edit": editable,
        },
    )


@login_required
def share_targets(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    acc = access(request.user)
    try:
        share = PlanShare.objects.select_related("plan", "plan__org", "org", "parent__org").get(
            pk=pk
        )
    except PlanShare.DoesNotExist:
        raise Http404(_("没有找到该分配。")) from None
    if acc.level(share.org_id) != "full":
        raise Http404(_("没有找到该分配。"))
    owner = share.parent.org if share.parent else share.plan.org
    editable = can_edit(request.user, owner)
    form = ShareTargetsForm(
        initial={"targets": json.dumps(share.targets or [], ensure_ascii=False, indent=1)}
    )
    error = None
    if request.method == "POST":
        if not editable:
            raise Http404(_("没有找到该页面。"))
        form = ShareTargetsForm(request.POST)
        if form.is_valid():
            try:
                do_set_share_targets(request.user, share, targets_data=form.cleaned_data["targets"])
            except ActionRefused as refused:
                error = str(refused)
            else:
                messages.success(request, _("结构目标已保存。"))
                return redirect("plans:org", pk=share.org_id)
    district_targets = share.plan.data.get("targets", [])
    example = [
        t for t in district_targets if isinstance(t, dict) and t.get("category") != "developed"
    ][:2]
    return render(
        request,
        "plans/share_targets.html",
        {
            "share": share,
            "form": form,
            "error": error,
            "can_edit": editable,
            "example": json.dumps(example, ensure_ascii=False, indent=1),
        },
    )


# -- allocation helper ----------------------------------------------------------------------------


def _allocation(request: AuthenticatedHttpRequest, pk: int) -> tuple[Any, Access, bool]:
    acc = access(request.user)
    share_pk = request.GET.get("share") or request.POST.get("share")
    plan, parent = _share_for(acc, pk, share_pk)
    setting = setting_for(plan, parent, dates.today())
    return setting, acc, can_edit(request.user, setting.owner)


def _unit_table(setting: Any, shares: dict[int, int], reference: dict[int, Any]) -> list[Any]:
    return [
        {
            "unit": unit,
            "org": org,
            "share": shares.get(unit.key, 0),
            "reference": round(float(reference.get(unit.key, 0)), 1),
        }
        for unit, org in zip(setting.units, setting.orgs, strict=True)
    ]


@login_required
def allocate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    setting, _acc, editable = _allocation(request, pk)
    allocator = setting.allocator()
    proposal = allocator.propose() if allocator is not None else None
    existing = dict(
        PlanShare.objects.filter(plan=setting.plan, parent=setting.parent).values_list(
            "org_id", "total"
        )
    )
    start = proposal.shares if proposal and proposal.feasible else existing
    form = SplitForm(units=setting.orgs, initial_shares=start)
    error = None
    if request.method == "POST":
        if not editable:
            raise Http404(_("没有找到该页面。"))
        form = SplitForm(request.POST, units=setting.orgs)
        if form.is_valid():
            try:
                do_split(request.user, setting.plan, shares=form.shares(), parent=setting.parent)
            except ActionRefused as refused:
                error = str(refused)
            else:
                messages.success(request, _("分解已按调整后的方案保存。"))
                if setting.parent is not None:
                    return redirect("plans:org", pk=setting.parent.org_id)
                return redirect("plans:plan", pk=setting.plan.pk)
    shares = form.raw_shares() if form.is_bound else start
    checks = allocator.check(shares) if allocator is not None else []
    return render(
        request,
        "plans/allocate.html",
        {
            "setting": setting,
            "proposal": proposal,
            "form": form,
            "rows": _unit_table(setting, shares, proposal.reference if proposal else {}),
            "checks": checks,
            "error": error,
            "can_edit": editable,
            "share_param": setting.parent.pk if setting.parent else "",
        },
    )


@login_required
@require_POST
def allocate_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The live check of the adjust page (htmx posts the form, gets the checks back)."""
    setting, _acc, _editable = _allocation(request, pk)
    allocator = setting.allocator()
    form = SplitForm(request.POST, units=setting.orgs)
    shares = form.raw_shares()
    checks = allocator.check(shares) if allocator is not None else []
    return render(
        request,
        "plans/_checks.html",
        {"checks": checks, "summed": sum(shares.values()), "total": setting.total},
    )


# -- next year's plan from below ------------------------------------------------------------------


def _request_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404(_("没有找到该页面。"))
    return year


@login_required
def plan_request(request: AuthenticatedHttpRequest, year: int, org_pk: int) -> HttpResponse:
    """One organization's request for `year`: the sender's form, the district's reading."""
    acc = access(request.user)
    org, level = _org(acc, org_pk)
    _request_year(year)
    if level != "full" or org.parent_id != district_root().pk:
        raise Http404(_("没有找到该页面。"))
    existing = PlanRequest.objects.filter(org=org, year=year).first()
    editable = not acc.read_only and nextyear.can_request(request.user, org)
    initial: dict[str, Any] = {}
    if existing is not None:
        initial = {"total": existing.total, "justification": existing.justification}
        initial |= {f"s_{k}": v for k, v in dict(existing.structure).items()}
    form = PlanRequestForm(initial=initial)
    error = None
    if request.method == "POST":
        if not editable:
            raise Http404(_("没有找到该页面。"))
        action = request.POST.get("action", "save")
        try:
            if action == "withdraw" and existing is not None:
                nextyear.do_withdraw_plan_request(request.user, existing)
                messages.success(request, _("申请已撤回，可以修改后重新上报。"))
                return redirect("plans:request", year=year, org_pk=org.pk)
            form = PlanRequestForm(request.POST)
            if form.is_valid():
                saved = nextyear.do_save_plan_request(
                    request.user,
                    org,
                    year,
                    total=form.cleaned_data["total"],
                    structure=form.structure(),
                    justification=form.cleaned_data["justification"],
                )
                if action == "submit":
                    nextyear.do_submit_plan_request(request.user, saved)
                    messages.success(request, _("申请已上报区委组织部。"))
                else:
                    messages.success(request, _("草稿已保存。"))
                return redirect("plans:request", year=year, org_pk=org.pk)
        except ActionRefused as refused:
            error = str(refused)
    as_of = nextyear.default_as_of(year)
    counts = report_counts(org, start=date(as_of.year, 1, 1), as_of=as_of).root.counts
    flags = nextyear.flags_of(existing, pool=counts.activists) if existing is not None else []
    return render(
        request,
        "plans/request.html",
        {
            "org": org,
            "year": year,
            "req": existing,
            "form": form,
            "error": error,
            "can_edit": editable,
            "locked": existing is not None and existing.state == RequestState.SUBMITTED,
            "closed": nextyear.adopted_plan(year) is not None,
            "as_of": as_of,
            "counts": counts,
            "flags": flags,
            "structure": [
                (i18n_data.text(CATEGORY_LABELS[k]), v)
                for k, v in (dict(existing.structure).items() if existing else [])
            ],
            "district_reads": authority(request.user).is_district_staff or acc.read_only,
        },
    )


def _district_reader(request: AuthenticatedHttpRequest) -> Access:
    acc = access(request.user)
    if not (acc.read_only or authority(request.user).is_district_staff):
        raise Http404(_("没有找到该页面。"))
    return acc


@login_required
def plan_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The district's overview of next year's requests against this year's results and pools."""
    acc = _district_reader(request)
    today = dates.today()
    try:
        year = _request_year(int(request.GET.get("year", today.year + 1)))
    except ValueError:
        raise Http404(_("没有找到该页面。")) from None
    yearend = request.GET.get("cut") == "yearend"
    as_of = nextyear.cut_off(year) if yearend else nextyear.default_as_of(year)
    view = nextyear.overview(year, as_of)
    district = district_root()
    return render(
        request,
        "plans/requests.html",
        {
            "o": view,
            "year": year,
            "yearend": yearend,
            "cut_off": nextyear.cut_off(year),
            "years": [today.year, today.year + 1],
            "can_edit": not acc.read_only and can_edit(request.user, district),
            "structure": [
                (i18n_data.text(CATEGORY_LABELS[k]), view.structure.get(k, 0))
                for k in STRUCTURE_KEYS
            ],
        },
    )


@login_required
@require_POST
def roll_up(request: AuthenticatedHttpRequest) -> HttpResponse:
    acc = _district_reader(request)
    if acc.read_only:
        raise Http404(_("没有找到该页面。"))
    try:
        year = _request_year(int(request.POST.get("year", "")))
    except ValueError:
        raise Http404(_("没有找到该页面。")) from None
    try:
        plan = nextyear.do_roll_up_requests(request.user, year)
    except ActionRefused as refused:
        messages.error(request, str(refused))
        return redirect(f"{reverse('plans:requests')}?year={year}")
    messages.success(
        request, _("已汇总为%(year)s年计划草案，共%(n)s名。") % {"year": year, "n": plan.total}
    )
    return redirect("plans:plan", pk=plan.pk)


@login_required
@require_POST
def adopt(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    acc = access(request.user)
    plan = _plan_for(acc, pk)
    if acc.read_only or not can_edit(request.user, plan.org):
        raise Http404(_("没有找到该计划。"))
    try:
        nextyear.do_adopt_plan(request.user, plan)
    except ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("已采用为%(year)s年计划。") % {"year": plan.year})
    return redirect("plans:plan", pk=plan.pk)
