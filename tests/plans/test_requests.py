"""Next year's plan from below: requests, their flags, the district's overview, roll-up, adoption
(Issue 13 item 3; seed 四: 12月下旬上报**年发展党员工作计划; 三（一）: 3:1 and 1,200)."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404
from django.urls import reverse

from fazhan.audit.chain import verify_chain
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused
from fazhan.plans.actions import do_load_plan
from fazhan.plans.board import find_plan
from fazhan.plans.models import Plan, PlanRequest, PlanShare, PlanState, RequestState
from fazhan.plans.requests import (
    do_adopt_plan,
    do_roll_up_requests,
    do_save_plan_request,
    do_submit_plan_request,
    do_withdraw_plan_request,
    overview,
)
from tests.reports.helpers import TODAY, import_file, moved_events, on

pytestmark = pytest.mark.django_db

NEXT = TODAY.year + 1


def activists(user, branch, n: int) -> None:
    """`n` files in `branch` that are activists (S03 recorded, nothing after) on TODAY."""
    for _ in range(n):
        import_file(user, branch, moved_events(2200, "e4"))


def submit(user, org, total: int, **structure: int) -> PlanRequest:
    with on():
        saved = do_save_plan_request(
            user, org, NEXT, total=total, structure=structure, justification="理由"
        )
        return do_submit_plan_request(user, saved)


def test_it_saves_and_submits_a_request_logged_on_the_chain(cast):
    with on():
        saved = do_save_plan_request(
            cast.dangwei, cast.sub_a, NEXT, total=12, structure={"le35": 10, "female": 5}
        )
        assert (saved.state, saved.total, saved.structure) == (
            RequestState.DRAFT,
            12,
            {"le35": 10, "female": 5},
        )
        sent = do_submit_plan_request(cast.dangwei, saved)
    assert (sent.state, sent.submitted_on) == (RequestState.SUBMITTED, TODAY)
    kinds = list(
        Event.objects.filter(kind__startswith="plan.request").values_list("kind", flat=True)
    )
    assert kinds == ["plan.request_save", "plan.request_submit"]
    payload = Event.objects.get(kind="plan.request_save").payload
    assert payload == {
        "request_id": saved.pk,
        "org_id": cast.sub_a.pk,
        "year": NEXT,
        "total": 12,
        "categories": 2,
    }
    assert verify_chain().ok


def test_it_refuses_to_change_a_submitted_request_until_withdrawn(cast):
    sent = submit(cast.dangwei, cast.sub_a, 12)
    with on(), pytest.raises(ActionRefused, match="申请已上报，如需修改请先撤回"):
        do_save_plan_request(cast.dangwei, cast.sub_a, NEXT, total=13, structure={})
    with on():
        do_withdraw_plan_request(cast.dangwei, sent)
        again = do_save_plan_request(cast.dangwei, cast.sub_a, NEXT, total=13, structure={})
    assert (again.pk, again.state, again.total) == (sent.pk, RequestState.DRAFT, 13)


def test_it_refuses_bad_numbers_in_chinese(cast):
    with on(), pytest.raises(ActionRefused, match="学生必须是非负整数"):
        do_save_plan_request(cast.dangwei, cast.sub_a, NEXT, total=5, structure={"student": -1})
    with on(), pytest.raises(ActionRefused, match="未知的结构类别"):
        do_save_plan_request(cast.dangwei, cast.sub_a, NEXT, total=5, structure={"x": 1})
    with on(), pytest.raises(ActionRefused, match=f"不能申请{NEXT + 1}年"):
        do_save_plan_request(cast.dangwei, cast.sub_a, NEXT + 1, total=5, structure={})


def test_it_lets_only_the_organizations_own_committee_staff_request(cast):
    with on(), pytest.raises(Http404):
        do_save_plan_request(cast.dangwei, cast.sub_b, NEXT, total=5, structure={})
    with on(), pytest.raises(ActionRefused, match=r"只有.*的工作人员可以填写"):
        do_save_plan_request(cast.qu, cast.sub_a, NEXT, total=5, structure={})
    with on(), pytest.raises(Http404):  # a branch secretary does not reach the committee
        do_save_plan_request(cast.zhibu, cast.sub_a, NEXT, total=5, structure={})
    assert not PlanRequest.objects.exists()


def test_it_flags_a_pool_of_one_less_than_three_times_and_passes_exactly_three(cast):
    activists(cast.qu, cast.branch_a, 3)
    activists(cast.qu, cast.branch_b, 2)
    submit(cast.dangwei, cast.sub_a, 1)
    with on():
        PlanRequest.objects.create(
            org=cast.sub_b, year=NEXT, total=1, state=RequestState.SUBMITTED, submitted_on=TODAY
        )
        view = overview(NEXT, TODAY)
    rows = {r.org.pk: r for r in view.rows}
    assert (rows[cast.sub_a.pk].pool, rows[cast.sub_a.pk].flags) == (3, [])
    [flag] = rows[cast.sub_b.pk].flags
    assert (flag.code, flag.actual, flag.limit) == ("pool", 2, 3)
    # The district's totals: 5 activists for 2 requested (6 needed), and below the 1,200 floor.
    assert (view.requested, view.pool) == (2, 5)
    assert [(f.code, f.actual, f.limit) for f in view.flags] == [("pool", 5, 6), ("pool", 5, 1200)]


def test_it_rolls_the_submitted_requests_up_into_a_draft_that_is_not_yet_the_years_plan(cast):
    submit(cast.dangwei, cast.sub_a, 40, le35=30, student=1)
    with on():
        PlanRequest.objects.create(org=cast.sub_b, year=NEXT, total=25)  # a draft: left out
        plan = do_roll_up_requests(cast.qu, NEXT)
    assert (plan.year, plan.org, plan.total, plan.state) == (NEXT, cast.district, 40, "draft")
    share = PlanShare.objects.get(plan=plan)
    assert (share.org, share.total) == (cast.sub_a, 40)
    assert [(t["id"], t["kind"], t["abs"]) for t in share.targets] == [
        ("R.le35", "floor", 30),
        ("R.student", "cap", 1),
    ]
    # The aspiration to reach the number follows the new total.
    assert plan.parsed().target("Q1").absolute == 40
    assert find_plan(cast.district, NEXT) == (None, None)


def test_it_replaces_a_draft_when_rolled_up_again(cast):
    submit(cast.dangwei, cast.sub_a, 40)
    with on():
        first = do_roll_up_requests(cast.qu, NEXT)
        PlanRequest.objects.create(
            org=cast.sub_b, year=NEXT, total=10, state=RequestState.SUBMITTED, submitted_on=TODAY
        )
        second = do_roll_up_requests(cast.qu, NEXT)
    assert (second.pk, second.total) == (first.pk, 50)
    assert PlanShare.objects.filter(plan=second).count() == 2


def test_it_refuses_to_roll_up_nothing(cast):
    with on(), pytest.raises(ActionRefused, match="还没有上报的计划申请"):
        do_roll_up_requests(cast.qu, NEXT)
    assert not Plan.objects.exists()


def test_it_adopts_once_and_refuses_the_second_time_with_the_reason(cast):
    submit(cast.dangwei, cast.sub_a, 40)
    with on():
        plan = do_roll_up_requests(cast.qu, NEXT)
        adopted = do_adopt_plan(cast.qu, plan)
    assert (adopted.state, adopted.adopted_on) == (PlanState.ADOPTED, TODAY)
    found, share = find_plan(cast.sub_a, NEXT)
    assert found == plan and share is not None and share.total == 40
    with on(), pytest.raises(ActionRefused, match=f"{NEXT}年计划已经采用，不能再次采用"):
        do_adopt_plan(cast.qu, plan)
    with on(), pytest.raises(ActionRefused, match=r"计划已经采用.*不能再汇总申请"):
        do_roll_up_requests(cast.qu, NEXT)
    with on(), pytest.raises(ActionRefused, match="计划已经采用，不能再修改申请"):
        do_save_plan_request(cast.dangwei, cast.sub_a, NEXT, total=3, structure={})
    assert Event.objects.filter(kind="plan.adopt").count() == 1
    assert Event.objects.get(kind="plan.adopt").payload == {
        "plan_id": plan.pk,
        "org_id": cast.district.pk,
        "year": NEXT,
        "total": 40,
        "shares": 1,
    }


def test_it_refuses_to_roll_up_over_a_plan_loaded_for_that_year(cast):
    submit(cast.dangwei, cast.sub_a, 40)
    with on():
        do_load_plan(cast.qu, year=NEXT)
        with pytest.raises(ActionRefused, match="不能再汇总申请"):
            do_roll_up_requests(cast.qu, NEXT)


def test_it_lets_only_the_district_roll_up_and_adopt(cast):
    submit(cast.dangwei, cast.sub_a, 40)
    with on(), pytest.raises(ActionRefused):
        do_roll_up_requests(cast.dangwei, NEXT)
    with on():
        plan = do_roll_up_requests(cast.qu, NEXT)
        with pytest.raises(ActionRefused):
            do_adopt_plan(cast.shenji, plan)
        with pytest.raises(Http404):
            do_adopt_plan(cast.zhibu2, plan)
    assert Plan.objects.get().state == PlanState.DRAFT


# -- pages ----------------------------------------------------------------------------------------


def request_url(org) -> str:
    return reverse("plans:request", args=(NEXT, org.pk))


def test_it_shows_the_sender_its_form_and_saves_and_submits_through_it(client, cast):
    client.force_login(cast.dangwei)
    with on():
        assert client.get(request_url(cast.sub_a)).status_code == 200
        response = client.post(
            request_url(cast.sub_a),
            {"total": "10", "s_student": "2", "justification": "扩大队伍", "action": "submit"},
        )
        assert response.status_code == 302
        page = client.get(request_url(cast.sub_a)).content.decode()
    saved = PlanRequest.objects.get()
    assert (saved.state, saved.total, saved.structure) == ("submitted", 10, {"student": 2})
    # 2 students of 10 is above 4% (0 at most), and the pool of 0 is below 30.
    assert "D4 学生" in page and "至多0名" in page
    assert "K1 积极分子与发展数之比3:1以上" in page and "至少需要30名积极分子" in page


def test_it_hides_another_organizations_request_from_its_staff(client, cast):
    client.force_login(cast.dangwei)
    with on():
        assert client.get(request_url(cast.sub_b)).status_code == 404
        assert client.post(request_url(cast.sub_b), {"total": "1"}).status_code == 404


def test_it_shows_the_overview_only_to_the_district_and_the_auditor(client, cast):
    for who, status in (("qu", 200), ("shenji", 200), ("dangwei", 404), ("zhibu", 404)):
        client.force_login(cast.users[who])
        with on():
            assert client.get(reverse("plans:requests")).status_code == status, who
    client.force_login(cast.shenji)
    with on():
        assert client.post(reverse("plans:roll_up"), {"year": NEXT}).status_code == 404


def test_it_rolls_up_and_adopts_from_the_overview(client, cast):
    submit(cast.dangwei, cast.sub_a, 40)
    client.force_login(cast.qu)
    with on():
        page = client.get(reverse("plans:requests")).content.decode()
        assert "汇总为计划草案" in page
        response = client.post(reverse("plans:roll_up"), {"year": NEXT})
        plan = Plan.objects.get()
        assert response.url == reverse("plans:plan", args=(plan.pk,))
        assert "草案" in client.get(response.url).content.decode()
        client.post(reverse("plans:adopt", args=(plan.pk,)))
        again = client.post(reverse("plans:adopt", args=(plan.pk,)), follow=True)
    assert "不能再次采用" in again.content.decode()
    assert Plan.objects.get().state == PlanState.ADOPTED


def test_the_year_end_cut_off_is_the_twentieth_of_december():
    from fazhan.plans.requests import cut_off, default_as_of

    assert cut_off(2027) == date(2026, 12, 20)
    with on(date(2027, 1, 5)):
        assert default_as_of(2027) == date(2026, 12, 31)
    with on(date(2026, 12, 1)):
        assert default_as_of(2027) == date(2026, 12, 1)


def test_it_edits_and_allocates_a_draft_with_the_existing_pages(client, cast):
    submit(cast.dangwei, cast.sub_a, 40)
    with on():
        plan = do_roll_up_requests(cast.qu, NEXT)
    client.force_login(cast.qu)
    with on():
        for name in ("plans:plan", "plans:edit", "plans:split", "plans:allocate"):
            assert client.get(reverse(name, args=(plan.pk,))).status_code == 200, name
        with pytest.raises(ActionRefused, match="已有由各单位申请汇总的计划草案"):
            do_load_plan(cast.qu, year=NEXT)


def test_it_links_the_dashboards_to_next_years_requests(client, cast):
    client.force_login(cast.qu)
    with on():
        page = client.get(reverse("plans:dashboard")).content.decode()
    assert f'href="{reverse("plans:requests")}?year={NEXT}"' in page
    client.force_login(cast.dangwei)
    with on():
        page = client.get(reverse("plans:dashboard")).content.decode()
    assert f'href="{request_url(cast.sub_a)}"' in page


def test_it_closes_the_senders_form_once_the_years_plan_is_adopted(client, cast):
    submit(cast.dangwei, cast.sub_a, 40)
    with on():
        do_adopt_plan(cast.qu, do_roll_up_requests(cast.qu, NEXT))
    client.force_login(cast.dangwei)
    with on():
        page = client.get(request_url(cast.sub_a)).content.decode()
        refused = client.post(request_url(cast.sub_a), {"action": "withdraw"})
    assert f"{NEXT}年计划已经采用，申请不再修改" in page
    assert 'value="withdraw"' not in page and 'value="submit"' not in page
    assert refused.status_code == 200
    assert "不能再修改申请" in refused.content.decode()
    assert PlanRequest.objects.get().state == RequestState.SUBMITTED
