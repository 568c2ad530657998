"""The header menu comes from the one authority (fazhan.web.menu): every link in each role's menu
opens with 200 for that role, and the administrators see no page of records."""

from __future__ import annotations

import re

import pytest

from fazhan.web.menu import menu_for

pytestmark = pytest.mark.django_db

ROLES = ["qu", "dangwei", "zhibu", "zhibu2", "shenji", "admin", "baomi", "outsider"]
NAV = re.compile(r"<nav>(.*?)</nav>", re.S)


@pytest.mark.parametrize("username", ROLES)
def test_it_opens_every_link_of_each_roles_menu(client, cast, username):
    user = cast.users[username]
    client.force_login(user)
    items = menu_for(user)
    assert items, username
    for item in items:
        response = client.get(item.url)
        assert response.status_code == 200, (username, item.url, response.status_code)


@pytest.mark.parametrize("username", ROLES)
def test_it_draws_the_menu_of_the_one_rule_in_the_header(client, cast, username):
    user = cast.users[username]
    client.force_login(user)
    page = client.get("/accounts/manage/password/").content.decode()
    nav = NAV.search(page)
    assert nav is not None
    links = re.findall(r'href="([^"]+)"', nav.group(1))
    assert links == [item.url for item in menu_for(user)]


def test_it_shows_the_system_administrator_no_page_of_records(cast):
    urls = {item.url for item in menu_for(cast.users["admin"])}
    assert "/accounts/manage/" in urls
    assert not urls & {"/candidates/", "/notices/", "/meetings/", "/members/", "/reviews/"}


def test_it_gives_the_auditor_the_log_and_no_writing_page(cast):
    urls = {item.url for item in menu_for(cast.users["shenji"])}
    assert {"/audit/log/", "/accounts/manage/access-log/"} <= urls
    assert not urls & {"/candidates/batch/", "/imports/", "/accounts/manage/"}


def test_it_draws_the_system_administrators_home_from_the_menu(client, cast):
    client.force_login(cast.users["admin"])
    page = client.get("/").content.decode()
    assert 'href="/accounts/manage/"' in page
    assert 'href="/candidates/"' not in page
