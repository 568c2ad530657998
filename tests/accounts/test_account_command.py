"""`fazhan account create`: the operator's break-glass (Step 9 item 2)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from fazhan.accounts.models import Role, RoleKind, User
from fazhan.audit.models import Event

pytestmark = pytest.mark.django_db


def create(*args: str) -> str:
    out = io.StringIO()
    call_command("account", "create", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_granted_account_with_a_one_time_password_on_the_chain(cast):
    printed = create("xinqu", "--role", "district", "--name", "新同志")
    user = User.objects.get(username="xinqu")
    role = Role.objects.get(user=user)
    assert role.active and role.kind == RoleKind.DISTRICT_STAFF and role.org == cast.district
    assert user.must_change_password and "一次性密码" in printed
    event = Event.objects.get(kind="account.created", payload__user_id=user.pk)
    assert event.recorded_by_id is None and event.payload["break_glass"] is True


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("a1", "--role", "branch"), "--org"),
        (("a2", "--role", "branch", "--org", "NOPE"), "NOPE"),
        (("a3", "--role", "auditor", "--org", "D"), "三员分立"),
        (("zhibu", "--role", "auditor"), "占用"),
        (("a4", "--role", "committee", "--org", "D-A-1"), "相应层级"),
    ],
)
def test_it_refuses_what_cannot_be_right(cast, args, problem):
    with pytest.raises(CommandError, match=problem):
        create(*args)


def test_the_sign_in_page_of_an_empty_database_says_how_to_begin(db):
    page = Client().get("/accounts/login/").content.decode()
    assert "fazhan account create" in page
    User.objects.create(username="someone")
    assert "fazhan account create" not in Client().get("/accounts/login/").content.decode()
