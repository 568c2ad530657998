"""Next year's plan requested from below: the checks of a request against the plan's own rules.

Each organization below the district sends, in 12月下旬, its plan for next year (seed 四:
“**年发展党员工作计划”): a requested number and, optionally, how many of them it means to
develop in each structure category (the plan's vocabulary: 35岁以下, 女党员, 工人, 学生, ...).
A request is never refused for breaking a rule; it is flagged, each flag naming its rule and its
figures, so the district weighs it:

* `pool`: the activist pool is below the ratio of the plan's 3:1 target (K1: activists ≥ 300% of
  those developed), judged against the number requested; on the district's totals the pool's
  absolute floor (K2: ≥ 1,200) too;
* `cap`: a capped category (D4: 学生 ≤ 15 and ≤ 4%) above min(abs, ⌊pct × requested / 100⌋);
* `exceeds`: a structure count above the number requested;
* `nested`: a “其中” category above its parent (25岁以下 within 35岁以下, ...);
* `disjoint`: two categories no person can share (工人 and 农牧渔民, ...) adding up above the
  number requested.

Integer arithmetic only, like `fazhan.policy.targets`. No Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fazhan.policy import targets
from fazhan.policy.targets import CATEGORY_LABELS, COUNT_KEYS, NESTED

# The categories a request may give numbers for: every count but the total and the pool.
STRUCTURE_KEYS: tuple[str, ...] = tuple(
    k for k in COUNT_KEYS if k not in ("developed", "activists")
)
ACTIVISTS = "activists"
REQUEST_CLAUSE = "下级单位报送的下一年度发展党员工作计划"


@dataclass(frozen=True, slots=True)
class Flag:
    code: str  # pool | cap | exceeds | nested | disjoint
    category: str
    rule: str  # the rule and where it is written
    message: str  # the figures
    actual: int
    limit: int


def _rule(target: targets.Target) -> str:
    return f"{target.id} {target.label}（{target.clause}）" if target.clause else target.label


def clean_structure(raw: Mapping[str, Any]) -> dict[str, int]:
    """The structure counts kept: known categories with positive integers (others dropped)."""
    out: dict[str, int] = {}
    for key in STRUCTURE_KEYS:
        value = raw.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            out[key] = value
    return out


def _pool_flags(total: int, pool: int, plan: targets.Plan, *, whole: bool) -> list[Flag]:
    flags: list[Flag] = []
    for target in plan.targets:
        if target.category != ACTIVISTS or target.kind != "floor":
            continue
        if target.percent is not None and target.base == "developed":
            need = targets.floor_required(None, target.percent, total)
            if pool < need:
                flags.append(
                    Flag(
                        "pool",
                        ACTIVISTS,
                        _rule(target),
                        f"积极分子{pool}名，申请发展{total}名，"
                        f"按比例至少需要{need}名积极分子（少{need - pool}名）",
                        pool,
                        need,
                    )
                )
        elif whole and target.absolute is not None and pool < target.absolute:
            flags.append(
                Flag(
                    "pool",
                    ACTIVISTS,
                    _rule(target),
                    f"积极分子合计{pool}名，低于{target.absolute}名",
                    pool,
                    target.absolute,
                )
            )
    return flags


def _cap_flags(total: int, structure: Mapping[str, int], plan: targets.Plan) -> list[Flag]:
    flags: list[Flag] = []
    for target in plan.targets:
        if target.kind != "cap" or target.base != "developed":
            continue
        count = structure.get(target.category, 0)
        most = targets.cap_required(target.absolute, target.percent, total)
        if count > most:
            name = CATEGORY_LABELS[target.category]
            flags.append(
                Flag(
                    "cap",
                    target.category,
                    _rule(target),
                    f"{name}{count}名，申请发展{total}名时至多{most}名",
                    count,
                    most,
                )
            )
    return flags


def _shape_flags(total: int, structure: Mapping[str, int], plan: targets.Plan) -> list[Flag]:
    flags: list[Flag] = []
    for key in STRUCTURE_KEYS:
        count = structure.get(key, 0)
        if count > total:
            flags.append(
                Flag(
                    "exceeds",
                    key,
                    "结构数是发展数的一部分，不能超过申请发展数",
                    f"{CATEGORY_LABELS[key]}{count}名，超过申请发展数{total}名",
                    count,
                    total,
                )
            )
    for child, parent in NESTED:
        count, above = structure.get(child, 0), structure.get(parent, 0)
        if count > above:
            flags.append(
                Flag(
                    "nested",
                    child,
                    f"“其中”：{CATEGORY_LABELS[child]}包含在{CATEGORY_LABELS[parent]}之内",
                    f"{CATEGORY_LABELS[child]}{count}名，多于{CATEGORY_LABELS[parent]}{above}名",
                    count,
                    above,
                )
            )
    for dimension in plan.dimensions:
        pairs = [sorted(pair, key=COUNT_KEYS.index) for pair in dimension.disjoint]
        for a, b in sorted(pairs, key=lambda pair: [COUNT_KEYS.index(k) for k in pair]):
            summed = structure.get(a, 0) + structure.get(b, 0)
            if summed > total:
                flags.append(
                    Flag(
                        "disjoint",
                        a,
                        f"{CATEGORY_LABELS[a]}与{CATEGORY_LABELS[b]}互不重叠（{dimension.label}）",
                        f"两者合计{summed}名，超过申请发展数{total}名",
                        summed,
                        total,
                    )
                )
    return flags


def check_request(
    total: int,
    structure: Mapping[str, int],
    pool: int,
    plan: targets.Plan,
    *,
    whole: bool = False,
) -> list[Flag]:
    """Every flag of a request for `total` with these structure counts, given the requesting
    organization's activist pool and the plan whose rules apply (`whole`: the district's totals,
    where the absolute floors of the pool apply too)."""
    return (
        _pool_flags(total, pool, plan, whole=whole)
        + _cap_flags(total, structure, plan)
        + _shape_flags(total, structure, plan)
    )


def share_targets(structure: Mapping[str, int], plan: targets.Plan) -> list[dict[str, Any]]:
    """A request's structure as fazhan-plan/1 targets of a share: a floor of the number asked
    for in each category, a cap where the plan caps the category (学生)."""
    capped = {t.category for t in plan.targets if t.kind == "cap"}
    out: list[dict[str, Any]] = []
    for key in STRUCTURE_KEYS:
        count = structure.get(key, 0)
        if count <= 0:
            continue
        kind = "cap" if key in capped else "floor"
        word = "不超过" if kind == "cap" else "不少于"
        out.append(
            {
                "id": f"R.{key}",
                "kind": kind,
                "category": key,
                "abs": count,
                "label": CATEGORY_LABELS[key],
                "clause": REQUEST_CLAUSE,
                "basis": f"申请：发展{CATEGORY_LABELS[key]}党员{word}{count}名。",
            }
        )
    return out
