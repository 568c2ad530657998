"""Role × URL × own/other organization: no unexpected access anywhere.

Every URL pattern of the project is discovered from the resolver, so a new page is in the matrix
the day it is added. Pages without parameters are opened by every role; pages about one candidate
are opened on a candidate of the user's own subtree and on one outside it.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# The public notices, sign-in, language switch, and the in-room ballot page (voters cast with a
# one-time code from a card, deliberately without an account: DESIGN principle 7), and /healthz
# (database up and the chain's length: no personal data).
PUBLIC_PREFIXES = ("gongshi/", "accounts/login/", "i18n/", "meetings/vote/", "healthz")
# Pages that change something on GET are not allowed to exist: GET must be safe everywhere.
SKIP = {"accounts/logout/"}


def patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += patterns(entry, route)
        elif isinstance(entry, URLPattern):
            found.append(route)
    return found


def plain_routes() -> list[str]:
    return sorted(r for r in patterns() if "<" not in r and "(?" not in r and r not in SKIP)


def candidate_routes() -> list[str]:
    return sorted(
        r
        for r in patterns()
        if re.fullmatch(r"(imports/|reviews/)?candidates/<int:pk>[^<]*(<str:step>/)?", r)
    )


def test_it_finds_the_routes_it_checks():
    assert "candidates/" in plain_routes()
    assert "candidates/<int:pk>/" in candidate_routes()


@pytest.mark.parametrize(
    "username", ["qu", "dangwei", "zhibu", "zhibu2", "shenji", "admin", "outsider", None]
)
def test_it_never_fails_and_never_leaks_on_any_plain_page(client, cast, username):
    if username:
        client.force_login(cast.users[username])
    names = [c.person.name for c in cast.candidates.values()]
    for route in plain_routes():
        response = client.get("/" + route)
        assert response.status_code < 500, (username, route)
        public = route.startswith(PUBLIC_PREFIXES)
        if username is None and not public:
            assert response.status_code in (302, 404), route
        if username in (None, "admin", "outsider") and response.status_code == 200:
            body = response.content.decode(errors="replace")
            leaked = [n for n in names if n in body]
            assert not leaked, (username, route, leaked)


EXPECTED = {
    "qu": {"cand_a": True, "cand_b": True},
    "dangwei": {"cand_a": True, "cand_b": False},
    "zhibu": {"cand_a": True, "cand_b": False},
    "zhibu2": {"cand_a": False, "cand_b": True},
    "shenji": {"cand_a": True, "cand_b": True},
    "admin": {"cand_a": False, "cand_b": False},
    "outsider": {"cand_a": False, "cand_b": False},
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_it_opens_a_candidates_pages_only_inside_the_users_subtree(client, cast, username):
    client.force_login(cast.users[username])
    for route in candidate_routes():
        for name, allowed in EXPECTED[username].items():
            url = "/" + route.replace("<int:pk>", str(cast.candidates[name].pk)).replace(
                "<str:step>", "S01"
            )
            status = client.get(url).status_code
            if allowed:
                assert status in (200, 422), (username, url, status)
            else:
                assert status == 404, (username, url, status)
