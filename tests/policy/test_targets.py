"""Plan indicators and plan lint (contracts.md §4; rules-reference §5, §5.2 I1, I2, I4)."""

from __future__ import annotations

import copy
import json
import re
from importlib import resources
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fazhan.policy.targets import (
    COUNT_KEYS,
    Counts,
    CountsError,
    Indicator,
    PlanError,
    cap_required,
    evaluate,
    floor_required,
    lint,
    load_plan,
    parse_plan,
    plan_band,
    validate_counts,
)

SEED = load_plan("seed")
ORDER = ["Q1", "Q2", "A1", "A2", "E1", "E2", "G1", "G2", "D1", "D1.aspiration"]
ORDER += ["D2", "D3", "D4", "K1", "K2"]
# Every hard indicator exactly at its edge when 350 are developed (rules-reference §5.1).
AT_350 = {
    "developed": 350,
    "le35": 270,
    "le25": 130,
    "hs_plus": 300,
    "college_plus": 135,
    "female": 140,
    "female_frontline": 68,
    "worker": 42,
    "farmer": 180,
    "mgmt_tech_rich": 300,
    "student": 14,
    "activists": 1200,
}
# The same at the top of the band, 385 (rules-reference §5.1, last row).
AT_385 = {
    "developed": 385,
    "le35": 297,
    "le25": 143,
    "hs_plus": 328,
    "college_plus": 148,
    "female": 154,
    "female_frontline": 74,
    "worker": 47,
    "farmer": 193,
    "mgmt_tech_rich": 328,
    "student": 15,
    "activists": 1200,
}


def seed_data() -> dict[str, Any]:
    text = resources.files("fazhan.policies.plans").joinpath("seed.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def counts(base: dict[str, int] = AT_350, **changes: int) -> Counts:
    return validate_counts({**base, **changes})


def by_id(plan=SEED, base: dict[str, int] = AT_350, **changes: int) -> dict[str, Indicator]:
    return {i.id: i for i in evaluate(plan, counts(base, **changes))}


def status(target_id: str, base: dict[str, int] = AT_350, **changes: int) -> str:
    return by_id(SEED, base, **changes)[target_id].status


def with_targets(data: dict[str, Any], **changes: dict[str, Any]) -> dict[str, Any]:
    """The plan data with some targets' fields replaced (None drops a field)."""
    changed = copy.deepcopy(data)
    for target in changed["targets"]:
        for key, value in changes.get(target["id"].replace(".", "_"), {}).items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value
    return changed


def finding_ids(data: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(f.id, list(f.targets)) for f in lint(parse_plan(data))]


# --- the seed plan as data -------------------------------------------------------------------


def test_it_loads_the_seed_plan_with_its_context():
    assert (SEED.name, SEED.year, SEED.issuer, SEED.total) == ("seed", 2007, "区委组织部", 350)
    assert [t.id for t in SEED.targets] == ORDER
    assert all(t.basis for t in SEED.targets)
    kinds = {t.id: t.kind for t in SEED.targets}
    assert kinds["Q1"] == kinds["D1.aspiration"] == "aspiration"
    assert (kinds["Q2"], kinds["D4"]) == ("band", "cap")
    assert {SEED.target(i).base for i in ("A2", "E2", "G2")} == {"le35", "hs_plus", "female"}


def test_it_evaluates_in_the_contract_order_with_every_edge_met_at_350():
    indicators = evaluate(SEED, counts())
    assert [i.id for i in indicators] == ORDER
    assert all(i.status == "met" for i in indicators)
    required = {i.id: i.required for i in indicators}
    assert required == {
        "Q1": 350,
        "Q2": (315, 385),
        "A1": 270,
        "A2": 130,
        "E1": 300,
        "E2": 135,
        "G1": 140,
        "G2": 68,
        "D1": 42,
        "D1.aspiration": 42,
        "D2": 180,
        "D3": 300,
        "D4": 14,
        "K1": 1050,
        "K2": 1200,
    }


def test_it_meets_every_edge_at_the_top_of_the_band():
    indicators = by_id(base=AT_385)
    assert all(i.status == "met" for i in indicators.values())
    assert {k: i.required for k, i in indicators.items()} == {
        "Q1": 350,
        "Q2": (315, 385),
        "A1": 297,
        "A2": 143,
        "E1": 328,
        "E2": 148,
        "G1": 154,
        "G2": 74,
        "D1": 42,
        "D1.aspiration": 47,
        "D2": 193,
        "D3": 328,
        "D4": 15,
        "K1": 1155,
        "K2": 1200,
    }


# --- each rule at its boundary ---------------------------------------------------------------


def test_it_judges_a1_at_270_when_350_are_developed():
    # 不少于270名，不低于77%: 0.77 × 350 = 269.5, so 270 meets both and 269 meets neither.
    assert status("A1", le35=270) == "met"
    assert status("A1", le35=269, le25=129) == "unmet"


def test_it_judges_a1_by_the_percentage_above_the_plan():
    assert status("A1", AT_385, le35=297) == "met"  # 0.77 × 385 = 296.45
    assert status("A1", AT_385, le35=296, le25=143) == "unmet"


def test_it_judges_a2_at_exactly_48_percent_of_le35():
    assert by_id(le35=300, le25=144)["A2"].required == 144
    assert status("A2", le35=300, le25=144) == "met"  # 144 / 300 = 48% exactly
    assert status("A2", le35=300, le25=143) == "unmet"
    assert status("A2", le35=270, le25=130) == "met"  # 0.48 × 270 = 129.6
    assert status("A2", le35=270, le25=129) == "unmet"


def test_it_uses_the_parent_count_as_base_for_nested_targets():
    # With no one under 35 there is nothing to take 48% of: 0 meets A2.
    indicator = by_id(le35=0, le25=0)["A2"]
    assert (indicator.status, indicator.required) == ("met", 0)
    assert by_id(hs_plus=320, college_plus=144)["E2"].required == 144  # 0.45 × 320
    assert status("E2", hs_plus=320, college_plus=143) == "unmet"
    assert status("G2", female=140, female_frontline=67) == "unmet"  # 0.48 × 140 = 67.2


def test_it_judges_e1_by_the_absolute_floor_at_the_plan():
    # 0.85 × 350 = 297.5 → 298, but 不少于300名 binds.
    assert by_id()["E1"].required == 300
    assert status("E1", hs_plus=299, college_plus=135) == "unmet"


def test_it_judges_g1_at_exactly_40_percent():
    assert status("G1", female=140) == "met"
    assert status("G1", female=139, female_frontline=67) == "unmet"


def test_it_caps_d4_students_at_14_of_350_and_15_of_375():
    assert status("D4", student=14) == "met"
    assert status("D4", student=15) == "unmet"  # 15名以内 but 4% × 350 = 14
    at_375 = {**AT_385, "developed": 375}
    assert by_id(base=at_375, student=15)["D4"].required == 15
    assert status("D4", at_375, student=15) == "met"
    assert status("D4", at_375, student=16) == "unmet"  # 4% × 375 = 15: the 15 binds
    at_374 = {**AT_385, "developed": 374}
    assert by_id(base=at_374, student=14)["D4"].required == 14  # 4% × 374 = 14.96
    assert status("D4", at_374, student=15) == "unmet"


def test_it_judges_the_band_inclusively():
    at_315 = {**AT_350, "developed": 315, "student": 12}
    assert status("Q2", at_315) == "met"
    assert status("Q2", {**at_315, "developed": 314}) == "unmet"
    assert status("Q2", AT_385) == "met"
    assert status("Q2", {**AT_385, "developed": 386}) == "unmet"
    assert by_id()["Q2"].required == (315, 385)


def test_it_judges_d1_absolute_and_its_aspiration_separately():
    assert status("D1", worker=41) == "unmet"
    indicators = by_id(base=AT_385, worker=46)
    assert indicators["D1"].status == "met"
    aspiration = indicators["D1.aspiration"]
    assert (aspiration.status, aspiration.required, aspiration.failing) == ("unmet", 47, False)


def test_it_reports_q1_below_plan_as_an_unmet_aspiration_that_does_not_fail():
    q1 = by_id(developed=349, student=13)["Q1"]
    assert (q1.status, q1.kind, q1.required, q1.failing) == ("unmet", "aspiration", 350, False)


def test_it_judges_k1_as_three_times_developed_and_k2_as_1200():
    indicators = by_id(activists=1199)
    assert (indicators["K1"].status, indicators["K2"].status) == ("met", "unmet")
    assert status("K1", AT_385, activists=1155) == "met"
    assert status("K1", AT_385, activists=1154) == "unmet"
    assert by_id(base=AT_385)["K1"].required == 1155


def test_it_marks_failing_only_hard_unmet_indicators():
    indicators = by_id(student=15, worker=41)
    assert sorted(i.id for i in indicators.values() if i.failing) == ["D1", "D4"]


def test_it_computes_required_with_integer_ceilings_and_floors():
    assert floor_required(270, 77, 350) == 270
    assert floor_required(None, 77, 351) == 271  # 270.27
    assert floor_required(None, 12, 350) == 42  # 42.0 exactly, not 43
    assert cap_required(15, 4, 350) == 14
    assert cap_required(None, 4, 375) == 15
    assert cap_required(15, 4, 400) == 15


def test_it_serialises_an_indicator_in_the_contract_order():
    q2 = by_id()["Q2"].to_json()
    assert list(q2) == ["id", "status", "kind", "required", "actual"]
    assert q2["required"] == [315, 385]


# --- counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", COUNT_KEYS)
def test_it_requires_every_one_of_the_twelve_keys(key):
    raw = {k: v for k, v in AT_350.items() if k != key}
    with pytest.raises(CountsError) as caught:
        validate_counts(raw)
    assert caught.value.key == key
    assert key in str(caught.value)


@pytest.mark.parametrize("value", [True, False, 1.0, "270", None, [270], -1])
def test_it_refuses_a_count_that_is_not_a_non_negative_int(value):
    with pytest.raises(CountsError) as caught:
        validate_counts({**AT_350, "le35": value})
    assert caught.value.key == "le35"
    assert "非负整数" in str(caught.value)


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"le25": 271}, "le25"),
        ({"college_plus": 301}, "college_plus"),
        ({"female_frontline": 141}, "female_frontline"),
        ({"student": 351}, "student"),
        ({"developed": 269}, "le35"),  # the first key above developed is named
    ],
)
def test_it_refuses_inconsistent_counts_naming_the_key(changes, key):
    with pytest.raises(CountsError) as caught:
        validate_counts({**AT_350, **changes})
    assert caught.value.key == key
    assert key in str(caught.value)


def test_it_allows_more_activists_than_developed_and_ignores_unknown_keys():
    parsed = validate_counts({**AT_350, "activists": 5000, "comment": "x", "male": -3})
    assert parsed.activists == 5000
    assert parsed.as_dict() == {**AT_350, "activists": 5000}


def test_it_accepts_the_nested_counts_equal_to_their_parents():
    assert validate_counts({**AT_350, "le25": 270, "college_plus": 300, "female_frontline": 140})


def test_it_refuses_counts_that_are_not_an_object():
    with pytest.raises(CountsError) as caught:
        validate_counts([350])
    assert caught.value.key is None


# --- lint ------------------------------------------------------------------------------------


def test_it_lints_the_seed_to_exactly_its_three_contradictions():
    assert [(f.id, list(f.targets)) for f in lint(SEED)] == [
        ("plan.cap_conflict", ["D4"]),
        ("plan.floors_exceed_total", ["D1", "D2", "D3"]),
        ("plan.redundant", ["K1", "K2"]),
    ]


def test_it_explains_the_student_cap_conflict_with_numbers():
    (finding,) = [f for f in lint(SEED) if f.id == "plan.cap_conflict"]
    assert "15" in finding.message
    assert "14" in finding.message
    assert "375" in finding.detail  # where 4% first reaches 15
    assert "315名时12名" in finding.detail


def test_it_explains_the_forced_farmer_and_manager_overlap():
    (finding,) = [f for f in lint(SEED) if f.id == "plan.floors_exceed_total"]
    assert "522" in finding.message
    assert "172" in finding.message
    assert "350−42=308" in finding.detail
    assert "180+300−308=172" in finding.detail
    assert "农牧渔民" in finding.detail
    assert "农村致富能人" in finding.detail


def test_it_writes_each_explanation_in_english_too_but_keeps_it_out_of_the_json():
    for finding in lint(SEED):
        assert finding.message_en and finding.detail_en
        assert not re.search(r"[\u4e00-\u9fff]", finding.message_en + finding.detail_en)
        assert set(finding.to_json()) == {"id", "targets", "message", "detail"}


def test_it_explains_why_k1_is_implied_by_k2():
    (finding,) = [f for f in lint(SEED) if f.id == "plan.redundant"]
    assert "3×385=1155" in finding.detail
    assert "1200" in finding.detail
    assert finding.to_json()["targets"] == ["K1", "K2"]


def clean_seed() -> dict[str, Any]:
    """The seed with its three contradictions repaired."""
    return with_targets(
        seed_data(),
        D4={"abs": 14},
        D3={"abs": 100, "pct": 25},
        K2={"abs": 1000},
    )


def test_it_finds_nothing_in_a_plan_without_contradictions():
    assert lint(parse_plan(clean_seed())) == []


def test_it_finds_nothing_in_a_plan_with_only_distinct_targets():
    data = seed_data()
    data["dimensions"] = []
    data["targets"] = [t for t in data["targets"] if t["id"] not in {"D4", "K1"}]
    assert lint(parse_plan(data)) == []


def test_it_lints_from_the_data_not_the_seed_ids():
    # The same contradictions under other names are still found.
    data = seed_data()
    for target in data["targets"]:
        target["id"] = f"X-{target['id']}"
    ids = [list(f.targets) for f in lint(parse_plan(data))]
    assert ids == [["X-D4"], ["X-D1", "X-D2", "X-D3"], ["X-K1", "X-K2"]]


def test_it_drops_the_redundancy_once_the_ratio_can_bind_inside_the_band():
    assert ("plan.redundant", ["K1", "K2"]) not in finding_ids(
        with_targets(seed_data(), K2={"abs": 1100})  # 3 × 385 = 1155 > 1100
    )
    assert ("plan.redundant", ["K1", "K2"]) not in finding_ids(
        with_targets(seed_data(), Q2={"pct": 20})  # band 280–420: 3 × 420 = 1260 > 1200
    )
    # At the edge: 3 × 385 = 1155 = K2 still implies K1.
    assert ("plan.redundant", ["K1", "K2"]) in finding_ids(
        with_targets(seed_data(), K2={"abs": 1155})
    )


def test_it_reports_identical_targets_once_the_later_as_implied():
    data = seed_data()
    extra = {**data["targets"][-1], "id": "K3"}
    data["targets"].append(extra)
    redundant = [ids for fid, ids in finding_ids(data) if fid == "plan.redundant"]
    assert redundant == [["K1", "K2"], ["K1", "K3"], ["K3", "K2"]]


def test_it_compares_nested_targets_of_the_same_parent():
    data = seed_data()
    stricter = {**data["targets"][3], "id": "A2.strict", "pct": 50}
    data["targets"].append(stricter)
    assert ("plan.redundant", ["A2", "A2.strict"]) in finding_ids(data)


def test_it_reports_a_cap_whose_absolute_part_is_the_stricter():
    findings = finding_ids(with_targets(seed_data(), D4={"abs": 10}))
    assert ("plan.cap_conflict", ["D4"]) in findings
    assert ("plan.cap_conflict", ["D4"]) not in finding_ids(
        with_targets(seed_data(), D4={"abs": 14})
    )


def test_it_computes_the_forced_overlap_from_the_declared_disjoint_pairs():
    data = with_targets(seed_data(), D2={"abs": 200})
    (finding,) = [f for f in lint(parse_plan(data)) if f.id == "plan.floors_exceed_total"]
    assert "200+300−308=192" in finding.detail
    data["dimensions"][0]["disjoint"] = []  # without them only the plan total limits the union
    (finding,) = [f for f in lint(parse_plan(data)) if f.id == "plan.floors_exceed_total"]
    assert "至少有200+300−350=150名" in finding.detail


def test_it_reports_floors_of_disjoint_categories_that_cannot_all_be_met():
    data = with_targets(seed_data(), D1={"abs": 200})  # workers are disjoint from farmers
    (finding,) = [f for f in lint(parse_plan(data)) if f.id == "plan.floors_exceed_total"]
    assert "无论怎样分类都不能同时达到" in finding.message


def test_it_reports_an_aggregate_excess_when_no_pair_is_forced():
    data = seed_data()
    data["dimensions"] = [
        {"name": "x", "label": "结构", "categories": ["le35", "hs_plus", "female"]}
    ]
    (finding,) = [f for f in lint(parse_plan(data)) if f.id == "plan.floors_exceed_total"]
    assert finding.targets == ("A1", "E1", "G1")
    assert "至少" in finding.message


@given(
    total=st.integers(1, 600),
    worker=st.integers(0, 600),
    farmer=st.integers(0, 600),
    manager=st.integers(0, 600),
)
def test_it_reports_the_least_overlap_that_makes_the_floors_feasible(
    total, worker, farmer, manager
):
    # The seed's structure with other numbers: W disjoint from F and M, so F ∩ M ≥ W+F+M−total,
    # and that many is also enough (W alone, F ∩ M, F only, M only fill exactly the total).
    assume(worker + max(farmer, manager) <= total)
    data = seed_data()
    data["total"] = total
    data["targets"] = [
        {"id": "W", "kind": "floor", "category": "worker", "abs": worker, "basis": "w"},
        {"id": "F", "kind": "floor", "category": "farmer", "abs": farmer, "basis": "f"},
        {"id": "M", "kind": "floor", "category": "mgmt_tech_rich", "abs": manager, "basis": "m"},
    ]
    found = [f for f in lint(parse_plan(data)) if f.id == "plan.floors_exceed_total"]
    forced = worker + farmer + manager - total
    if forced <= 0:
        assert found == []
    else:
        (finding,) = found
        assert finding.targets == ("W", "F", "M")
        assert f"={forced}名既是农牧渔民又属于" in finding.detail


def test_it_judges_redundancy_over_every_total_in_the_band():
    assert plan_band(SEED) == (315, 385)
    data = seed_data()
    data["targets"] = [t for t in data["targets"] if t["id"] != "Q2"]
    # Without a band only the plan total counts: 3 × 350 = 1050 < 1200 still.
    assert ("plan.redundant", ["K1", "K2"]) in finding_ids(data)
    assert ("plan.redundant", ["K1", "K2"]) not in finding_ids(with_targets(data, K2={"abs": 1000}))


# --- loading ---------------------------------------------------------------------------------


def test_it_loads_a_plan_from_a_path(tmp_path):
    path = tmp_path / "clean.json"
    path.write_text(json.dumps({**clean_seed(), "name": "clean"}), encoding="utf-8")
    assert load_plan(str(path)).name == "clean"


def test_it_refuses_an_unknown_plan_name():
    with pytest.raises(PlanError, match="未知的计划"):
        load_plan("no-such-plan")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"D4": {"kind": "ceiling"}}, "kind"),
        ({"D4": {"category": "pupils"}}, "category"),
        ({"D4": {"abs": -1}}, "abs"),
        ({"D4": {"pct": True}}, "pct"),
        ({"D1": {"abs": None}}, "abs 或 pct"),
        ({"A2": {"base": "le25"}}, "base"),
        ({"Q2": {"base": "developed"}}, "区间"),
        ({"D4": {"limit": 3}}, "limit"),
        ({"D4": {"id": "D3"}}, "重复"),
    ],
)
def test_it_refuses_a_malformed_plan_naming_the_field(changes, field):
    with pytest.raises(PlanError, match=field):
        parse_plan(with_targets(seed_data(), **changes))


def test_it_refuses_a_plan_of_another_format():
    with pytest.raises(PlanError, match="format"):
        parse_plan({**seed_data(), "format": "fazhan-plan/2"})


# --- properties ------------------------------------------------------------------------------


@st.composite
def valid_counts(draw: st.DrawFn) -> dict[str, int]:
    developed = draw(st.integers(0, 450))

    def upto(limit: int) -> int:
        return draw(st.integers(0, limit))

    le35 = upto(developed)
    hs_plus = upto(developed)
    female = upto(developed)
    return {
        "developed": developed,
        "le35": le35,
        "le25": upto(le35),
        "hs_plus": hs_plus,
        "college_plus": upto(hs_plus),
        "female": female,
        "female_frontline": upto(female),
        "worker": upto(developed),
        "farmer": upto(developed),
        "mgmt_tech_rich": upto(developed),
        "student": upto(developed),
        "activists": draw(st.integers(0, 2000)),
    }


def reference(a: int, n: dict[str, int], act: int, p: int = 350) -> dict[str, bool]:
    """rules-reference §5's reference check, transcribed."""

    def floor(c: int, ab: int, pct: int, base: int) -> bool:
        return c >= ab and 100 * c >= pct * base

    return {
        "Q1": a >= p,
        "Q2": 10 * abs(a - p) <= p,
        "A1": floor(n["le35"], 270, 77, a),
        "A2": 100 * n["le25"] >= 48 * n["le35"],
        "E1": floor(n["hs_plus"], 300, 85, a),
        "E2": 100 * n["college_plus"] >= 45 * n["hs_plus"],
        "G1": floor(n["female"], 140, 40, a),
        "G2": 100 * n["female_frontline"] >= 48 * n["female"],
        "D1": n["worker"] >= 42,
        "D1.aspiration": 100 * n["worker"] >= 12 * a,
        "D2": floor(n["farmer"], 180, 50, a),
        "D3": floor(n["mgmt_tech_rich"], 300, 85, a),
        "D4": n["student"] <= 15 and 100 * n["student"] <= 4 * a,
        "K1": act >= 3 * a,
        "K2": act >= 1200,
    }


@given(valid_counts())
def test_it_agrees_with_the_reference_formulas(raw):
    expected = reference(raw["developed"], raw, raw["activists"])
    got = {i.id: i.status == "met" for i in evaluate(SEED, validate_counts(raw))}
    assert got == expected


@given(valid_counts())
def test_it_reports_met_exactly_when_actual_is_within_required(raw):
    for indicator in evaluate(SEED, validate_counts(raw)):
        required, actual = indicator.required, indicator.actual
        if isinstance(required, tuple):
            within = required[0] <= actual <= required[1]
        elif indicator.kind == "cap":
            within = actual <= required
        else:
            within = actual >= required
        assert (indicator.status == "met") == within, indicator


def _bumped(raw: dict[str, int], key: str, step: int) -> Counts | None:
    try:
        return validate_counts({**raw, key: raw[key] + step})
    except CountsError:
        return None


@given(valid_counts(), st.sampled_from([t for t in SEED.targets if t.kind != "band"]))
def test_it_never_unmeets_a_floor_by_raising_or_a_cap_by_lowering_its_count(raw, target):
    step = -1 if target.kind == "cap" else 1
    moved = _bumped(raw, target.category, step)
    assume(moved is not None and target.category != "developed")
    assert moved is not None
    before = {i.id: i for i in evaluate(SEED, validate_counts(raw))}[target.id]
    after = {i.id: i for i in evaluate(SEED, moved)}[target.id]
    if before.status == "met":
        assert after.status == "met"


@given(valid_counts(), st.sampled_from(COUNT_KEYS))
def test_it_names_the_missing_key_whatever_it_is(raw, key):
    del raw[key]
    with pytest.raises(CountsError) as caught:
        validate_counts(raw)
    assert caught.value.key == key
