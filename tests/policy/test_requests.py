"""The flags of a request for next year's plan against the plan's own rules (seed: K1 3:1, K2
1,200, D4 学生, the “其中” categories and the disjoint occupations)."""

from __future__ import annotations

from fazhan.policy.requests import STRUCTURE_KEYS, check_request, clean_structure, share_targets
from fazhan.policy.targets import FORMAT, load_plan, parse_plan

SEED = load_plan("seed")


def codes(flags) -> list[tuple[str, str]]:
    return [(f.code, f.category) for f in flags]


def test_it_passes_a_pool_of_exactly_three_times_the_request():
    assert check_request(100, {}, 300, SEED) == []


def test_it_flags_a_pool_one_short_of_three_times_the_request_with_its_figures():
    [flag] = check_request(100, {}, 299, SEED)
    assert (flag.code, flag.actual, flag.limit) == ("pool", 299, 300)
    assert flag.rule.startswith("K1 积极分子与发展数之比3:1以上")
    assert "积极分子299名" in flag.message and "至少需要300名" in flag.message


def test_it_rounds_the_pool_needed_up():
    # 3 × 7 = 21 exactly; the ratio is integer so any request gives a whole number.
    assert check_request(7, {}, 21, SEED) == []
    assert codes(check_request(7, {}, 20, SEED)) == [("pool", "activists")]


def test_it_applies_the_absolute_pool_floor_only_to_the_district_totals():
    assert check_request(100, {}, 1199, SEED) == []
    [flag] = check_request(100, {}, 1199, SEED, whole=True)
    assert (flag.code, flag.actual, flag.limit) == ("pool", 1199, 1200)
    assert check_request(100, {}, 1200, SEED, whole=True) == []


def test_it_caps_students_at_four_percent_of_the_request():
    # 4% of 100 = 4 students at most; 5 is flagged, 4 passes.
    assert check_request(100, {"student": 4}, 300, SEED) == []
    [flag] = check_request(100, {"student": 5}, 300, SEED)
    assert (flag.code, flag.category, flag.actual, flag.limit) == ("cap", "student", 5, 4)
    assert "D4" in flag.rule and "学生5名" in flag.message and "至多4名" in flag.message


def test_it_caps_students_at_the_absolute_fifteen_whatever_the_request():
    # 4% of 1,000 would allow 40; the seed's 15 is the tighter limit.
    assert check_request(1000, {"student": 15}, 3000, SEED) == []
    [flag] = check_request(1000, {"student": 16}, 3000, SEED)
    assert flag.limit == 15


def test_it_flags_a_structure_count_above_the_number_requested():
    assert codes(check_request(10, {"le35": 10, "le25": 10}, 30, SEED)) == []
    assert ("exceeds", "le35") in codes(check_request(10, {"le35": 11, "le25": 1}, 30, SEED))


def test_it_flags_a_nested_category_above_its_parent():
    [flag] = check_request(10, {"le35": 5, "le25": 6}, 30, SEED)
    assert (flag.code, flag.category, flag.actual, flag.limit) == ("nested", "le25", 6, 5)
    assert flag.message == "25岁以下6名，多于35岁以下5名"


def test_it_flags_disjoint_categories_adding_up_above_the_request():
    assert check_request(10, {"worker": 5, "farmer": 5}, 30, SEED) == []
    [flag] = check_request(10, {"worker": 5, "farmer": 6}, 30, SEED)
    assert (flag.code, flag.actual, flag.limit) == ("disjoint", 11, 10)
    assert "工人（营业员、服务员）与农牧渔民互不重叠" in flag.rule


def test_it_keeps_only_known_positive_structure_counts():
    raw = {"female": 3, "student": 0, "activists": 9, "developed": 4, "le35": True, "x": 1}
    assert clean_structure(raw) == {"female": 3}
    assert "developed" not in STRUCTURE_KEYS and "activists" not in STRUCTURE_KEYS


def test_it_turns_a_structure_into_share_targets_the_plan_format_accepts():
    made = share_targets({"le35": 8, "student": 1}, SEED)
    assert [(t["id"], t["kind"], t["abs"]) for t in made] == [
        ("R.le35", "floor", 8),
        ("R.student", "cap", 1),
    ]
    document = {"format": FORMAT, "name": "r", "year": 2027, "issuer": "x", "total": 10}
    document["targets"] = made
    assert [t.id for t in parse_plan(document).targets] == ["R.le35", "R.student"]
