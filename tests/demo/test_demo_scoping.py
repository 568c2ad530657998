"""The demo's accounts against each other's files (issue: zhibu gets 404 on every candidate page
zhibu2 can open, and the reverse) and the auditor's verify naming a row edited in the database."""

from __future__ import annotations

import pytest
from django.db import connection

from fazhan.accounts.models import User
from fazhan.audit.bypass import chain_bypass
from fazhan.audit.chain import verify_chain
from fazhan.audit.models import Event
from fazhan.demo.builder import build_demo
from fazhan.people.models import Candidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    return build_demo(scale=0.05)


def test_it_keeps_each_branch_secretary_out_of_the_other_branch(client, demo):
    zhibu, zhibu2 = User.objects.get(username="zhibu"), User.objects.get(username="zhibu2")
    own = set(Candidate.objects.visible_to(zhibu).values_list("pk", flat=True))
    other = set(Candidate.objects.visible_to(zhibu2).values_list("pk", flat=True))
    assert own and other and not own & other
    for user, allowed, denied in ((zhibu, own, other), (zhibu2, other, own)):
        client.force_login(user)
        for pk in denied:
            assert client.get(f"/candidates/{pk}/").status_code == 404
        for pk in allowed:
            assert client.get(f"/candidates/{pk}/").status_code == 200


@pytest.mark.parametrize("username", ["qu", "dangwei", "zhibu", "zhibu2", "shenji", "admin"])
def test_it_signs_in_every_demo_account_to_its_home_page(client, demo, username):
    response = client.post("/accounts/login/", {"username": username, "password": "fazhan-demo"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "演示数据" in page.content.decode()


def test_it_names_a_row_edited_directly_in_the_database(demo):
    assert verify_chain().ok
    victim = Event.objects.order_by("seq")[len(Event.objects.all()) // 2]
    with chain_bypass(connection), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_event SET happened_on = '2001-01-01' WHERE seq = %s", [victim.seq]
        )
    result = verify_chain()
    assert not result.ok
    assert result.seq == victim.seq
