"""Splitting a plan's total over sub-organizations (指导性计划): an integer program (HiGHS).

Pure Python over numbers (no Django): the plans app hands in, for each sub-organization, what it
has approved this year and what its pipeline can still deliver by 31 December (the forecast's high
end, overall and per category), and its activist pool.

The model, per sub-organization i (all integers):

* x_i, its share; Σ x_i = T, the total being split.
* s_i = ⌊pct × x_i / 100⌋, the slack of its band (seed 三（四）: 上下浮动幅度控制在10%以内, applied
  to each share as the district applies it to its own total).
* d_i, what it is planned to develop: x_i − s_i ≤ d_i ≤ x_i + s_i, and approved_i ≤ d_i ≤
  capacity_i. So a share must be reachable from the pipeline (its lower band at most the capacity)
  and must cover what is already approved (its upper band at least that).
* y_ic, how many of d_i fall in category c (≤35, 女, 农牧渔民, …): now_ic ≤ y_ic ≤ high_ic,
  y_ic ≤ d_i, and d_i − y_ic ≤ capacity_i − high_ic (there are only so many people outside c);
  nested categories (≤25 within ≤35, …) nest per sub-organization.
* The plan's hard targets hold for the district as a whole, D = Σ d_i: the band on D, floors and
  caps with their absolute and percentage parts (of D, or of the parent category's Σ y), exactly as
  `targets.evaluate` reads them. Pool targets (K1, K2) do not depend on the split and are judged
  for the district alone; aspirations (力争) never constrain.

Categories are checked one at a time (a person's being both ≤35 and 女 is not modelled), so
"targets feasible" is a necessary condition: the split leaves every target reachable on its own.

Objective: the split nearest to the one proportional to each sub-organization's capacity
(approved + still approvable), i.e. to where the candidates are: the sum of squared deviations,
as a convex piecewise-linear function (segments of widths 1, 1, 2, 2, 4, 4, …), so that a needed
shift is spread over many units rather than dumped on one, and the optimum is nearly unique (a
plain sum of absolute deviations has many equal optima, and HiGHS takes ten times longer).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from fazhan.policy.targets import (
    CATEGORY_LABELS,
    DEVELOPED,
    NESTED,
    PLAN,
    Plan,
    Target,
    band_limits,
    floor_required,
)

DEFAULT_BAND_PERCENT = 10  # seed 三（四）: 上下浮动幅度控制在10%以内
POOL_RATIO = 3  # seed 三（一）: 入党积极分子与发展党员数的比例要达到3:1以上


@dataclass(frozen=True)
class Unit:
    """One sub-organization as the allocation sees it (counts from the forecast)."""

    key: int
    name: str
    approved: int  # developed so far this year
    capacity: int  # approved + everyone who can still be approved by 31 December
    now: Mapping[str, int] = field(default_factory=dict)  # per category, approved so far
    high: Mapping[str, int] = field(default_factory=dict)  # per category, approved + approvable
    pool: int = 0  # activists now


@dataclass(frozen=True)
class Check:
    id: str
    ok: bool
    message: str
    unit: int | None = None


@dataclass(frozen=True)
class Proposal:
    feasible: bool
    total: int
    shares: dict[int, int]
    reference: dict[int, Fraction]  # the split proportional to capacity
    checks: list[Check]
    explanation: list[str]


def band_percent(plan: Plan) -> int:
    for target in plan.targets:
        if target.kind == "band" and target.percent is not None:
            return target.percent
    return DEFAULT_BAND_PERCENT


def slack(share: int, percent: int) -> int:
    return percent * share // 100


def share_range(unit: Unit, percent: int) -> tuple[int, int]:
    """The smallest share covering what is approved and the largest its pipeline can reach."""
    low = 0
    while low + slack(low, percent) < unit.approved:
        low += 1
    high = unit.capacity
    while (high + 1) - slack(high + 1, percent) <= unit.capacity:
        high += 1
    return low, high


def _hard(plan: Plan) -> list[Target]:
    """Targets the split can affect: floors, caps and bands, not the pool (K1, K2)."""
    return [
        t for t in plan.targets if t.kind in ("floor", "cap", "band") and t.category != "activists"
    ]


def _categories(targets: Sequence[Target]) -> list[str]:
    found: list[str] = []
    for t in targets:
        for c in (t.category, t.base):
            if c not in (DEVELOPED, PLAN, "activists") and c not in found:
                found.append(c)
    # A nested category needs its parent, and the parent's own targets need nothing more.
    for small, large in NESTED:
        if small in found and large not in found:
            found.append(large)
    return found


class _Model:
    """The integer program's matrix, built row by row."""

    def __init__(
        self, units: Sequence[Unit], categories: Sequence[str], percent: int, total: int
    ) -> None:
        self.units = units
        self.cats = list(categories)
        self.percent = percent
        n, k = len(units), len(self.cats)
        self.n = n
        # The deviation |x_i − p_i| in segments of widths 1, 1, 2, 2, 4, 4, … (up to the total),
        # each priced at the slope of δ² at its middle: a convex piecewise-linear δ².
        self.widths: list[int] = []
        while sum(self.widths) <= total:
            self.widths.append(2 ** (len(self.widths) // 2))
        edges = [0]
        for width in self.widths:
            edges.append(edges[-1] + width)
        self.slopes = [float(edges[j] + edges[j + 1]) for j in range(len(self.widths))]
        # Variable blocks: x, s, d, y[i][c], then each unit's positive and negative segments.
        self.x0, self.s0, self.d0, self.y0 = 0, n, 2 * n, 3 * n
        self.seg0 = 3 * n + n * k
        self.size = self.seg0 + 2 * n * len(self.widths)
        self.rows: list[np.ndarray] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def x(self, i: int) -> int:
        return self.x0 + i

    def s(self, i: int) -> int:
        return self.s0 + i

    def d(self, i: int) -> int:
        return self.d0 + i

    def seg(self, i: int, j: int, positive: bool) -> int:
        k = len(self.widths)
        return self.seg0 + i * 2 * k + (0 if positive else k) + j

    def y(self, i: int, c: str) -> int:
        return self.y0 + i * len(self.cats) + self.cats.index(c)

    def row(self, terms: Mapping[int, float], lo: float, hi: float) -> None:
        vector = np.zeros(self.size)
        for index, coefficient in terms.items():
            vector[index] += coefficient
        self.rows.append(vector)
        self.lo.append(lo)
        self.hi.append(hi)

    def unit_rows(self) -> None:
        inf = np.inf
        p = self.percent
        for i, unit in enumerate(self.units):
            # s_i = ⌊p × x_i / 100⌋: 0 ≤ p x − 100 s ≤ 99.
            self.row({self.x(i): p, self.s(i): -100}, 0, 99)
            self.row({self.d(i): 1, self.x(i): -1, self.s(i): 1}, 0, inf)  # d ≥ x − s
            self.row({self.d(i): 1, self.x(i): -1, self.s(i): -1}, -inf, 0)  # d ≤ x + s
            for c in self.cats:
                self.row({self.y(i, c): 1, self.d(i): -1}, -inf, 0)  # y ≤ d
                outside = unit.capacity - unit.high.get(c, 0)
                self.row({self.d(i): 1, self.y(i, c): -1}, -inf, outside)
            for small, large in NESTED:
                if small in self.cats and large in self.cats:
                    between_hi = unit.high.get(large, 0) - unit.high.get(small, 0)
                    between_lo = unit.now.get(large, 0) - unit.now.get(small, 0)
                    self.row(
                        {self.y(i, large): 1, self.y(i, small): -1},
                        max(0, between_lo),
                        max(0, between_hi),
                    )

    def target_rows(self, plan: Plan, target: Target) -> None:
        inf = np.inf
        n = self.n
        d_all = {self.d(i): 1.0 for i in range(n)}
        if target.kind == "band":
            lo, hi = band_limits(plan.total, target.percent or 0)
            self.row(d_all, lo, hi)
            return
        y_all = {self.y(i, target.category): 1.0 for i in range(n)}
        if target.absolute is not None:
            if target.kind == "floor":
                self.row(y_all, target.absolute, inf)
            else:
                self.row(y_all, -inf, target.absolute)
        if target.percent is not None:
            # Integers only, as targets.evaluate: 100 × count against pct × base.
            terms = dict.fromkeys(y_all, 100.0)
            constant = 0.0
            if target.base == DEVELOPED:
                for i in range(n):
                    terms[self.d(i)] = terms.get(self.d(i), 0.0) - target.percent
            elif target.base == PLAN:
                constant = float(target.percent * plan.total)
            else:
                for i in range(n):
                    index = self.y(i, target.base)
                    terms[index] = terms.get(index, 0.0) - target.percent
            if target.kind == "floor":
                self.row(terms, constant, inf)
            else:
                self.row(terms, -inf, constant)

    def bounds(
        self, total: int, reference: Sequence[Fraction], fixed: Mapping[int, int] | None
    ) -> Bounds:
        lower = np.zeros(self.size)
        upper = np.full(self.size, np.inf)
        for i, unit in enumerate(self.units):
            lower[self.d(i)] = unit.approved
            upper[self.d(i)] = max(unit.approved, unit.capacity)
            upper[self.x(i)] = total
            for j, width in enumerate(self.widths):
                upper[self.seg(i, j, True)] = upper[self.seg(i, j, False)] = width
            if fixed is not None:
                lower[self.x(i)] = upper[self.x(i)] = fixed.get(unit.key, 0)
            for c in self.cats:
                lower[self.y(i, c)] = unit.now.get(c, 0)
                upper[self.y(i, c)] = max(unit.now.get(c, 0), unit.high.get(c, 0))
        return Bounds(lower, upper)

    def solve(
        self,
        plan: Plan,
        targets: Sequence[Target],
        total: int,
        reference: Sequence[Fraction],
        fixed: Mapping[int, int] | None = None,
    ) -> tuple[bool, dict[int, int], float]:
        saved = (list(self.rows), list(self.lo), list(self.hi))
        try:
            self.row({self.x(i): 1 for i in range(self.n)}, total, total)
            k = len(self.widths)
            cost = np.zeros(self.size)
            for i, ref in enumerate(reference):
                # x_i − p_i = Σ positive segments − Σ negative segments.
                terms: dict[int, float] = {self.x(i): 1.0}
                for j in range(k):
                    terms[self.seg(i, j, True)] = -1.0
                    terms[self.seg(i, j, False)] = 1.0
                    cost[self.seg(i, j, True)] = cost[self.seg(i, j, False)] = self.slopes[j]
                self.row(terms, float(ref), float(ref))
            for target in targets:
                self.target_rows(plan, target)
            # Shares, band slacks and planned counts are integers; category witnesses need not be.
            integrality = np.zeros(self.size)
            integrality[: self.y0] = 1
            result = milp(
                cost,
                constraints=[LinearConstraint(np.array(self.rows), self.lo, self.hi)],
                integrality=integrality,
                bounds=self.bounds(total, reference, fixed),
                options={"time_limit": 20, "presolve": True},
            )
        finally:
            self.rows, self.lo, self.hi = saved
        if result.status != 0 or result.x is None:
            return False, {}, float("inf")
        shares = {u.key: round(result.x[self.x(i)]) for i, u in enumerate(self.units)}
        return True, shares, float(result.fun)

    def deviation(self, shares: Mapping[int, int], reference: Sequence[Fraction]) -> Fraction:
        return sum(
            (abs(shares[u.key] - r) for u, r in zip(self.units, reference, strict=True)),
            Fraction(0),
        )


def _reference(units: Sequence[Unit], total: int) -> list[Fraction]:
    weights = [max(0, u.capacity) for u in units]
    whole = sum(weights)
    if whole == 0:
        return [Fraction(total, len(units)) for _ in units] if units else []
    return [Fraction(total * w, whole) for w in weights]


def _show(value: Fraction) -> str:
    rounded = round(value * 10) / 10
    return f"{float(rounded):g}"


def _label(target: Target) -> str:
    return f"{target.id}（{target.label}）"


class Allocator:
    """Propose and check splits of `total` over `units` under `plan`'s targets."""

    def __init__(self, plan: Plan, units: Sequence[Unit], total: int | None = None) -> None:
        self.plan = plan
        self.units = list(units)
        self.total = plan.total if total is None else total
        self.percent = band_percent(plan)
        self.targets = _hard(plan)
        self.model = _Model(self.units, _categories(self.targets), self.percent, self.total)
        self.model.unit_rows()
        self.reference = _reference(self.units, self.total)

    # -- the pieces of an explanation ----------------------------------------------------------

    def _capacity_problem(self) -> str | None:
        ranges = [share_range(u, self.percent) for u in self.units]
        most = sum(hi for _, hi in ranges)
        least = sum(lo for lo, _ in ranges)
        reach = sum(u.capacity for u in self.units)
        if self.total > most:
            return (
                f"各单位年底前最多可发展{reach}名（已批准加上仍可在12月31日前批准的人），"
                f"即使每个单位都只完成份额下浮{self.percent}%后的人数，合计也最多能承担{most}名，"
                f"少于要分配的{self.total}名。请核减计划数或先充实发展对象队伍。"
            )
        if self.total < least:
            return (
                f"各单位今年已批准的人数要求份额合计至少{least}名（份额上浮{self.percent}%后须覆盖"
                f"已批准人数），多于要分配的{self.total}名。"
            )
        return None

    def _target_problem(self, target: Target) -> str:
        c = target.category
        if target.kind == "band":
            lo, hi = band_limits(self.plan.total, target.percent or 0)
            reach = sum(u.capacity for u in self.units)
            return (
                f"{_label(target)}：发展数须在{lo}至{hi}名之间，各单位年底前最多可发展{reach}名。"
            )
        reach = sum(u.high.get(c, 0) for u in self.units)
        now = sum(u.now.get(c, 0) for u in self.units)
        if target.kind == "floor":
            if target.base == DEVELOPED:
                lo, _ = band_limits(self.total, self.percent)
                need = floor_required(target.absolute, target.percent, lo)
                where = f"（按发展数下限{lo}名计算）"
            else:
                need = target.absolute or 0
                where = ""
            return (
                f"{_label(target)}：至少需要{need}名{where}，各单位年底前最多能发展"
                f"{CATEGORY_LABELS[c]}{reach}名，与其他条件不能同时满足。"
            )
        return (
            f"{_label(target)}：{CATEGORY_LABELS[c]}今年已批准{now}名，"
            "按份额完成后将超过上限，与其他条件不能同时满足。"
        )

    def _infeasible(self, fixed: Mapping[int, int] | None) -> list[Check]:
        """Which targets make the program infeasible: alone, or together with the others."""
        checks: list[Check] = []
        alone_bad: list[Target] = []
        for target in self.targets:
            ok, _, _ = self.model.solve(self.plan, [target], self.total, self.reference, fixed)
            if not ok:
                alone_bad.append(target)
                checks.append(Check(f"target.{target.id}", False, self._target_problem(target)))
        if alone_bad:
            return checks
        for target in self.targets:
            others = [t for t in self.targets if t is not target]
            ok, _, _ = self.model.solve(self.plan, others, self.total, self.reference, fixed)
            if ok:
                checks.append(Check(f"target.{target.id}", False, self._target_problem(target)))
        if not checks:
            checks.append(
                Check("targets", False, "各结构目标单独都可满足，但多个目标不能同时满足。")
            )
        return checks

    # -- check a split -------------------------------------------------------------------------

    def check(self, shares: Mapping[int, int]) -> list[Check]:
        """The live checks of the adjust page: sum, each share within its pipeline, targets."""
        checks: list[Check] = []
        summed = sum(shares.get(u.key, 0) for u in self.units)
        if summed == self.total:
            checks.append(Check("sum", True, f"合计{summed}名，等于计划总数{self.total}名。"))
        else:
            diff = summed - self.total
            more = f"多{diff}名" if diff > 0 else f"少{-diff}名"
            checks.append(
                Check("sum", False, f"合计{summed}名，与计划总数{self.total}名不符（{more}）。")
            )
        unit_ok = True
        for unit in self.units:
            share = shares.get(unit.key, 0)
            room = slack(share, self.percent)
            if share - room > unit.capacity:
                unit_ok = False
                checks.append(
                    Check(
                        f"capacity.{unit.key}",
                        False,
                        f"{unit.name}：份额{share}名下浮{self.percent}%后仍须完成{share - room}名，"
                        f"但年底前最多可发展{unit.capacity}名。",
                        unit.key,
                    )
                )
            elif share + room < unit.approved:
                unit_ok = False
                checks.append(
                    Check(
                        f"approved.{unit.key}",
                        False,
                        f"{unit.name}：今年已批准{unit.approved}名，超过份额{share}名"
                        f"上浮{self.percent}%后的{share + room}名。",
                        unit.key,
                    )
                )
        if unit_ok:
            checks.append(
                Check("capacity", True, "每个单位的份额都在其发展对象队伍可完成的范围内。")
            )
        if summed != self.total or not unit_ok:
            return checks
        ok, _, _ = self.model.solve(self.plan, self.targets, self.total, self.reference, shares)
        if ok:
            checks.append(Check("targets", True, "按此分配，各项结构目标在全区层面仍都可以达到。"))
        else:
            checks.extend(self._infeasible(shares))
        return checks

    # -- propose a split -------------------------------------------------------------------------

    def propose(self) -> Proposal:
        reference = {u.key: r for u, r in zip(self.units, self.reference, strict=True)}
        if not self.units:
            message = "没有可分配的下级组织。"
            return Proposal(False, self.total, {}, reference, [Check("units", False, message)], [])
        problem = self._capacity_problem()
        if problem is not None:
            check = Check("capacity", False, problem)
            return Proposal(False, self.total, {}, reference, [check], [problem])
        ok, shares, cost = self.model.solve(self.plan, self.targets, self.total, self.reference)
        if not ok:
            checks = self._infeasible(None)
            lines = ["无法找到使全部目标可行的分配："] + [c.message for c in checks]
            return Proposal(False, self.total, {}, reference, checks, lines)
        explanation = self._explain(shares, cost)
        return Proposal(True, self.total, shares, reference, self.check(shares), explanation)

    def _explain(self, shares: Mapping[int, int], cost: float) -> list[str]:
        lines = [
            f"以各单位年底前可发展人数（今年已批准加上仍可在12月31日前批准的人）为权重按比例分配"
            f"{self.total}名，再取整数并满足各项约束，使分配与比例分配的偏差平方和最小"
            f"（本方案与比例分配相差合计{_show(self.model.deviation(shares, self.reference))}名）。"
        ]
        # Capacity and already-approved bounds that bind.
        for unit, ref in zip(self.units, self.reference, strict=True):
            share = shares[unit.key]
            room = slack(share, self.percent)
            if share < ref - 1 and share - room >= unit.capacity:
                lines.append(
                    f"{unit.name}：按比例应得约{_show(ref)}名，但年底前最多可发展{unit.capacity}名，"
                    f"份额{share}名下浮{self.percent}%后须完成{share - room}名，已到上限。"
                )
            elif share > ref + 1 and share + room <= unit.approved:
                lines.append(
                    f"{unit.name}：今年已批准{unit.approved}名，份额至少要{share}名"
                    f"（上浮{self.percent}%后覆盖已批准人数）。"
                )
        # Targets that bind: without them the split would be nearer the proportional one.
        for target in self.targets:
            others = [t for t in self.targets if t is not target]
            ok, free, free_cost = self.model.solve(self.plan, others, self.total, self.reference)
            if ok and free_cost + 1e-6 < cost:
                moved = [
                    f"{u.name}{'+' if shares[u.key] > free[u.key] else ''}"
                    f"{shares[u.key] - free[u.key]}"
                    for u in self.units
                    if shares[u.key] != free[u.key]
                ]
                lines.append(
                    f"约束起作用：{_label(target)}。若不考虑它，分配可更接近比例；为使它在全区仍可"
                    f"达到，份额调整为：{'，'.join(moved)}。"
                )
        if len(lines) == 1:
            lines.append("没有约束迫使分配偏离比例，差异只来自取整。")
        for unit in self.units:
            share = shares[unit.key]
            if share and unit.pool < POOL_RATIO * share:
                lines.append(
                    f"提示：{unit.name}现有入党积极分子{unit.pool}名，不足份额{share}名的3倍"
                    "（区委意见三（一）：积极分子与发展党员数的比例要达到3:1以上）。"
                )
        return lines
