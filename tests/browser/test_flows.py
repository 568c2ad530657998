"""The main flows as a new user would try them, in a real browser."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from fazhan.orgs.models import Member
from fazhan.people.actions import Mode, do_create_candidate, do_record_step
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def with_password(cast):
    for user in cast.users.values():
        user.set_password("fazhan-demo")
        user.save()


def activist_a_year_ago(cast, name="王小红", years_ago=1, days=10):
    """An activist whose year is complete `days` ago, with the notice for S07 already over."""
    today = timezone.localdate()
    s03 = today.replace(year=today.year - years_ago) - timedelta(days=days)
    candidate = do_create_candidate(
        cast.zhibu, org=cast.branch_a, name=name, sex="F", birth_date=date(1998, 5, 4)
    )
    for step, when, payload in (
        ("S01", s03 - timedelta(days=60), {}),
        ("S02", s03 - timedelta(days=50), {}),
        ("N-ACT", s03 - timedelta(days=14), {"end": (s03 - timedelta(days=3)).isoformat()}),
        ("S03", s03, {"nomination": "member"}),
    ):
        do_record_step(
            cast.zhibu, candidate, step=step, happened_on=when, payload=payload, mode=Mode.PAST
        )
    return candidate, s03


def test_it_lets_a_branch_secretary_record_a_step_and_see_the_timeline_change(page, cast, shot):
    with_password(cast)
    Member.objects.create(org=cast.branch_a, name="李四")
    candidate, _ = activist_a_year_ago(cast)
    sign_in(page, cast.zhibu.username)
    assert "工作台" in page.content()
    shot(page, "zh-hans-home-zhibu")
    page.click(f"a[href='/candidates/{candidate.pk}/']")
    assert "王小红" in page.inner_text("h1")
    shot(page, "zh-hans-candidate-before")
    page.click(f"a[href='/candidates/{candidate.pk}/record/S04/']")
    page.fill("#id_happened_on", timezone.localdate().isoformat())
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(f"**/candidates/{candidate.pk}/")
    assert "已记录" in page.content()
    row = page.locator(".timeline li", has_text="报上级党委备案").first
    assert timezone.localdate().isoformat() in row.inner_text()
    shot(page, "zh-hans-candidate-after")


def test_it_refuses_a_target_under_a_year_and_says_why(page, cast, shot):
    with_password(cast)
    candidate, _ = activist_a_year_ago(cast, name="赵早", days=-20)  # 20 days short of a year
    do_record_step(
        cast.zhibu,
        candidate,
        step="N-TGT",
        mode=Mode.PAST,
        happened_on=timezone.localdate() - timedelta(days=12),
        payload={"end": (timezone.localdate() - timedelta(days=5)).isoformat()},
    )
    sign_in(page, cast.zhibu.username)
    page.goto(f"/candidates/{candidate.pk}/record/S07/")
    page.fill("#id_happened_on", timezone.localdate().isoformat())
    page.click("form.stepform button[type=submit]")
    alert = page.locator("[role=alert]")
    assert "不能记录" in alert.inner_text()
    assert "细则第十三条" in alert.inner_text()
    shot(page, "zh-hans-refused-target")


def test_it_lets_a_committee_record_a_training_class_for_twenty(page, cast, shot):
    with_password(cast)
    today = timezone.localdate()
    ids = []
    for i in range(20):
        candidate = do_create_candidate(
            cast.dangwei,
            org=cast.branch_a2,
            name=f"学员{i:02d}",
            sex="M",
            birth_date=date(1995, 1, 1),
        )
        for step, days_ago, payload in (
            ("S01", 500, {}),
            ("S02", 490, {}),
            ("N-ACT", 480, {"end": (today - timedelta(days=470)).isoformat()}),
            ("S03", 460, {"nomination": "youth_league"}),
            ("N-TGT", 80, {"end": (today - timedelta(days=70)).isoformat()}),
            ("S07", 60, {}),
        ):
            do_record_step(
                cast.dangwei,
                candidate,
                step=step,
                mode=Mode.PAST,
                happened_on=today - timedelta(days=days_ago),
                payload=payload,
            )
        ids.append(candidate.pk)
    sign_in(page, cast.dangwei.username)
    page.goto("/candidates/batch/?stage=target")
    page.select_option("#id_step", "S11")
    page.fill("#id_happened_on", today.isoformat())
    for pk in ids:
        page.check(f"#c{pk}")
    page.click("button:has-text('为所选对象记录')")
    page.wait_for_selector("table.results")
    assert "20 / 20" in page.content()
    shot(page, "zh-hans-batch-training")
