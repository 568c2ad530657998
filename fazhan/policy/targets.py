"""Plan indicators as data: evaluate a year's counts against a plan, and lint the plan itself.

A plan (`fazhan/policies/plans/*.json`, format `fazhan-plan/1`) is a total and a list of targets.
Each target counts one category (`le35`, `hs_plus`, `worker`, ...) and is a floor (不少于/不低于),
a cap (以内/不超过), the band around the plan total (上下浮动幅度) or an aspiration (力争, reported,
never failing). A target has an absolute part, a percentage part or both; the percentage applies
to the actual count of its base: `developed` for first-level targets, the parent category for
nested ones (the seed's “其中…占…的比例”: A2, E2, G2), `plan` for the band. The rules are
contracts.md §4; the seed's formulas and its inconsistencies are rules-reference.md §5.

Integer arithmetic only (cross-multiplication, ⌈⌉ and ⌊⌋ by integer division): 0.77 × 350 = 269.5
and 0.85 × 350 = 297.5 sit exactly on the edges that floats get wrong.

Nothing here imports Django: `fazhan plan`, the plans app and the dashboards share it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import combinations
from pathlib import Path
from typing import Literal, NoReturn, cast

from fazhan.policy import jsontext

FORMAT = "fazhan-plan/1"
PLANS_PACKAGE = "fazhan.policies.plans"

Kind = Literal["floor", "cap", "band", "aspiration"]
KINDS: tuple[Kind, ...] = ("floor", "cap", "band", "aspiration")
Status = Literal["met", "unmet"]

# The twelve keys of COUNTS.json, in the contract's order (contracts.md §4).
COUNT_KEYS: tuple[str, ...] = (
    "developed",
    "le35",
    "le25",
    "hs_plus",
    "college_plus",
    "female",
    "female_frontline",
    "worker",
    "farmer",
    "mgmt_tech_rich",
    "student",
    "activists",
)
CATEGORY_LABELS: dict[str, str] = {
    "developed": "发展总数",
    "le35": "35岁以下",
    "le25": "25岁以下",
    "hs_plus": "高中以上文化",
    "college_plus": "研究生、大学本（专）科",
    "female": "女党员",
    "female_frontline": "一线女党员",
    "worker": "工人（营业员、服务员）",
    "farmer": "农牧渔民",
    "mgmt_tech_rich": "各类管理、专业技术人员和农村致富能人",
    "student": "学生",
    "activists": "入党积极分子",
}
# A nested category is a subset of its parent (“其中”), so its count cannot exceed the parent's.
NESTED: tuple[tuple[str, str], ...] = (
    ("le25", "le35"),
    ("college_plus", "hs_plus"),
    ("female_frontline", "female"),
)
# Everyone counted is among those developed, except the activist pool they are chosen from.
NOT_WITHIN_DEVELOPED = frozenset({"developed", "activists"})
# Bases a percentage can refer to besides a category: the actual number developed, the plan total.
DEVELOPED = "developed"
PLAN = "plan"


class PlanError(ValueError):
    """A plan that cannot be found or read. The message is Chinese and names the field."""


class CountsError(ValueError):
    """COUNTS that are not twelve consistent non-negative integers; `key` names the culprit."""

    def __init__(self, key: str | None, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


@dataclass(frozen=True, slots=True)
class Counts:
    """One year's actual counts (contracts.md §4), validated by `validate_counts`."""

    developed: int
    le35: int
    le25: int
    hs_plus: int
    college_plus: int
    female: int
    female_frontline: int
    worker: int
    farmer: int
    mgmt_tech_rich: int
    student: int
    activists: int

    def __getitem__(self, key: str) -> int:
        if key not in COUNT_KEYS:
            raise KeyError(key)
        value = getattr(self, key)
        assert isinstance(value, int)
        return value

    def as_dict(self) -> dict[str, int]:
        return {key: self[key] for key in COUNT_KEYS}


@dataclass(frozen=True, slots=True)
class Target:
    id: str
    kind: Kind
    category: str
    absolute: int | None
    percent: int | None
    base: str
    label: str
    clause: str
    basis: str
    note: str = ""

    @property
    def first_level(self) -> bool:
        """True when the percentage is of the number developed (or the plan), not of a parent."""
        return self.base in (DEVELOPED, PLAN)


@dataclass(frozen=True, slots=True)
class Dimension:
    """Categories that tag the same attribute (the seed's 分布目标: occupation).

    Tags are not exclusive (a farmer can also be a rural entrepreneur); `disjoint` lists the pairs
    that cannot both apply to one person.
    """

    name: str
    label: str
    categories: tuple[str, ...]
    disjoint: frozenset[frozenset[str]]
    note: str = ""

    def are_disjoint(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.disjoint


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    title: str
    year: int
    issuer: str
    total: int
    source: str
    targets: tuple[Target, ...]
    dimensions: tuple[Dimension, ...] = ()

    def target(self, target_id: str) -> Target:
        for target in self.targets:
            if target.id == target_id:
                return target
        raise KeyError(target_id)


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    kind: Kind
    status: Status
    required: int | tuple[int, int]
    actual: int
    target: Target = field(compare=False, repr=False)

    @property
    def failing(self) -> bool:
        """Aspirations (力争) are reported with a status but never fail (contracts.md §4)."""
        return self.status == "unmet" and self.kind != "aspiration"

    def to_json(self) -> dict[str, object]:
        required: object = (
            list(self.required) if isinstance(self.required, tuple) else self.required
        )
        return {
            "id": self.id,
            "status": self.status,
            "kind": self.kind,
            "required": required,
            "actual": self.actual,
        }


@dataclass(frozen=True, slots=True)
class LintFinding:
    id: str
    targets: tuple[str, ...]
    message: str
    detail: str
    # The same in English for the English interface (not part of `fazhan plan --json`).
    message_en: str = ""
    detail_en: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "targets": list(self.targets),
            "message": self.message,
            "detail": self.detail,
        }


# ---------------------------------------------------------------------------------------------
# Integer arithmetic


def _ceil_div(num: int, den: int) -> int:
    return -(-num // den)


def floor_required(absolute: int | None, percent: int | None, base: int) -> int:
    """The least count meeting a floor: max(abs, ⌈pct × base / 100⌉)."""
    parts = [absolute] if absolute is not None else []
    if percent is not None:
        parts.append(_ceil_div(percent * base, 100))
    return max(parts)


def cap_required(absolute: int | None, percent: int | None, base: int) -> int:
    """The most count meeting a cap: min(abs, ⌊pct × base / 100⌋)."""
    parts = [absolute] if absolute is not None else []
    if percent is not None:
        parts.append(percent * base // 100)
    return min(parts)


def band_limits(center: int, percent: int) -> tuple[int, int]:
    """[lo, hi] with 100 × |n − center| ≤ pct × center; |n − center| is an integer, so ⌊⌋ it."""
    slack = percent * center // 100
    return max(0, center - slack), center + slack


def _meets_floor(count: int, absolute: int | None, percent: int | None, base: int) -> bool:
    # “不少于 n 名” and “不低于 x%” are separate conjunctive constraints (rules-reference §5).
    return (absolute is None or count >= absolute) and (
        percent is None or 100 * count >= percent * base
    )


def _meets_cap(count: int, absolute: int | None, percent: int | None, base: int) -> bool:
    return (absolute is None or count <= absolute) and (
        percent is None or 100 * count <= percent * base
    )


def _base_value(target: Target, counts: Counts, total: int) -> int:
    if target.base == PLAN:
        return total
    return counts[target.base]


# ---------------------------------------------------------------------------------------------
# Evaluate


def evaluate(plan: Plan, counts: Counts) -> list[Indicator]:
    """One indicator per target, in the plan's order (contracts.md §4)."""
    indicators: list[Indicator] = []
    for target in plan.targets:
        actual = counts[target.category]
        base = _base_value(target, counts, plan.total)
        required: int | tuple[int, int]
        if target.kind in ("floor", "aspiration"):
            met = _meets_floor(actual, target.absolute, target.percent, base)
            required = floor_required(target.absolute, target.percent, base)
        elif target.kind == "cap":
            met = _meets_cap(actual, target.absolute, target.percent, base)
            required = cap_required(target.absolute, target.percent, base)
        else:
            # 上下浮动幅度控制在10%以内: 以内 is inclusive, so 10 × |A − P| ≤ P (seed 三（四）).
            percent = target.percent
            assert percent is not None
            met = 100 * abs(actual - base) <= percent * base
            required = band_limits(base, percent)
        indicators.append(
            Indicator(
                id=target.id,
                kind=target.kind,
                status="met" if met else "unmet",
                required=required,
                actual=actual,
                target=target,
            )
        )
    return indicators


# ---------------------------------------------------------------------------------------------
# Counts


def _show(value: object) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _named(key: str) -> str:
    return f"{key}（{CATEGORY_LABELS[key]}）"


def validate_counts(raw: object) -> Counts:
    """Check COUNTS.json as contracts.md §4 states it; unknown keys are ignored."""
    if not isinstance(raw, Mapping):
        raise CountsError(
            None, f"计数必须是一个 JSON 对象（含 developed、le35 等十二个键），实际为 {_show(raw)}"
        )
    values: dict[str, int] = {}
    for key in COUNT_KEYS:
        if key not in raw:
            raise CountsError(key, f"缺少键 {_named(key)}：十二个键都必须给出")
        value = raw[key]
        # bool is a subclass of int in Python, but true is not a count.
        if isinstance(value, bool) or not isinstance(value, int):
            raise CountsError(key, f"{_named(key)} 必须是非负整数，实际为 {_show(value)}")
        if value < 0:
            raise CountsError(key, f"{_named(key)} 必须是非负整数，实际为 {value}")
        values[key] = value
    developed = values[DEVELOPED]
    for key in COUNT_KEYS:
        if key not in NOT_WITHIN_DEVELOPED and values[key] > developed:
            raise CountsError(
                key, f"{_named(key)} 为 {values[key]}，不能大于 developed（发展总数）{developed}"
            )
    for small, large in NESTED:
        if values[small] > values[large]:
            raise CountsError(
                small,
                f"{_named(small)} 为 {values[small]}，不能大于 {_named(large)} {values[large]}",
            )
    return Counts(**values)


# ---------------------------------------------------------------------------------------------
# Loading


def available_plans() -> list[str]:
    """Names of the plans shipped in `fazhan/policies/plans/`."""
    folder = resources.files(PLANS_PACKAGE)
    return sorted(
        entry.name[: -len(".json")]
        for entry in folder.iterdir()
        if entry.name.endswith(".json") and entry.is_file()
    )


def load_plan(name_or_path: str | Path) -> Plan:
    """A shipped plan by name (`seed`), else a plan file by path; PlanError if neither."""
    text: str | None = None
    origin = str(name_or_path)
    if isinstance(name_or_path, str) and re.fullmatch(r"[A-Za-z0-9_.-]+", name_or_path):
        resource = resources.files(PLANS_PACKAGE).joinpath(f"{name_or_path}.json")
        if resource.is_file():
            text = resource.read_text(encoding="utf-8")
    if text is None:
        path = Path(name_or_path)
        if not path.is_file():
            names = "、".join(available_plans())
            raise PlanError(f"未知的计划：{origin}（内置计划：{names}；也可以给出计划文件的路径）")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise PlanError(f"无法读取计划文件 {origin}：{error}") from error
    try:
        data = jsontext.loads(text)
    except json.JSONDecodeError as error:
        raise PlanError(
            f"计划文件 {origin} 不是有效的 JSON：第{error.lineno}行第{error.colno}列，{error.msg}"
        ) from error
    return parse_plan(data, origin)


_PLAN_FIELDS = frozenset(
    {"format", "name", "title", "year", "issuer", "source", "total", "dimensions", "targets"}
)
_TARGET_FIELDS = frozenset(
    {"id", "kind", "category", "abs", "pct", "base", "label", "clause", "basis", "note"}
)
_DIMENSION_FIELDS = frozenset({"name", "label", "categories", "disjoint", "note"})


class _Reader:
    """Typed access to one JSON object, with Chinese errors that name the field's path."""

    def __init__(self, origin: str, path: str, data: object) -> None:
        self.origin = origin
        self.path = path
        if not isinstance(data, dict):
            self.fail(path, "必须是 JSON 对象")
        self.data = cast(dict[str, object], data)

    def fail(self, where: str, problem: str) -> NoReturn:
        raise PlanError(f"计划 {self.origin}：{where or '顶层'} {problem}")

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def only(self, allowed: frozenset[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.fail(self.at(key), "是未知的字段")

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str) or (default is None and not value):
            self.fail(self.at(key), "必须是非空字符串")
        return value

    def integer(self, key: str, *, optional: bool = False) -> int | None:
        value = self.data.get(key)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(self.at(key), f"必须是非负整数，实际为 {_show(value)}")
        return value

    def items(self, key: str, *, optional: bool = False) -> list[object]:
        value = self.data.get(key, [] if optional else None)
        if not isinstance(value, list):
            self.fail(self.at(key), "必须是数组")
        return cast(list[object], value)


def parse_plan(data: object, origin: str = "<plan>") -> Plan:
    """Validate a decoded plan document (format `fazhan-plan/1`) into a Plan."""
    top = _Reader(origin, "", data)
    top.only(_PLAN_FIELDS)
    if top.data.get("format") != FORMAT:
        top.fail("format", f"必须是 {FORMAT}，实际为 {_show(top.data.get('format'))}")
    name = top.text("name")
    total = top.integer("total")
    assert total is not None
    if total == 0:
        top.fail("total", "必须大于0")
    year = top.integer("year")
    assert year is not None
    dimensions = tuple(
        _parse_dimension(_Reader(origin, f"dimensions[{index}]", item))
        for index, item in enumerate(top.items("dimensions", optional=True))
    )
    raw_targets = top.items("targets")
    if not raw_targets:
        top.fail("targets", "不能为空")
    targets: list[Target] = []
    for index, item in enumerate(raw_targets):
        target = _parse_target(_Reader(origin, f"targets[{index}]", item))
        if any(existing.id == target.id for existing in targets):
            top.fail(f"targets[{index}].id", f"重复：{target.id}")
        targets.append(target)
    return Plan(
        name=name,
        title=top.text("title", name),
        year=year,
        issuer=top.text("issuer"),
        total=total,
        source=top.text("source", ""),
        targets=tuple(targets),
        dimensions=dimensions,
    )


def _parse_target(reader: _Reader) -> Target:
    reader.only(_TARGET_FIELDS)
    kind = reader.text("kind")
    if kind not in KINDS:
        reader.fail(reader.at("kind"), f"必须是 {'/'.join(KINDS)} 之一，实际为 {_show(kind)}")
    category = reader.text("category")
    if category not in COUNT_KEYS:
        reader.fail(reader.at("category"), f"不是已知的类别：{_show(category)}")
    absolute = reader.integer("abs", optional=True)
    percent = reader.integer("pct", optional=True)
    if absolute is None and percent is None:
        reader.fail(reader.path, "至少要有 abs 或 pct 之一")
    base = reader.text("base", DEVELOPED)
    if base not in (DEVELOPED, PLAN) and (base not in COUNT_KEYS or base == category):
        reader.fail(reader.at("base"), f"必须是 developed、plan 或另一个类别，实际为 {_show(base)}")
    if kind == "band" and (
        category != DEVELOPED or base != PLAN or percent is None or absolute is not None
    ):
        # The seed's only band is 实际发展数与计划发展数上下浮动幅度控制在10%以内.
        reader.fail(reader.path, "区间（band）只能是发展总数围绕计划数的百分比浮动")
    return Target(
        id=reader.text("id"),
        kind=cast(Kind, kind),
        category=category,
        absolute=absolute,
        percent=percent,
        base=base,
        label=reader.text("label", CATEGORY_LABELS[category]),
        clause=reader.text("clause", ""),
        basis=reader.text("basis"),
        note=reader.text("note", ""),
    )


def _parse_dimension(reader: _Reader) -> Dimension:
    reader.only(_DIMENSION_FIELDS)
    categories: list[str] = []
    for index, item in enumerate(reader.items("categories")):
        if not isinstance(item, str) or item not in COUNT_KEYS or item in categories:
            reader.fail(
                f"{reader.at('categories')}[{index}]", f"不是已知且不重复的类别：{_show(item)}"
            )
        categories.append(item)
    pairs: set[frozenset[str]] = set()
    for index, item in enumerate(reader.items("disjoint", optional=True)):
        pair = cast(list[object], item) if isinstance(item, list) else []
        if (
            len(pair) != 2
            or pair[0] == pair[1]
            or not all(isinstance(c, str) and c in categories for c in pair)
        ):
            reader.fail(f"{reader.at('disjoint')}[{index}]", "必须是本维度中两个不同类别组成的数组")
        pairs.add(frozenset(cast(list[str], pair)))
    return Dimension(
        name=reader.text("name"),
        label=reader.text("label", reader.text("name")),
        categories=tuple(categories),
        disjoint=frozenset(pairs),
        note=reader.text("note", ""),
    )


# ---------------------------------------------------------------------------------------------
# Lint


def plan_band(plan: Plan) -> tuple[int, int]:
    """The totals the plan allows: the intersection of its bands, or the plan total alone."""
    limits = [
        band_limits(plan.total, cast(int, t.percent)) for t in plan.targets if t.kind == "band"
    ]
    if not limits:
        return plan.total, plan.total
    return max(lo for lo, _ in limits), min(hi for _, hi in limits)


def lint(plan: Plan) -> list[LintFinding]:
    """Contradictions inside the plan itself, judged at developed = plan total (contracts.md §4).

    Driven by the plan's data only. The seed yields exactly three: I1 (plan.cap_conflict), I2
    (plan.floors_exceed_total) and I4 (plan.redundant) of rules-reference §5.2.
    """
    return [*_cap_conflicts(plan), *_floors_exceed_total(plan), *_redundant(plan)]


@cache
def _english_texts() -> dict[str, str]:
    """The English of the plan's Chinese labels (fazhan/policies/i18n/en.json, table `text`)."""
    data = json.loads(
        resources.files("fazhan.policies").joinpath("i18n/en.json").read_text(encoding="utf-8")
    )
    texts: dict[str, str] = data.get("text", {})
    return texts


def _en(chinese: str) -> str:
    return _english_texts().get(chinese, chinese)


def _en_category(category: str) -> str:
    """A category's English name, quoted: the names themselves hold commas and "and"."""
    return f"“{_en(CATEGORY_LABELS[category])}”"


def _decimal(num: int, den: int) -> str:
    """num / den with at most two decimals, rounded half up, integers only (269.5, 4.29)."""
    hundredths = (200 * num + den) // (2 * den)
    whole, frac = divmod(hundredths, 100)
    return f"{whole}.{frac:02d}".rstrip("0").rstrip(".") if frac else str(whole)


def _times(percent: int, base: int) -> str:
    return f"{percent // 100}×{base}" if percent % 100 == 0 else f"{percent}%×{base}"


def _cap_conflicts(plan: Plan) -> Iterator[LintFinding]:
    # Seed 二（三）: 学生党员控制在15名以内，不超过发展党员总数的4% — at 350, 4% is 14, so the
    # first clause admits a 15th student that the second forbids (rules-reference §5.2 I1).
    total = plan.total
    lo, hi = plan_band(plan)
    for target in plan.targets:
        absolute, percent = target.absolute, target.percent
        if target.kind != "cap" or absolute is None or percent is None or not target.first_level:
            continue
        by_percent = percent * total // 100
        if by_percent == absolute:
            continue
        name = f"{target.id}（{target.label}）"
        name_en = f"{target.id} ({_en(target.label)})"
        message_en = (
            f"The two caps of {name_en} disagree when the plan total of {total} is recruited: "
            f"“within {absolute}” allows {absolute}, “at most {percent}%” allows only {by_percent}."
        )
        message = (
            f"{name}的两个上限在发展数为计划数{total}名时不一致：“{absolute}名以内”允许{absolute}名，"
            f"“不超过{percent}%”只允许{by_percent}名。"
        )
        exact = _decimal(percent * total, 100)
        if absolute > by_percent:
            reach = _ceil_div(100 * absolute, percent)
            effective = "、".join(
                f"发展数{d}名时{cap_required(absolute, percent, d)}名"
                for d in sorted({lo, total, hi})
            )
            effective_en = "; ".join(
                f"{cap_required(absolute, percent, d)} when {d} are recruited"
                for d in sorted({lo, total, hi})
            )
            when_en = (
                f"it is {absolute} only from {reach} recruited"
                if reach <= hi
                else f"it never reaches {absolute} within the allowed {lo} to {hi} recruited"
            )
            when = (
                f"发展数达到{reach}名及以上时才是{absolute}名"
                if reach <= hi
                else f"在允许的发展数{lo}至{hi}名内始终达不到{absolute}名"
            )
            detail = (
                f"{percent}%×{total}={exact}，取整后上限为{by_percent}名；"
                f"{absolute}名（占{_decimal(100 * absolute, total)}%）满足“{absolute}名以内”却违反"
                f"“不超过{percent}%”。有效上限是 min({absolute}, ⌊{percent}%×发展数⌋)："
                f"{effective}；{when}。"
            )
            detail_en = (
                f"{percent}%×{total}={exact}, a cap of {by_percent} after rounding down; "
                f"{absolute} ({_decimal(100 * absolute, total)}%) meets “within {absolute}” but "
                f"breaks “at most {percent}%”. The effective cap is "
                f"min({absolute}, ⌊{percent}%×recruited⌋): {effective_en}; {when_en}."
            )
        else:
            detail = (
                f"{percent}%×{total}={exact}，百分比允许{by_percent}名，但“{absolute}名以内”"
                f"只允许{absolute}名：按计划数计算，百分比上限不起作用。"
            )
            detail_en = (
                f"{percent}%×{total}={exact}: the percentage allows {by_percent}, but “within "
                f"{absolute}” allows only {absolute}: at the plan total the percentage cap never "
                "binds."
            )
        yield LintFinding("plan.cap_conflict", (target.id,), message, detail, message_en, detail_en)


def _max_disjoint_sum(
    dimension: Dimension, candidates: Sequence[str], lower: Mapping[str, int]
) -> tuple[int, tuple[str, ...]]:
    """The largest sum of floors over categories that are pairwise disjoint (a few, brute force)."""
    best: tuple[int, tuple[str, ...]] = (0, ())
    for size in range(1, len(candidates) + 1):
        for group in combinations(candidates, size):
            if all(dimension.are_disjoint(a, b) for a, b in combinations(group, 2)):
                weight = sum(lower[c] for c in group)
                if weight > best[0]:
                    best = (weight, group)
    return best


def _labels(categories: Sequence[str]) -> str:
    return "、".join(CATEGORY_LABELS[c] for c in categories)


def _labels_en(categories: Sequence[str]) -> str:
    return ", ".join(_en_category(c) for c in categories)


def _floors_exceed_total(plan: Plan) -> Iterator[LintFinding]:
    # Seed 二（三）: 工人≥42 + 农牧渔民≥180 + 各类管理、专业技术人员和农村致富能人≥300 = 522 > 350,
    # so occupation must be multi-tag; with the declared disjoint pairs the overlap it forces is
    # computed, not assumed (rules-reference §5.2 I2).
    total = plan.total
    for dimension in plan.dimensions:
        floors = [
            t
            for t in plan.targets
            if t.kind == "floor" and t.category in dimension.categories and t.first_level
        ]
        lower = dict.fromkeys(dimension.categories, 0)
        for target in floors:
            required = floor_required(target.absolute, target.percent, total)
            lower[target.category] = max(lower[target.category], required)
        summed = sum(lower.values())
        if summed <= total:
            continue
        ids = tuple(t.id for t in floors)
        listed = "、".join(
            f"{t.id} {CATEGORY_LABELS[t.category]}≥{floor_required(t.absolute, t.percent, total)}"
            for t in floors
        )
        parts = [
            f"按发展数为计划数{total}名计算：{listed}，合计{summed}名，"
            f"比计划数多{summed - total}名，所以这些类别不能是互斥的职业代码，必须允许一人多标签。"
        ]
        listed_en = ", ".join(
            f"{t.id} {_en_category(t.category)} ≥ {floor_required(t.absolute, t.percent, total)}"
            for t in floors
        )
        parts_en = [
            f"At the plan total of {total}: {listed_en}, {summed} in all, {summed - total} more "
            "than the plan total, so these categories cannot be exclusive occupation codes: one "
            "person must be able to carry several tags."
        ]
        if dimension.disjoint:
            declared = "、".join(
                f"{CATEGORY_LABELS[a]}与{CATEGORY_LABELS[b]}"
                for a, b in combinations(dimension.categories, 2)
                if dimension.are_disjoint(a, b)
            )
            parts.append(f"已声明互不重叠：{declared}。")
            declared_en = "; ".join(
                f"{_en_category(a)} and {_en_category(b)}"
                for a, b in combinations(dimension.categories, 2)
                if dimension.are_disjoint(a, b)
            )
            parts_en.append(f" Declared not to overlap: {declared_en}.")
        impossible, group = _max_disjoint_sum(dimension, dimension.categories, lower)
        headline: list[str] = []
        headline_en: list[str] = []
        if impossible > total:
            text = (
                f"互不重叠的{_labels(group)}下限合计{impossible}名，已超过计划数{total}名，"
                "无论怎样分类都不能同时达到"
            )
            parts.append(text + "。")
            headline.append(text)
            text_en = (
                f"the floors of {_labels_en(group)}, which do not overlap, add up to {impossible}, "
                f"more than the plan total of {total}: no classification can meet them all"
            )
            parts_en.append(f" {text_en[0].upper()}{text_en[1:]}.")
            headline_en.append(text_en)
        else:
            for a, b in combinations(dimension.categories, 2):
                if dimension.are_disjoint(a, b):
                    continue
                outside = [
                    c
                    for c in dimension.categories
                    if c not in (a, b)
                    and dimension.are_disjoint(c, a)
                    and dimension.are_disjoint(c, b)
                ]
                room, others = _max_disjoint_sum(dimension, outside, lower)
                union_max = total - room
                forced = lower[a] + lower[b] - union_max
                if forced <= 0:
                    continue
                smaller = a if lower[a] <= lower[b] else b
                share = _decimal(100 * forced, lower[smaller]) if lower[smaller] else "0"
                room_text = (
                    f"{CATEGORY_LABELS[a]}与{CATEGORY_LABELS[b]}之外至少还有与两者都不重叠的"
                    f"{_labels(others)}{room}名，两类合计至多{total}−{room}={union_max}名"
                    if room
                    else f"两类合计至多{total}名"
                )
                parts.append(
                    f"{room_text}，故至少有{lower[a]}+{lower[b]}−{union_max}={forced}名既是"
                    f"{CATEGORY_LABELS[a]}又属于{CATEGORY_LABELS[b]}"
                    f"（占{CATEGORY_LABELS[smaller]}下限{lower[smaller]}名的{share}%）。"
                )
                headline.append(
                    f"至少{forced}名须既是{CATEGORY_LABELS[a]}又属于{CATEGORY_LABELS[b]}"
                )
                name_a, name_b = _en_category(a), _en_category(b)
                room_en = (
                    f"besides {name_a} and {name_b} there are at least {room} of "
                    f"{_labels_en(others)}, which overlap neither, so the two together are at "
                    f"most {total}−{room}={union_max}"
                    if room
                    else f"the two together are at most {total}"
                )
                parts_en.append(
                    f" {room_en[0].upper()}{room_en[1:]}; so at least {lower[a]}+{lower[b]}−"
                    f"{union_max}={forced} must be both {name_a} and {name_b} ({share}% of the "
                    f"floor of {lower[smaller]} for {_en_category(smaller)})."
                )
                headline_en.append(f"at least {forced} must be both {name_a} and {name_b}")
            if not headline:
                excess = summed - total
                headline.append(f"至少{excess}人次须同时计入两个以上类别")
                parts.append(f"合计超出{excess}名，至少{excess}人次须同时计入两个以上类别。")
                headline_en.append(f"at least {excess} must be counted in two or more categories")
                parts_en.append(
                    f" The sum exceeds the total by {excess}: at least {excess} must be counted "
                    "in two or more categories."
                )
        message = (
            f"{dimension.label}的下限合计{summed}名，超过计划数{total}名：{'；'.join(headline)}。"
        )
        message_en = (
            f"The floors of {_en(dimension.label)} add up to {summed}, more than the plan total of "
            f"{total}: {'; '.join(headline_en)}."
        )
        yield LintFinding(
            "plan.floors_exceed_total",
            ids,
            message,
            "".join(parts),
            message_en,
            "".join(parts_en),
        )


Bounds = tuple[int | None, int | None]


def _bounds(target: Target, point: int, total: int) -> Bounds:
    """(least, most) a hard target allows of its category when its base is `point`."""
    base = total if target.base == PLAN else point
    if target.kind == "floor":
        return floor_required(target.absolute, target.percent, base), None
    if target.kind == "cap":
        return None, cap_required(target.absolute, target.percent, base)
    return band_limits(base, cast(int, target.percent))


def _implied_at(weaker: Bounds, stronger: Bounds) -> bool:
    low_ok = weaker[0] is None or (stronger[0] is not None and weaker[0] <= stronger[0])
    high_ok = weaker[1] is None or (stronger[1] is not None and weaker[1] >= stronger[1])
    return low_ok and high_ok


def _gap(weaker: Bounds, stronger: Bounds) -> int:
    lows = [stronger[0] - weaker[0]] if weaker[0] is not None and stronger[0] is not None else []
    highs = [weaker[1] - stronger[1]] if weaker[1] is not None and stronger[1] is not None else []
    return min(lows + highs, default=0)


def _show_bounds(values: Sequence[Bounds], *, to: str = "至", both: str = "且") -> str:
    """≥a, ≥a至b, ≤c, … over one or more points (the range across the band)."""
    parts = []
    for side, sign in ((0, "≥"), (1, "≤")):
        found = sorted(x for v in values if (x := v[side]) is not None)
        if found:
            low, high = found[0], found[-1]
            parts.append(f"{sign}{low}" if low == high else f"{sign}{low}{to}{high}")
    return both.join(parts)


def _show_bounds_en(values: Sequence[Bounds]) -> str:
    return _show_bounds(values, to=" to ", both=" and ")


def _domain(first: Target, second: Target, lo: int, hi: int) -> list[int] | None:
    """The base values over which two targets are compared, or None when they are not comparable.

    First-level targets are compared at every total inside the band (their percentages of
    `developed`); nested targets of the same parent at every parent count up to the band's top.
    """
    if first.first_level and second.first_level:
        return list(range(lo, hi + 1))
    if first.base == second.base:
        return list(range(hi + 1))
    return None


def _redundant(plan: Plan) -> Iterator[LintFinding]:
    # Seed 三（一）: 比例要达到3:1以上 and 队伍要保持在1200人以上 — inside the band 3 × 385 = 1155
    # < 1200, so the ratio never binds (rules-reference §5.2 I4). Checked point by point.
    total = plan.total
    lo, hi = plan_band(plan)
    hard = [t for t in plan.targets if t.kind != "aspiration"]
    for weaker in hard:
        for stronger in hard:
            if weaker is stronger or weaker.category != stronger.category:
                continue
            points = _domain(weaker, stronger, lo, hi)
            if not points:
                continue
            at_w = [_bounds(weaker, point, total) for point in points]
            at_s = [_bounds(stronger, point, total) for point in points]
            if not all(map(_implied_at, at_w, at_s)):
                continue
            if all(map(_implied_at, at_s, at_w)) and hard.index(weaker) < hard.index(stronger):
                continue  # identical targets: report the later one as implied by the earlier
            # The point where the two come closest shows the margin (3 × 385 = 1155 < 1200).
            near = min(range(len(points)), key=lambda i: (_gap(at_w[i], at_s[i]), -points[i]))
            point = points[near]
            shown_w = _show_bounds([at_w[near]])
            shown_w_en = _show_bounds_en([at_w[near]])
            if weaker.kind == "floor" and weaker.absolute is None and weaker.percent is not None:
                shown_w = shown_w_en = f"≥{_times(weaker.percent, point)}={at_w[near][0]}"
            over_en = (
                "the number recruited"
                if weaker.first_level
                else f"the number of {_en_category(weaker.base)}"
            )
            span_en = (
                f"{over_en} from {points[0]} to {points[-1]}"
                if len(points) > 1
                else f"{over_en} at {point}"
            )
            message_en = (
                f"{weaker.id} ({_en(weaker.label)}) is always implied by {stronger.id} "
                f"({_en(stronger.label)}) for {span_en}: checking {weaker.id} on its own finds "
                "nothing more."
            )
            detail_en = (
                f"Point by point for {span_en}: {weaker.id} requires {_show_bounds_en(at_w)}, "
                f"{stronger.id} requires {_show_bounds_en(at_s)}; where they come closest "
                f"({over_en} at {point}), {weaker.id} requires {shown_w_en} and {stronger.id} "
                f"requires {_show_bounds_en([at_s[near]])}: the former is still no stricter."
            )
            over = "发展数" if weaker.first_level else CATEGORY_LABELS[weaker.base]
            span = f"{over}{points[0]}至{points[-1]}名" if len(points) > 1 else f"{over}{point}名"
            message = (
                f"{weaker.id}（{weaker.label}）在{span}内总被{stronger.id}（{stronger.label}）"
                f"蕴含：单独检查{weaker.id}不会多发现任何问题。"
            )
            detail = (
                f"逐一计算{span}：{weaker.id}要求{_show_bounds(at_w)}，"
                f"{stronger.id}要求{_show_bounds(at_s)}；最接近处为{over}{point}名，"
                f"{weaker.id}要求{shown_w}，{stronger.id}要求{_show_bounds([at_s[near]])}，"
                "前者仍不比后者严格。"
            )
            yield LintFinding(
                "plan.redundant",
                (weaker.id, stronger.id),
                message,
                detail,
                message_en,
                detail_en,
            )
