"""督查 (issue 15 item 4): the lists that call for action, and tasks from assignment to result."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from fazhan.accountability.actions import do_assign_task, do_close_task, do_note_task
from fazhan.accountability.models import TaskState, Topic
from fazhan.accountability.supervision import dormant, file_troubles, plan_lags
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused, NotVisible
from fazhan.orgs.models import Organization
from fazhan.people.models import Candidate
from fazhan.plans.actions import do_load_plan, do_split

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)
NOTE = "支部已召开专题会议，制定了明年发展计划。"


@time_machine.travel(TODAY)
def test_it_lists_a_branch_with_nobody_approved_for_two_years_and_not_one_a_day_inside(cast):
    subtree = Organization.objects.subtree_ids([cast.district.pk])
    Candidate.objects.filter(org=cast.branch_a).update(approved_on=date(2024, 12, 3))
    Candidate.objects.filter(org=cast.branch_b).update(approved_on=date(2024, 12, 4))
    found = {b.pk for b in dormant(subtree, TODAY)}
    assert cast.branch_a.pk in found
    assert cast.branch_b.pk not in found


@time_machine.travel(TODAY)
def test_it_flags_a_sub_organization_whose_pool_is_below_three_times_its_share(cast):
    plan = do_load_plan(cast.qu, name="seed", year=2026)
    do_split(cast.qu, plan, shares={cast.sub_a.pk: 200, cast.sub_b.pk: 150})
    lags = {lag.org.pk: lag for lag in plan_lags(cast.district, 2026, TODAY)}
    assert lags[cast.sub_a.pk].small_pool and lags[cast.sub_a.pk].share == 200
    assert lags[cast.sub_a.pk].pool < 600


@time_machine.travel(TODAY)
def test_it_counts_overdue_and_irregular_files_per_branch(cast):
    Candidate.objects.filter(pk=cast.candidates["cand_a"].pk).update(
        next_due=TODAY - timedelta(days=1), violations=2
    )
    Candidate.objects.filter(pk=cast.candidates["cand_b"].pk).update(next_due=TODAY)
    troubles = {t.org.pk: t for t in file_troubles({cast.branch_a.pk, cast.branch_b.pk}, TODAY)}
    assert (troubles[cast.branch_a.pk].overdue, troubles[cast.branch_a.pk].irregular) == (1, 1)
    assert cast.branch_b.pk not in troubles  # due today is not overdue


@time_machine.travel(TODAY)
def test_it_runs_a_task_from_assignment_to_result_as_events(cast):
    task = do_assign_task(
        cast.users["qu"],
        org=cast.branch_a,
        topic=Topic.DORMANT,
        title="请分析原因，制定发展党员工作计划。",
        due_on=TODAY + timedelta(days=30),
    )
    do_note_task(cast.users["zhibu"], task, text=NOTE)
    with pytest.raises(ActionRefused, match="交办的上级组织"):
        do_close_task(cast.users["zhibu"], task, result=NOTE)
    closed = do_close_task(
        cast.users["dangwei"], task, result="已制定计划，拟发展两名。经核实属实。"
    )
    assert closed.state == TaskState.CLOSED
    with pytest.raises(ActionRefused, match="已办结"):
        do_note_task(cast.users["zhibu"], task, text=NOTE)
    kinds = list(
        Event.objects.filter(kind__startswith="supervision.")
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds == ["supervision.assigned", "supervision.noted", "supervision.closed"]


@time_machine.travel(TODAY)
def test_it_supervises_downwards_only(cast):
    due = TODAY + timedelta(days=7)
    with pytest.raises(ActionRefused, match="上级党委"):
        do_assign_task(cast.users["dangwei"], org=cast.sub_a, topic="other", title="x", due_on=due)
    with pytest.raises(NotVisible):
        do_assign_task(
            cast.users["dangwei"], org=cast.branch_b, topic="other", title="x", due_on=due
        )
    with pytest.raises(ActionRefused, match="办结期限"):
        do_assign_task(
            cast.users["qu"],
            org=cast.branch_a,
            topic="other",
            title="x",
            due_on=TODAY - timedelta(days=1),
        )


@time_machine.travel(TODAY)
def test_it_shows_the_task_to_the_assigned_branch_and_hides_it_from_others(client, cast):
    task = do_assign_task(
        cast.users["qu"],
        org=cast.branch_a,
        topic=Topic.OVERDUE,
        title="请按期办理逾期档案并报告。",
        due_on=TODAY + timedelta(days=30),
    )
    client.force_login(cast.users["zhibu"])
    page = client.get(f"/register/supervision/tasks/{task.pk}/").content.decode()
    assert "task-note" in page and "task-result" not in page
    client.force_login(cast.users["zhibu2"])
    assert client.get(f"/register/supervision/tasks/{task.pk}/").status_code == 404
    client.force_login(cast.users["qu"])
    assert "请按期办理逾期档案并报告" in client.get("/register/supervision/").content.decode()


@pytest.mark.parametrize("username", ["qu", "dangwei", "zhibu", "shenji"])
def test_it_opens_the_supervision_page_for_every_working_role(client, cast, username):
    client.force_login(cast.users[username])
    assert client.get("/register/supervision/").status_code == 200
