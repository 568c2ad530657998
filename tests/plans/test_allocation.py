"""The allocation helper: an integer program (scipy HiGHS) proposing a split that keeps every
target feasible, explaining itself, and the live checks of the adjust page."""

from __future__ import annotations

from fazhan.policy.allocation import Allocator, Unit, share_range, slack
from fazhan.policy.targets import load_plan

SEED = load_plan("seed")


def high(capacity: int, *, female: int | None = None, young: int | None = None) -> dict:
    return {
        "le35": capacity if young is None else young,
        "le25": (capacity if young is None else young) // 2,
        "hs_plus": capacity,
        "college_plus": capacity,
        "female": capacity // 2 if female is None else female,
        "female_frontline": (capacity // 2 if female is None else female),
        "worker": capacity // 5,
        "farmer": capacity,
        "mgmt_tech_rich": capacity,
        "student": 0,
    }


def units() -> list[Unit]:
    return [
        Unit(1, "城关街道党工委", approved=0, capacity=120, high=high(120), pool=400),
        Unit(2, "乌江镇党委", approved=0, capacity=200, high=high(200), pool=700),
        Unit(3, "烟厂党委", approved=0, capacity=80, high=high(80), pool=200),
    ]


def assert_feasible(allocator: Allocator, shares: dict[int, int]) -> None:
    assert sum(shares.values()) == allocator.total
    for unit in allocator.units:
        share = shares[unit.key]
        assert share - slack(share, allocator.percent) <= unit.capacity
        assert share + slack(share, allocator.percent) >= unit.approved
    assert all(c.ok for c in allocator.check(shares)), allocator.check(shares)


def test_it_proposes_a_feasible_split_proportional_to_the_pipeline():
    allocator = Allocator(SEED, units())
    proposal = allocator.propose()
    assert proposal.feasible
    assert_feasible(allocator, proposal.shares)
    # 350 × 120/400, 350 × 200/400, 350 × 80/400 = 105, 175, 70.
    assert proposal.shares == {1: 105, 2: 175, 3: 70}
    assert "比例" in proposal.explanation[0]


def test_it_bends_the_split_where_a_target_binds_and_says_so():
    # Nearly all women are in unit 3: G1 (≥140 women) forces unit 3's share up.
    uneven = [
        Unit(1, "甲", approved=0, capacity=200, high=high(200, female=10), pool=600),
        Unit(2, "乙", approved=0, capacity=200, high=high(200, female=10), pool=600),
        Unit(3, "丙", approved=0, capacity=130, high=high(130, female=130), pool=400),
    ]
    allocator = Allocator(SEED, uneven)
    proposal = allocator.propose()
    assert proposal.feasible
    assert_feasible(allocator, proposal.shares)
    # Proportional would give 丙 350 × 130/530 ≈ 86; it needs 140 − 20 = 120 women inside its
    # upper band (x + ⌊x/10⌋ ≥ 120), so its share rises to 110.
    assert proposal.shares[3] == 110
    text = "".join(proposal.explanation)
    assert "G1" in text and "约束起作用" in text


def test_it_explains_that_the_pipeline_cannot_carry_the_total():
    small = [Unit(1, "甲", approved=0, capacity=100, high=high(100), pool=300)]
    proposal = Allocator(SEED, small).propose()
    assert not proposal.feasible
    assert "最多可发展100名" in proposal.explanation[0]
    assert "350名" in proposal.explanation[0]


def test_it_names_the_target_that_cannot_be_met():
    few_women = [
        Unit(1, "甲", approved=0, capacity=200, high=high(200, female=50), pool=600),
        Unit(2, "乙", approved=0, capacity=200, high=high(200, female=50), pool=600),
    ]
    proposal = Allocator(SEED, few_women).propose()
    assert not proposal.feasible
    assert any(c.id == "target.G1" and not c.ok for c in proposal.checks)
    assert any("G1（女党员）" in line and "100名" in line for line in proposal.explanation)


def test_it_checks_a_split_live():
    allocator = Allocator(SEED, units())
    checks = {c.id: c for c in allocator.check({1: 100, 2: 175, 3: 70})}
    assert not checks["sum"].ok and "少5名" in checks["sum"].message
    checks = {c.id: c for c in allocator.check({1: 60, 2: 190, 3: 100})}
    assert checks["sum"].ok
    assert not checks["capacity.3"].ok
    assert "下浮10%后仍须完成90名" in checks["capacity.3"].message


def test_it_keeps_what_is_already_approved_inside_a_share():
    busy = [
        Unit(1, "甲", approved=150, capacity=200, high=high(200), pool=600),
        Unit(2, "乙", approved=0, capacity=400, high=high(400), pool=900),
    ]
    allocator = Allocator(SEED, busy)
    proposal = allocator.propose()
    assert proposal.feasible
    assert proposal.shares[1] + slack(proposal.shares[1], 10) >= 150
    assert share_range(busy[0], 10) == (137, 222)
