"""Every page of the demo, found the way a person finds them: from each account's home page,
following the links of the back office (one page per route), and checked against the URL conf.

Shared by the phone test (tests/browser/test_every_page.py: 390 and 1366 px wide, no sideways
scrolling) and the words test (tests/pages/test_words.py: no internal words, in three languages).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

# The demo's accounts (contracts.md §6), one per role, each opening what its role may (zhibu2 is
# zhibu's role in another branch).
ACCOUNTS = ("zhibu", "dangwei", "qu", "shenji", "admin", "baomi")
# Files and actions, not pages: downloads, signing out, the language switch.
NOT_PAGES = re.compile(r"\.(pdf|xlsx|csv|json|png|svg)$|^/(static|i18n|accounts/logout)/|^/healthz")
HREF = re.compile(r'href="(/[^"#]*)"')
# Routes the demo cannot show by a link on a GET page: forms that only answer a POST, pages of a
# state the demo does not hold (an import batch, a second factor to set up), the one-time-code
# ballot page of a meeting room. Each is opened by its own tests.
UNLINKED = frozenset(
    {
        "accounts/manage/second-factor/setup/",
        "accounts/manage/second-factor/",
        "meetings/vote/",
    }
)


@dataclass(frozen=True)
class Page:
    username: str | None  # None: the public pages
    path: str
    route: str


def routes() -> set[str]:
    found: set[str] = set()

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, route)
            elif isinstance(entry, URLPattern):
                found.add(route)

    walk(get_resolver(), "")
    return found


def route_of(path: str) -> str | None:
    try:
        return str(resolve(urlsplit(path).path).route)
    except Resolver404:
        return None


def _links(body: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in HREF.findall(body) if not NOT_PAGES.search(h)]


def crawl(client, accounts=ACCOUNTS, public: tuple[str, ...] = ("/gongshi/",)) -> list[Page]:
    """One page per route and account (the same route shows each role something else)."""
    pages: list[Page] = []
    for username in (*accounts, None):
        seen: set[str] = set()
        from fazhan.accounts.models import User

        client.logout()
        if username is not None:
            client.force_login(User.objects.get(username=username))
        queue = deque(["/"] if username is not None else public)
        home = True
        while queue:
            path = queue.popleft()
            route = route_of(path)
            if route is None or route in seen:
                continue
            response = client.get(path, follow=home)
            if home and response.redirect_chain:  # baomi's home is the grants page
                path = response.redirect_chain[-1][0]
                route = route_of(path) or route
            home = False
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            seen.add(route)
            pages.append(Page(username, path, route))
            body = response.content.decode()
            for link in _links(body):
                if username is None and not link.startswith("/gongshi/"):
                    continue
                link_route = route_of(link)
                if link_route is not None and link_route not in seen:
                    queue.append(link)
    return pages


def missing_routes(pages: list[Page]) -> set[str]:
    """Page routes of the URL conf that no account reached (files and POST-only actions aside)."""
    reached = {p.route for p in pages}
    return {
        r
        for r in routes()
        if r not in reached and r not in UNLINKED and not NOT_PAGES.search("/" + r)
    }
