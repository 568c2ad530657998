"""Sign-in, the home page of every role, and the candidate pages' scoping (404 outside)."""

from __future__ import annotations

import pytest

from fazhan.web.models import Installation

pytestmark = pytest.mark.django_db

# Who opens which branch's candidate page: own subtree 200, anything else 404 (principle 6).
EXPECTED = {
    "qu": {"cand_a": 200, "cand_a2": 200, "cand_b": 200, "cand_b2": 200},
    "dangwei": {"cand_a": 200, "cand_a2": 200, "cand_b": 404, "cand_b2": 404},
    "zhibu": {"cand_a": 200, "cand_a2": 404, "cand_b": 404, "cand_b2": 404},
    "zhibu2": {"cand_a": 404, "cand_a2": 404, "cand_b": 200, "cand_b2": 404},
    "shenji": {"cand_a": 200, "cand_a2": 200, "cand_b": 200, "cand_b2": 200},
    "admin": {"cand_a": 404, "cand_a2": 404, "cand_b": 404, "cand_b2": 404},
    "outsider": {"cand_a": 404, "cand_a2": 404, "cand_b": 404, "cand_b2": 404},
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_it_scopes_every_candidate_page_to_the_users_subtree(client, cast, username):
    client.force_login(cast.users[username])
    for name, status in EXPECTED[username].items():
        candidate = cast.candidates[name]
        response = client.get(f"/candidates/{candidate.pk}/")
        assert response.status_code == status, (username, name)
        if status == 200:
            assert candidate.person.name in response.content.decode()


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_it_shows_each_role_its_home_page(client, cast, username):
    client.force_login(cast.users[username])
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "工作台" in body or "系统管理" in body


def test_it_lists_only_visible_candidates(client, cast):
    client.force_login(cast.zhibu)
    body = client.get("/candidates/").content.decode()
    assert cast.candidates["cand_a"].person.name in body
    assert cast.candidates["cand_b"].person.name not in body


def test_it_never_shows_a_candidate_to_the_system_administrator(client, cast):
    client.force_login(cast.admin)
    body = client.get("/candidates/").content.decode()
    for candidate in cast.candidates.values():
        assert candidate.person.name not in body


def test_it_sends_an_anonymous_visitor_to_sign_in(client, cast):
    response = client.get(f"/candidates/{cast.candidates['cand_a'].pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_signs_in_with_the_form_and_lands_on_home(client, cast):
    cast.zhibu.set_password("fazhan-demo")
    cast.zhibu.save()
    response = client.post(
        "/accounts/login/", {"username": cast.zhibu.username, "password": "fazhan-demo"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_it_refuses_a_wrong_password_in_chinese(client, cast):
    response = client.post(
        "/accounts/login/", {"username": cast.zhibu.username, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "不正确" in response.content.decode()


def test_it_says_demo_data_on_every_page_of_a_demo(client, cast):
    Installation.objects.create(demo=True)
    assert "演示数据" in client.get("/accounts/login/").content.decode()
    client.force_login(cast.zhibu)
    assert "演示数据" in client.get("/").content.decode()
    assert "演示数据" in client.get(f"/candidates/{cast.candidates['cand_a'].pk}/").content.decode()


def test_it_masks_the_id_number_on_the_candidate_page(client, cast):
    candidate = cast.candidates["cand_a"]
    client.force_login(cast.shenji)
    body = client.get(f"/candidates/{candidate.pk}/").content.decode()
    full = candidate.person.decrypt_id_number()
    if full:
        assert full not in body
        assert candidate.person.id_number_masked in body
