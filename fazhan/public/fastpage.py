"""The public notice page served before Django's middleware, for at most a second per worker.

Under load (issue 11: the public notice page at 50 clients on two cores) the kept page
(fazhan.public.pagecache) left Django's request cycle as the main cost: the request object, the
twelve middleware, the URL resolver and the one query. `FastNoticePages` wraps the WSGI
application (fazhan/wsgi.py) and answers `GET /gongshi/<token>/` itself when this worker has,
from the last second, a Django answer to the same kind of request:

- Django answers first. When the notice view serves a kept page (open, not flooded, no query
  string) it leaves the page in the request's environ (`mark_kept`); the wrapper keeps it with
  the status line and every header Django's middleware added (security headers, CSP, Vary,
  Content-Language...), for `settings.PUBLIC_FAST_SECONDS` (default 1; 0 turns this off).
- For that second, a request of the same kind gets those headers and the page, filled with its own
  tokens as Django would fill them: the CSRF token masked from the visitor's cookie (a new one,
  set with the same cookie attributes, when there is none) and the notice's signed form token.
- "The same kind" is: GET, no query string, the same notice, language (cookie or
  Accept-Language, resolved by Django's own function), host, scheme and proxy headers, and no
  cookie but the CSRF and language cookies (a signed-in user's session goes through Django).
  Anything else, and everything after the second, goes through Django, which checks the notice
  again (open, flooded, chain head).

A notice cancelled, ended or flooded is therefore seen at most a second late on this page, and
never by the feedback form, whose POST always goes through Django and re-checks the notice.
Nothing about the visitor is kept, and nothing here logs.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.cookie import parse_cookie
from django.utils.http import http_date
from django.utils.translation import get_language, get_language_from_request

from fazhan.notices.disclosure import leaks
from fazhan.public import pagecache

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

NOTICE_PATH = re.compile(r"^/gongshi/([A-Za-z0-9_-]{1,32})/\Z")
KEPT = "fazhan.public.kept_page"
# What may change Django's answer to a GET of the notice page besides the notice, the language
# and the cookies: the address the request was made to (hosts, scheme, proxy headers).
PROFILE = (
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
    "wsgi.url_scheme",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
)
MAX_PAGES = 1000
clock = time.monotonic  # a test moves it


@dataclass(frozen=True, slots=True)
class FastPage:
    until: float
    page: str
    status: str
    headers: tuple[tuple[str, str], ...]  # Django's, but the CSRF cookie and Content-Length
    length_at: int  # where Django put Content-Length among them


_pages: dict[tuple[str | None, ...], FastPage] = {}


def mark_kept(request: HttpRequest, token: str, page: str) -> None:
    """Called by the notice view when it serves the kept `page` of `token` (placeholders in)."""
    request.META[KEPT] = (token, get_language(), page)


def forget_all() -> None:
    _pages.clear()


class _Visitor:
    """What Django's get_language_from_request reads of a request."""

    __slots__ = ("COOKIES", "META")

    def __init__(self, cookies: dict[str, str], environ: dict[str, Any]) -> None:
        self.COOKIES, self.META = cookies, environ


def _seconds() -> float:
    if getattr(settings, "CSRF_USE_SESSIONS", False) or getattr(
        settings, "DISALLOWED_USER_AGENTS", ()
    ):
        return 0.0
    return float(getattr(settings, "PUBLIC_FAST_SECONDS", 1))


def _request_key(environ: dict[str, Any], token: str) -> tuple[tuple[str | None, ...], str] | None:
    """(the kind of request, its CSRF cookie or "") for a notice page request this module may
    answer; None when it must go through Django."""
    raw = environ.get("HTTP_COOKIE", "")
    cookies = parse_cookie(raw) if raw else {}
    csrf_name, language_name = settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME
    if any(name not in (csrf_name, language_name) for name in cookies):
        return None
    chosen = cookies.get(language_name)
    if chosen is not None and chosen not in dict(settings.LANGUAGES):
        return None
    secret = cookies.get(csrf_name, "")
    if secret and not pagecache.valid_secret(secret):
        return None
    language = get_language_from_request(_Visitor(cookies, environ))  # type: ignore[arg-type]
    return (token, language, *(environ.get(name) for name in PROFILE)), secret


def csrf_cookie(secret: str) -> str:
    """The Set-Cookie value Django's CsrfViewMiddleware sends for `secret` (set_cookie with the
    CSRF_COOKIE_* settings, as its WSGI handler writes it)."""
    name = settings.CSRF_COOKIE_NAME
    cookie: SimpleCookie = SimpleCookie()
    cookie[name] = secret
    morsel = cookie[name]
    age = settings.CSRF_COOKIE_AGE
    if age is not None:
        morsel["expires"] = http_date(time.time() + age)
        morsel["max-age"] = int(age)
    if settings.CSRF_COOKIE_PATH is not None:
        morsel["path"] = settings.CSRF_COOKIE_PATH
    if settings.CSRF_COOKIE_DOMAIN is not None:
        morsel["domain"] = settings.CSRF_COOKIE_DOMAIN
    if settings.CSRF_COOKIE_SECURE:
        morsel["secure"] = True
    if settings.CSRF_COOKIE_HTTPONLY:
        morsel["httponly"] = True
    if settings.CSRF_COOKIE_SAMESITE:
        morsel["samesite"] = settings.CSRF_COOKIE_SAMESITE
    return morsel.output(header="")


def _answer(
    kept: FastPage, token: str, secret: str, start_response: StartResponse
) -> list[bytes] | None:
    secret = secret or pagecache.new_secret()
    csrf, form = pagecache.masked(secret), pagecache.shared_form_token(token)
    if leaks(csrf) or leaks(form):  # as pagecache.filled: Django renders it afresh
        return None
    body = (
        kept.page.replace(pagecache.CSRF_PLACEHOLDER, csrf)
        .replace(pagecache.FORM_PLACEHOLDER, form)
        .encode()
    )
    headers = list(kept.headers)
    headers.insert(kept.length_at, ("Content-Length", str(len(body))))
    headers.append(("Set-Cookie", csrf_cookie(secret)))
    start_response(kept.status, headers)
    return [body]


def _keep(
    environ: dict[str, Any], key: tuple[str | None, ...], status: str, headers: list[Any]
) -> None:
    """Keep Django's answer for a second if it served the kept page to this kind of request."""
    kept = environ.get(KEPT)
    if not (isinstance(kept, tuple) and kept[:2] == key[:2] and status.startswith("200 ")):
        return
    csrf_cookie_prefix = f" {settings.CSRF_COOKIE_NAME}="
    cookies = [value for name, value in headers if name.lower() == "set-cookie"]
    if len(cookies) != 1 or not cookies[0].startswith(csrf_cookie_prefix):
        return  # anything but the CSRF cookie (a session...) is Django's business
    rest = [(name, value) for name, value in headers if name.lower() != "set-cookie"]
    lengths = [i for i, (name, _value) in enumerate(rest) if name.lower() == "content-length"]
    if len(lengths) != 1:
        return
    length_at = lengths[0]
    del rest[length_at]
    if len(_pages) >= MAX_PAGES:
        _pages.clear()
    _pages[key] = FastPage(clock() + _seconds(), kept[2], status, tuple(rest), length_at)


class FastNoticePages:
    """WSGI middleware: the notice page from the last second's Django answer, else Django."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING"):
            return self.app(environ, start_response)
        match = NOTICE_PATH.match(environ.get("PATH_INFO", ""))
        if match is None or _seconds() <= 0:
            return self.app(environ, start_response)
        found = _request_key(environ, match[1])
        if found is None:
            return self.app(environ, start_response)
        key, secret = found
        kept = _pages.get(key)
        if kept is not None and clock() < kept.until:
            answer = _answer(kept, match[1], secret, start_response)
            if answer is not None:
                return answer
        return self._through_django(environ, start_response, key)

    def _through_django(
        self, environ: dict[str, Any], start_response: StartResponse, key: tuple[str | None, ...]
    ) -> Iterable[bytes]:
        def capture(status: str, headers: list[Any], *exc_info: Any) -> Any:
            _keep(environ, key, status, headers)
            return start_response(status, headers, *exc_info)

        return self.app(environ, capture)
