"""Plan edits through the actions: atomic, validated, logged on the chain as plan.<verb>."""

from __future__ import annotations

import re

import pytest
from django.http import Http404

from fazhan.audit.chain import verify_chain
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused
from fazhan.plans.actions import (
    do_edit_plan,
    do_load_plan,
    do_set_share_targets,
    do_split,
)
from fazhan.plans.models import Plan, PlanShare, parse_share

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(cast) -> Plan:
    return do_load_plan(cast.qu, name="seed", year=2026)


def test_it_loads_the_seed_plan_for_a_year(cast, plan):
    assert (plan.year, plan.org, plan.total, plan.name) == (2026, cast.district, 350, "seed")
    parsed = plan.parsed()
    assert parsed.year == 2026
    assert [t.id for t in parsed.targets][:3] == ["Q1", "Q2", "A1"]
    event = Event.objects.get(kind="plan.load")
    assert event.payload == {
        "plan_id": plan.pk,
        "org_id": cast.district.pk,
        "year": 2026,
        "total": 350,
        "targets": 15,
        "source": "seed",
    }
    assert event.recorded_by_id == cast.qu.pk
    assert verify_chain().ok


def test_it_refuses_a_second_plan_for_the_same_year(cast, plan):
    with pytest.raises(ActionRefused, match="2026年已有发展党员计划"):
        do_load_plan(cast.qu, year=2026)


@pytest.mark.parametrize("who", ["dangwei", "zhibu", "shenji"])
def test_it_lets_only_district_staff_load_the_district_plan(cast, who):
    with pytest.raises((ActionRefused, Http404)):
        do_load_plan(cast.users[who], year=2026)
    assert not Plan.objects.exists()


def test_it_refuses_a_split_that_does_not_add_up(cast, plan):
    with pytest.raises(ActionRefused) as refused:
        do_split(cast.qu, plan, shares={cast.sub_a.pk: 200, cast.sub_b.pk: 140})
    message = str(refused.value)
    assert "合计340名" in message and "计划数350名不符（少10名）" in message
    assert not PlanShare.objects.exists()


def test_it_splits_the_total_and_then_a_share(cast, plan):
    do_split(cast.qu, plan, shares={cast.sub_a.pk: 200, cast.sub_b.pk: 150})
    share_a = PlanShare.objects.get(plan=plan, org=cast.sub_a)
    assert share_a.total == 200
    # The 党工委's own staff split their share over the units below it.
    do_split(
        cast.dangwei,
        plan,
        parent=share_a,
        shares={cast.general_branch_a.pk: 120, cast.branch_a2.pk: 80},
    )
    assert sorted(share_a.children.values_list("total", flat=True)) == [80, 120]
    with pytest.raises(ActionRefused, match="合计199名"):
        do_split(
            cast.dangwei,
            plan,
            parent=share_a,
            shares={cast.general_branch_a.pk: 120, cast.branch_a2.pk: 79},
        )
    # A changed share whose own split would no longer add up is refused.
    with pytest.raises(ActionRefused, match="已进一步分解"):
        do_split(cast.qu, plan, shares={cast.sub_a.pk: 190, cast.sub_b.pk: 160})
    kinds = list(Event.objects.filter(kind__startswith="plan.").values_list("kind", flat=True))
    assert kinds == ["plan.load", "plan.split", "plan.split"]


def test_it_refuses_a_unit_outside_the_split_organization(cast, plan):
    with pytest.raises(ActionRefused, match="不是示范区委的下级组织"):
        do_split(cast.qu, plan, shares={cast.branch_a.pk: 350})


def test_it_keeps_sub_organization_staff_to_their_own_share(cast, plan):
    do_split(cast.qu, plan, shares={cast.sub_a.pk: 200, cast.sub_b.pk: 150})
    share_b = PlanShare.objects.get(plan=plan, org=cast.sub_b)
    with pytest.raises((ActionRefused, Http404)):
        do_split(cast.dangwei, plan, parent=share_b, shares={cast.branch_b2.pk: 150})
    with pytest.raises((ActionRefused, Http404)):
        do_split(cast.dangwei, plan, shares={cast.sub_a.pk: 350, cast.sub_b.pk: 0})


def test_it_validates_an_edited_plan(cast, plan):
    document = plan.document()
    document["targets"][2]["kind"] = "minimum"
    with pytest.raises(ActionRefused, match=re.escape("targets[2].kind")):
        do_edit_plan(cast.qu, plan, document=document)
    document = plan.document()
    document["total"] = 360
    document["targets"][0]["abs"] = 360
    edited = do_edit_plan(cast.qu, plan, document=document)
    assert edited.total == 360 and edited.parsed().target("Q1").absolute == 360
    assert Event.objects.filter(kind="plan.edit").count() == 1


def test_it_refuses_a_new_total_that_the_split_no_longer_matches(cast, plan):
    do_split(cast.qu, plan, shares={cast.sub_a.pk: 200, cast.sub_b.pk: 150})
    document = plan.document()
    document["total"] = 300
    with pytest.raises(ActionRefused, match="计划数已分解到各单位"):
        do_edit_plan(cast.qu, plan, document=document)


def test_it_judges_a_share_on_its_number_and_band_and_its_own_targets_only(cast, plan):
    do_split(cast.qu, plan, shares={cast.sub_a.pk: 200, cast.sub_b.pk: 150})
    share_a = PlanShare.objects.select_related("plan", "org").get(org=cast.sub_a)
    judged = parse_share(share_a)
    assert judged is not None
    assert [(t.id, t.kind) for t in judged.targets] == [("Q1", "aspiration"), ("Q2", "band")]
    assert judged.total == 200 and judged.target("Q1").absolute == 200
    women = {
        "id": "G1",
        "kind": "floor",
        "category": "female",
        "pct": 45,
        "basis": "城关街道党工委发展女党员不低于45%。",
    }
    do_set_share_targets(cast.qu, share_a, targets_data=[women])
    share_a.refresh_from_db()
    assert [t.id for t in parse_share(share_a).targets] == ["Q1", "Q2", "G1"]
    with pytest.raises(ActionRefused, match="category"):
        do_set_share_targets(cast.qu, share_a, targets_data=[women | {"category": "women"}])
    assert Event.objects.filter(kind="plan.share_targets").count() == 1
