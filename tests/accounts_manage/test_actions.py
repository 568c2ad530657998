"""Handover, password reset, deactivation: who may, what changes, what the chain keeps."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.http import Http404, HttpRequest
from django.utils import timezone

from fazhan.accounts.actions import (
    AccountRefused,
    RosterInvalid,
    do_change_password,
    do_deactivate,
    do_hand_over,
    do_reactivate,
    do_reset_password,
)
from fazhan.accounts.models import Role, RoleKind, User
from fazhan.accounts.roster import RosterRow
from fazhan.audit.chain import events_of, verify_chain
from fazhan.audit.models import Event
from fazhan.people.actions import do_create_candidate
from fazhan.testing.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Hongqi-xin-mima-2026"


def account_events(*kinds: str) -> list[Event]:
    return list(Event.objects.filter(kind__in=kinds).order_by("seq"))


def test_it_hands_a_branch_over_and_the_old_secretary_loses_it_at_once(client, cast):
    old_name = cast.zhibu.display_name
    opened = do_create_candidate(
        cast.zhibu, org=cast.branch_a, name="测试对象", sex="M", birth_date=date(1995, 8, 15)
    )
    page = f"/candidates/{cast.candidates['cand_a'].pk}/"
    client.force_login(cast.zhibu)
    assert client.get(page).status_code == 200

    handover = do_hand_over(
        cast.qu, branch=cast.branch_a, new_row=RosterRow(1, "", "新书记", "xinshuji")
    )

    # The old account, still signed in, is refused the branch on its very next request.
    assert client.get(page).status_code == 404
    assert client.get(f"/candidates/{opened.pk}/").status_code == 404
    assert handover.password and handover.user.must_change_password
    client.logout()
    assert client.login(request=HttpRequest(), username="xinshuji", password=handover.password)
    assert client.get(page).status_code == 302  # first a password of their own
    client.post(
        "/accounts/manage/password/",
        {
            "old_password": handover.password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert client.get(page).status_code == 200

    old_role = Role.objects.get(user=cast.zhibu, org=cast.branch_a)
    assert not old_role.active and old_role.ended_on == timezone.localdate()
    # History keeps the old name: the event still points at the old account, which keeps its name.
    first = events_of(opened.pk)[0]
    assert first.recorded_by_id == cast.zhibu.pk
    assert User.objects.get(pk=first.recorded_by_id).display_name == old_name
    ended, handed = account_events("account.role_ended", "account.handed_over")
    assert ended.payload == {
        "user_id": cast.zhibu.pk,
        "role_id": old_role.pk,
        "org_id": cast.branch_a.pk,
    }
    assert handed.payload["user_id"] == handover.user.pk
    assert handed.payload["ended_role_ids"] == [old_role.pk]
    assert handed.recorded_by_id == cast.qu.pk
    assert verify_chain().ok


def test_it_hands_over_to_an_existing_former_secretary_and_reactivates_them(cast):
    former = UserFactory.create(username="former", is_active=False)
    role = RoleFactory.create(user=former, org=cast.branch_a2, kind=RoleKind.BRANCH_SECRETARY)
    role.end(date(2025, 1, 1))
    handover = do_hand_over(cast.qu, branch=cast.branch_a, new_user=former, deactivate_old=True)
    former.refresh_from_db()
    cast.zhibu.refresh_from_db()
    assert former.is_active and handover.password is None
    assert Role.objects.filter(user=former, org=cast.branch_a, active=True).exists()
    assert not cast.zhibu.is_active and handover.deactivated == (cast.zhibu,)
    kinds = [e.kind for e in Event.objects.order_by("seq")]
    assert kinds == [
        "account.reactivated",
        "account.role_ended",
        "account.handed_over",
        "account.deactivated",
    ]


def test_it_asks_whose_duty_ends_when_a_branch_has_two_accounts(cast):
    member = UserFactory.create(username="zuzhi")
    RoleFactory.create(user=member, org=cast.branch_a, kind=RoleKind.BRANCH_SECRETARY)
    with pytest.raises(AccountRefused) as refused:
        do_hand_over(cast.admin, branch=cast.branch_a, new_row=RosterRow(1, "", "新书记", ""))
    assert refused.value.field == "old_user"
    handover = do_hand_over(
        cast.admin,
        branch=cast.branch_a,
        new_row=RosterRow(1, "", "新书记", ""),
        old_user=cast.zhibu,
    )
    assert [r.user for r in handover.ended] == [cast.zhibu]
    assert Role.objects.get(user=member, org=cast.branch_a).active


def test_it_refuses_a_handover_to_a_separated_or_foreign_account(cast):
    with pytest.raises(AccountRefused):  # 三员分立: the auditor holds no other duty
        do_hand_over(cast.admin, branch=cast.branch_a, new_user=cast.shenji)
    with pytest.raises(Http404):  # the auditor's account is not the district's to see
        do_hand_over(cast.qu, branch=cast.branch_a, new_user=cast.shenji)
    with pytest.raises(AccountRefused):  # a 党工委 account is the system administrator's
        do_hand_over(cast.qu, branch=cast.branch_a, new_user=cast.dangwei)
    with pytest.raises(RosterInvalid):
        do_hand_over(cast.qu, branch=cast.branch_a, new_row=RosterRow(1, "", "新书记", "zhibu2"))
    assert Role.objects.get(user=cast.zhibu, org=cast.branch_a).active
    assert not Event.objects.filter(kind__startswith="account.").exists()


def test_it_lets_district_staff_hand_over_only_inside_their_subtree(cast):
    staff = UserFactory.create(username="qu_a")
    RoleFactory.create(user=staff, org=cast.sub_a, kind=RoleKind.DISTRICT_STAFF)
    do_hand_over(staff, branch=cast.branch_a2, new_row=RosterRow(1, "", "新书记", ""))
    with pytest.raises(Http404):
        do_hand_over(staff, branch=cast.branch_b, new_row=RosterRow(1, "", "新书记", ""))
    for who in ("dangwei", "zhibu", "zhibu2", "shenji", "outsider"):
        with pytest.raises(Http404):
            do_hand_over(cast.users[who], branch=cast.branch_a, new_row=RosterRow(1, "", "甲", ""))


def test_it_resets_a_password_once_and_forces_a_change(client, cast):
    cast.zhibu.set_password("old-password-1")
    cast.zhibu.save()
    password = do_reset_password(cast.admin, cast.zhibu)
    assert client.login(request=HttpRequest(), username="zhibu", password="old-password-1") is False
    assert client.login(request=HttpRequest(), username="zhibu", password=password) is True

    response = client.get("/candidates/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/manage/password/?next=")
    assert client.get("/accounts/manage/password/").status_code == 200
    response = client.post(
        "/accounts/manage/password/",
        {
            "old_password": password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "next": "/candidates/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/candidates/"
    assert client.get("/candidates/").status_code == 200  # still signed in, free to work
    client.logout()
    assert (
        client.login(request=HttpRequest(), username="zhibu", password=password) is False
    )  # it worked once
    assert client.login(request=HttpRequest(), username="zhibu", password=NEW_PASSWORD) is True
    cast.zhibu.refresh_from_db()
    assert not cast.zhibu.must_change_password and cast.zhibu.one_time_password_until is None
    assert [e.kind for e in Event.objects.order_by("seq")] == [
        "account.password_reset",
        "account.password_changed",
    ]
    assert Event.objects.get(kind="account.password_changed").recorded_by_id == cast.zhibu.pk


def test_it_ends_the_sessions_of_the_account_whose_password_is_reset(client, cast):
    cast.zhibu.set_password("old-password-1")
    cast.zhibu.save()
    assert client.login(request=HttpRequest(), username="zhibu", password="old-password-1")
    do_reset_password(cast.qu, cast.zhibu)
    assert client.get("/").status_code == 302  # back to sign-in


def test_it_expires_an_unused_one_time_password(client, cast):
    password = do_reset_password(cast.admin, cast.zhibu)
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert client.login(request=HttpRequest(), username="zhibu", password=password)
        response = client.get("/")
        assert response.status_code == 403
        assert "已过期" in response.content.decode()
        assert client.get("/").status_code == 302  # signed out


def test_it_keeps_the_auditor_and_other_staff_to_the_system_administrator(cast):
    with pytest.raises(Http404):
        do_reset_password(cast.qu, cast.shenji)
    with pytest.raises(AccountRefused):
        do_reset_password(cast.qu, cast.dangwei)
    with pytest.raises(AccountRefused):
        do_deactivate(cast.qu, cast.dangwei)
    assert do_reset_password(cast.admin, cast.shenji)
    assert do_reset_password(cast.qu, cast.zhibu2)
    for who in ("dangwei", "zhibu", "zhibu2", "shenji", "outsider"):
        with pytest.raises(Http404):
            do_reset_password(cast.users[who], cast.zhibu)


def test_it_refuses_to_act_on_ones_own_account(cast):
    with pytest.raises(AccountRefused):
        do_reset_password(cast.admin, cast.admin)
    with pytest.raises(AccountRefused):
        do_deactivate(cast.admin, cast.admin)


def test_it_deactivates_an_account_which_then_cannot_sign_in(client, cast):
    cast.zhibu.set_password("old-password-1")
    cast.zhibu.save()
    assert client.login(request=HttpRequest(), username="zhibu", password="old-password-1")
    do_deactivate(cast.admin, cast.zhibu)
    assert client.get("/").status_code == 302  # the open session ends too
    assert client.login(request=HttpRequest(), username="zhibu", password="old-password-1") is False
    response = client.post("/accounts/login/", {"username": "zhibu", "password": "old-password-1"})
    assert response.status_code == 200 and "不正确" in response.content.decode()
    assert Role.objects.get(user=cast.zhibu).active  # roles kept, for history and reactivation
    with pytest.raises(AccountRefused):
        do_deactivate(cast.admin, cast.zhibu)
    do_reactivate(cast.qu, cast.zhibu)
    assert client.login(request=HttpRequest(), username="zhibu", password="old-password-1")
    assert [e.kind for e in Event.objects.order_by("seq")] == [
        "account.deactivated",
        "account.reactivated",
    ]


def test_it_checks_a_new_password(cast):
    cast.zhibu.set_password("old-password-1")
    cast.zhibu.save()
    for old, new, field in [
        ("wrong", NEW_PASSWORD, "old_password"),
        ("old-password-1", "old-password-1", "new_password1"),
        ("old-password-1", "short", "new_password1"),
        ("old-password-1", "12345678901", "new_password1"),
        ("old-password-1", "password123", "new_password1"),
    ]:
        with pytest.raises(AccountRefused) as refused:
            do_change_password(cast.zhibu, old_password=old, new_password=new)
        assert refused.value.field == field
    do_change_password(cast.zhibu, old_password="old-password-1", new_password=NEW_PASSWORD)


def test_it_logs_account_mutations_with_ids_only(cast):
    do_hand_over(cast.admin, branch=cast.branch_a, new_row=RosterRow(1, "", "新书记", ""))
    do_reset_password(cast.admin, cast.zhibu2)
    do_deactivate(cast.admin, cast.zhibu2)
    for event in Event.objects.all():
        assert event.kind.startswith("account.")
        assert event.candidate_id is None
        assert {"user_id", "role_id", "org_id"} <= set(event.payload)
        assert "新书记" not in str(event.payload)


def test_it_takes_the_branch_from_the_old_secretary_object_in_the_same_process(cast):
    from fazhan.people.models import Candidate

    cand = cast.candidates["cand_a"]
    assert Candidate.objects.visible_to(cast.zhibu).filter(pk=cand.pk).exists()
    do_hand_over(
        cast.qu, branch=cast.branch_a, new_row=RosterRow(1, "", "新书记", ""), old_user=cast.zhibu
    )
    assert not Candidate.objects.visible_to(cast.zhibu).filter(pk=cand.pk).exists()
