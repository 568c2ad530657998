"""What a dashboard shows for one organization and year, assembled from a handful of queries.

Live counts: one aggregate query for the organization's subtree and one grouped query for its
children (`indicators`). Forecast: one read of the pipeline, projected once and summed for the
whole and for each child (`forecast`). Judged by the plan that applies to the organization: the
issuer's own plan for the issuer; for a unit below, its share (the band and the number, plus the
structure targets its share carries, 区委意见二（一）、三（四）).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhan.orgs.models import Organization
from fazhan.plans import indicators
from fazhan.plans.forecast import pipeline_items
from fazhan.plans.models import Plan, PlanShare, PlanState, parse_share
from fazhan.policy import forecast as pure
from fazhan.policy import targets
from fazhan.policy.targets import CATEGORY_LABELS, DEVELOPED, PLAN, Counts

# Short names for chart axes (the tables keep the targets' own labels).
SHORT_LABELS = {
    "le35": gettext_lazy("35岁以下"),
    "le25": gettext_lazy("25岁以下"),
    "hs_plus": gettext_lazy("高中以上"),
    "college_plus": gettext_lazy("大专以上"),
    "female": gettext_lazy("女性"),
    "female_frontline": gettext_lazy("一线女性"),
    "worker": gettext_lazy("工人"),
    "farmer": gettext_lazy("农牧渔民"),
    "mgmt_tech_rich": gettext_lazy("管理·技术·能人"),
    "student": gettext_lazy("学生"),
}
STATUS_LABELS = {
    "met": gettext_lazy("达标"),
    "at_risk": gettext_lazy("有风险"),
    "unmet": gettext_lazy("未达标"),
}
KIND_LABELS = {
    "floor": gettext_lazy("下限"),
    "cap": gettext_lazy("上限"),
    "band": gettext_lazy("区间"),
    "aspiration": gettext_lazy("力争"),
}


@dataclass
class Unit:
    """One organization's numbers: its counts, forecast and (when it has a plan) judgements."""

    org: Organization
    now: Counts
    forecast: pure.Forecast
    plan: targets.Plan | None = None
    share: PlanShare | None = None
    judgements: list[pure.Judgement] = field(default_factory=list)

    @property
    def risk(self) -> tuple[int, int, Any]:
        return pure.risk_key(self.judgements) if self.judgements else (0, 0, 0)

    @property
    def unmet(self) -> int:
        return sum(1 for j in self.judgements if j.hard and j.status == "unmet")

    @property
    def at_risk(self) -> int:
        return sum(1 for j in self.judgements if j.hard and j.status == "at_risk")

    @property
    def band(self) -> pure.Judgement | None:
        return next((j for j in self.judgements if j.target.kind == "band"), None)


@dataclass
class Board:
    org: Organization
    year: int
    today: date
    plan: Plan | None  # the plan in the database that covers this organization, if any
    preview: bool  # no plan for the year: judged by the shipped seed plan, as a trial
    main: Unit
    children: list[Unit]
    monthly: list[int]
    dormant: list[Any]
    subtree: set[int]

    @property
    def issuer(self) -> bool:
        return self.plan is None or self.plan.org_id == self.org.pk


def _judge(plan: targets.Plan | None, fc: pure.Forecast) -> list[pure.Judgement]:
    return pure.judge(plan, fc) if plan is not None else []


def find_plan(org: Organization, year: int) -> tuple[Plan | None, PlanShare | None]:
    """The year's plan issued at or above `org`, and `org`'s share of it (if it has one)."""
    chain = [o.pk for o in Organization.objects.ancestors(org, include_self=True)]
    adopted = Plan.objects.filter(year=year, org_id__in=chain, state=PlanState.ADOPTED)
    plans = {p.org_id: p for p in adopted}
    for org_id in reversed(chain):  # the nearest issuer wins
        if org_id in plans:
            plan = plans[org_id]
            share = PlanShare.objects.filter(plan=plan, org=org).select_related("org").first()
            if share is not None:
                share.plan = plan
            return plan, share
    return None, None


def preview_plan(year: int) -> targets.Plan:
    """The shipped seed plan, dated to `year`: a dashboard's trial when no plan was loaded."""
    return replace(targets.load_plan("seed"), year=year)


def build_board(org: Organization, year: int, today: date) -> Board:
    subtree = Organization.objects.subtree_ids([org.pk])
    plan, share = find_plan(org, year)
    preview = False
    judged: targets.Plan | None = None
    if plan is not None and plan.org_id == org.pk:
        judged = plan.parsed()
    elif share is not None:
        judged = parse_share(share)
    elif plan is None and org.parent_id is None:
        judged, preview = preview_plan(year), True

    # The root's subtree is everything: no IN list, so the counts are one plain scan.
    scope = None if org.parent_id is None else subtree
    now = indicators.indicator_counts(year, scope)
    group_of = indicators.group_under(org.pk)
    child_now = indicators.counts_by_child(year, org.pk)
    final = today > date(year, 12, 31)
    projected = (
        [] if final else pure.project(pipeline_items(year, scope, today), year=year, today=today)
    )
    main_fc = pure.summarize(projected, now, year=year, today=today)
    parts: dict[int, list[pure.Projected]] = defaultdict(list)
    for p in projected:
        group = group_of.get(p.item.org_id)
        if group is not None:
            parts[group].append(p)

    child_shares: dict[int, PlanShare] = {}
    if plan is not None and (plan.org_id == org.pk or share is not None):
        parent = None if plan.org_id == org.pk else share
        for child_share in PlanShare.objects.filter(plan=plan, parent=parent).select_related("org"):
            child_share.plan = plan
            child_shares[child_share.org_id] = child_share

    children: list[Unit] = []
    for child in Organization.objects.filter(parent=org).order_by("code"):
        counts = child_now.get(child.pk, indicators.ZERO)
        fc = pure.summarize(parts.get(child.pk, []), counts, year=year, today=today)
        cs = child_shares.get(child.pk)
        child_plan = parse_share(cs) if cs is not None else None
        children.append(Unit(child, counts, fc, child_plan, cs, _judge(child_plan, fc)))
    children.sort(key=lambda u: (u.risk, -u.org.pk), reverse=True)

    main = Unit(org, now, main_fc, judged, share, _judge(judged, main_fc))
    return Board(
        org=org,
        year=year,
        today=today,
        plan=plan,
        preview=preview,
        main=main,
        children=children,
        monthly=indicators.monthly_developed(year, scope),
        dormant=indicators.dormant_branches(subtree, today),
        subtree=subtree,
    )


# ---------------------------------------------------------------------------------------------
# Chart data (json_script → fazhan/plans/static/plans/dashboard.js)


def _pct(count: int, base: int) -> float | None:
    return round(100 * count / base, 1) if base else None


def structure_chart(unit: Unit, reference: targets.Plan | None) -> dict[str, Any]:
    """Shares of each structure category against the percentages the targets require.

    A unit whose own plan has no structure targets is shown against the issuer's percentages,
    marked as reference only (its share is judged on the number and the band alone)."""
    plan = unit.plan
    own = plan is not None and any(t.category != DEVELOPED for t in plan.targets)
    source = plan if own else reference
    # The bar's colour is the table's status (达标/有风险/未达标, the counts against the
    # targets' counts now and at the forecast's low end): one comparison on the whole page.
    # Reference rows (the issuer's targets) are not judged for this unit: no status.
    statuses = {j.target.id: j.status for j in unit.judgements} if own else {}
    rows: list[dict[str, Any]] = []
    if source is not None:
        for t in source.targets:
            if t.category in (DEVELOPED, "activists") or t.percent is None or t.base == PLAN:
                continue
            base_key = t.base
            rows.append(
                {
                    "id": t.id,
                    "label": f"{display_id(t.id)} {SHORT_LABELS.get(t.category, t.label)}",
                    "title": t.label,
                    "now": _pct(unit.now[t.category], unit.now[base_key]),
                    "low": _pct(unit.forecast.low[t.category], unit.forecast.low[base_key]),
                    "high": _pct(unit.forecast.high[t.category], unit.forecast.high[base_key]),
                    "required": t.percent,
                    "kind": t.kind,
                    "status": statuses.get(t.id),
                    "status_label": str(STATUS_LABELS[statuses[t.id]]) if t.id in statuses else "",
                }
            )
    return {
        "rows": rows,
        "reference": not own,
        "labels": {
            "now": _("当前占比（颜色为指标状态）"),
            "low": _("年底预计（低端）"),
            "required": _("目标要求"),
        },
    }


def monthly_chart(board: Board) -> dict[str, Any]:
    cumulative: list[int] = []
    running = 0
    for n in board.monthly:
        running += n
        cumulative.append(running)
    last_month = 12 if board.today.year > board.year else board.today.month
    if board.today.year < board.year:
        last_month = 0
    total = board.main.plan.total if board.main.plan is not None else None
    fc = board.main.forecast
    return {
        "months": [_("%(month)s月") % {"month": m} for m in range(1, 13)],
        "actual": cumulative[:last_month],
        "plan": [round(total * m / 12, 1) for m in range(1, 13)] if total else [],
        "low": fc.low.developed,
        "high": fc.high.developed,
        "labels": {
            "actual": _("累计批准"),
            "plan": _("计划进度（按月均分）"),
            "range": _("年底预计范围"),
        },
    }


def pool_chart(board: Board) -> dict[str, Any]:
    fc = board.main.forecast
    floors = [
        t.absolute
        for t in (board.main.plan.targets if board.main.plan else ())
        if t.category == "activists" and t.absolute is not None
    ]
    ratios = [
        t.percent
        for t in (board.main.plan.targets if board.main.plan else ())
        if t.category == "activists" and t.percent is not None and t.base == DEVELOPED
    ]
    ratio = (ratios[0] if ratios else 300) / 100
    return {
        "categories": [_("当前"), _("年底（低）"), _("年底（高）")],
        "activists": [fc.now.activists, fc.pool.low, fc.pool.high],
        "needed": [
            round(ratio * fc.now.developed),
            round(ratio * fc.high.developed),
            round(ratio * fc.low.developed),
        ],
        "floor": floors[0] if floors else None,
        "labels": {
            "activists": _("入党积极分子（含发展对象）"),
            "needed": _("发展数的3倍（3:1）"),
            "floor": _("队伍规模下限"),
        },
    }


def display_id(target_id: str) -> str:
    """A target's number as the page shows it: "D1.aspiration" (the soft half of D1, 力争) is D1
    on the page, its label says 力争; no key of the plan file is shown."""
    return target_id.split(".", 1)[0]


def category_label(key: str) -> str:
    return CATEGORY_LABELS.get(key, key)
