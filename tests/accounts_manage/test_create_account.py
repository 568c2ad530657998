"""The system administrator creates one account of any role (三员分立)."""

from __future__ import annotations

import pytest

from fazhan.accounts.models import Role, RoleKind, User

pytestmark = pytest.mark.django_db


def test_it_creates_an_auditor_without_an_organization(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        "/accounts/manage/new/",
        {"username": "shenji2", "display_name": "审计员", "kind": "auditor"},
    )
    assert response.status_code == 200
    assert "一次性密码" in response.content.decode()
    user = User.objects.get(username="shenji2")
    assert user.must_change_password
    assert list(Role.objects.filter(user=user).values_list("kind", "org_id")) == [
        (RoleKind.AUDITOR, None)
    ]


def test_it_puts_sub_organization_staff_at_a_sub_organization_only(client, cast):
    client.force_login(cast.admin)
    wrong = client.post(
        "/accounts/manage/new/",
        {"username": "dw2", "display_name": "组织员", "kind": "sub_staff", "org": cast.branch_a.pk},
    )
    assert "相应层级" in wrong.content.decode()
    assert not User.objects.filter(username="dw2").exists()
    right = client.post(
        "/accounts/manage/new/",
        {"username": "dw2", "display_name": "组织员", "kind": "sub_staff", "org": cast.sub_a.pk},
    )
    assert right.status_code == 200
    assert Role.objects.get(user__username="dw2").org == cast.sub_a


def test_it_refuses_a_taken_user_name(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        "/accounts/manage/new/",
        {"username": cast.zhibu.username, "display_name": "x", "kind": "auditor"},
    )
    assert "已被占用" in response.content.decode()


@pytest.mark.parametrize("username", ["qu", "dangwei", "zhibu", "shenji", "outsider"])
def test_it_lets_nobody_but_the_administrator_create_one(client, cast, username):
    client.force_login(cast.users[username])
    response = client.post(
        "/accounts/manage/new/", {"username": "x1", "display_name": "x", "kind": "auditor"}
    )
    assert response.status_code == 404
    assert not User.objects.filter(username="x1").exists()
