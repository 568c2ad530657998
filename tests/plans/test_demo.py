"""The demo district (fazhan demo): the dashboards match a direct count, and the allocation the
helper proposes for next year's plan is feasible."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fazhan.accounts.models import User
from fazhan.demo.builder import build_demo
from fazhan.orgs.models import Organization
from fazhan.plans.actions import do_load_plan, do_split
from fazhan.plans.allocation import setting_for
from fazhan.plans.models import PlanShare
from fazhan.policy.allocation import slack
from tests.plans.test_indicators import direct_count

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 1)
NOON = datetime(2026, 12, 1, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_it_matches_a_direct_count_and_splits_next_years_plan_feasibly(client):
    build_demo(today=TODAY)
    qu = User.objects.get(username="qu")
    root = Organization.objects.get(parent__isnull=True)
    everyone = set(Organization.objects.values_list("pk", flat=True))

    client.force_login(qu)
    with time_machine.travel(NOON, tick=False):
        response = client.get("/plans/?year=2026")
    assert response.status_code == 200
    assert response.context["main"].now.as_dict() == direct_count(2026, everyone)
    units = response.context["units"]
    assert {u["org"].parent_id for u in units} == {root.pk}
    for unit in units:
        subtree = Organization.objects.subtree_ids([unit["org"].pk])
        assert unit["now"] == direct_count(2026, subtree)["developed"], unit["org"].name
        assert unit["activists"] == direct_count(2026, subtree)["activists"]

    dangwei = User.objects.get(username="dangwei")
    sub = Organization.objects.get(roles__user=dangwei)
    client.force_login(dangwei)
    with time_machine.travel(NOON, tick=False):
        page = client.get(f"/plans/org/{sub.pk}/?year=2026")
    subtree = Organization.objects.subtree_ids([sub.pk])
    assert page.context["main"].now.as_dict() == direct_count(2026, subtree)

    # Next year's plan, split in December from the pipeline as it stands.
    plan = do_load_plan(qu, year=2027)
    setting = setting_for(plan, None, TODAY)
    allocator = setting.allocator()
    assert allocator is not None
    proposal = allocator.propose()
    assert proposal.feasible, proposal.explanation
    assert sum(proposal.shares.values()) == 350
    for unit in setting.units:
        share = proposal.shares[unit.key]
        assert share - slack(share, 10) <= unit.capacity
    assert all(check.ok for check in allocator.check(proposal.shares))
    do_split(qu, plan, shares=proposal.shares)
    assert sum(PlanShare.objects.filter(plan=plan).values_list("total", flat=True)) == 350
