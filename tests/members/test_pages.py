"""The member roster pages: the roster as of a date, a member's history, the staff forms."""

from __future__ import annotations

from datetime import date

import pytest

from fazhan.members.actions import do_record_discipline
from fazhan.members.models import MemberChange
from fazhan.orgs.models import Member, MemberStatus
from tests.people.test_actions import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(cast):
    old = Member.objects.create(org=cast.branch_a, name="张老党员", joined_on=date(2001, 7, 1))
    new = Member.objects.create(
        org=cast.branch_a,
        name="李预备",
        status=MemberStatus.PROBATIONARY,
        joined_on=date(2024, 3, 1),
    )
    return old, new


def test_it_shows_the_roster_as_of_the_chosen_date(client, cast, members):
    client.force_login(cast.zhibu)
    with at("2024-06-01"):
        today = client.get(f"/members/org/{cast.branch_a.pk}/").content.decode()
        earlier = client.get(f"/members/org/{cast.branch_a.pk}/?on=2024-02-29").content.decode()
    assert "张老党员" in today and "李预备" in today and "有表决权 1 名" in today
    assert "张老党员" in earlier and "李预备" not in earlier  # 入党日期 2024-03-01


def test_it_keeps_the_roster_of_another_committee_out_of_reach(client, cast, members):
    old, _ = members
    client.force_login(cast.zhibu2)
    assert client.get(f"/members/org/{cast.branch_a.pk}/").status_code == 404
    assert client.get(f"/members/{old.pk}/").status_code == 404
    assert "城关社区第一党支部" not in client.get("/members/").content.decode()


def test_it_shows_the_forms_to_committee_staff_only(client, cast, members):
    old, _ = members
    client.force_login(cast.zhibu)
    assert "登记留党察看" not in client.get(f"/members/{old.pk}/").content.decode()
    client.force_login(cast.dangwei)
    assert "登记留党察看" in client.get(f"/members/{old.pk}/").content.decode()


def test_it_records_a_death_from_the_member_page(client, cast, members):
    old, _ = members
    client.force_login(cast.dangwei)
    with at("2024-06-01"):
        response = client.post(
            f"/members/{old.pk}/record/died/", {"died-happened_on": "2024-05-20"}
        )
        assert response.status_code == 302
        page = client.get(f"/members/{old.pk}/").content.decode()
        roster = client.get(f"/members/org/{cast.branch_a.pk}/").content.decode()
    assert "去世" in page and "2024-05-20" in page and "今日不在册" in page
    assert "张老党员" not in roster
    old.refresh_from_db()
    assert not old.active


def test_it_says_why_a_change_is_refused(client, cast, members):
    old, _ = members
    client.force_login(cast.dangwei)
    with at("2024-06-01"):
        response = client.post(
            f"/members/{old.pk}/record/discipline/",
            {
                "discipline-happened_on": "2024-06-02",
                "discipline-months": "12",
                "discipline-reason": "某纪发",
            },
        )
    assert response.status_code == 400
    assert "晚于今天" in response.content.decode()
    assert not MemberChange.objects.exists()


def test_it_refuses_a_branch_secretary_posting_a_change(client, cast, members):
    old, _ = members
    client.force_login(cast.zhibu)
    with at("2024-06-01"):
        response = client.post(
            f"/members/{old.pk}/record/died/", {"died-happened_on": "2024-05-20"}
        )
    assert response.status_code == 400 and "党委或区委组织部" in response.content.decode()
    old.refresh_from_db()
    assert old.active


def test_it_marks_discipline_on_the_roster(client, cast, members):
    old, _ = members
    with at("2024-06-01"):
        do_record_discipline(
            cast.dangwei, old, happened_on=date(2024, 4, 1), months=24, reason="某纪发"
        )
        client.force_login(cast.zhibu)
        now = client.get(f"/members/org/{cast.branch_a.pk}/").content.decode()
        before = client.get(f"/members/org/{cast.branch_a.pk}/?on=2024-03-31").content.decode()
    assert "留党察看" in now and "有表决权 0 名" in now
    assert "有表决权 1 名" in before
