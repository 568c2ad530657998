"""The notice page answered before Django's middleware (fazhan.public.fastpage): the same bytes and
headers as Django's answer but for the per-request tokens, only for a second after Django's own
answer to the same kind of request, and Django for everything else."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from fazhan.notices.models import Notice, NoticeStatus
from fazhan.public import fastpage, pagecache, ratelimit
from fazhan.public.models import RateCounter
from tests.public.test_public import at, notice  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{64})"')
SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF"


class Counting:
    """Django's WSGI application, counting the requests that reach it."""

    def __init__(self) -> None:
        self.django = WSGIHandler()
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.calls += 1
        return self.django(environ, start_response)


class Answer:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def text(self) -> str:
        return self.body.decode()


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Nothing kept, a clock the test moves, and no connection closed under the test's
    transaction (as Django's test client does)."""
    caches[pagecache.CACHE_ALIAS].clear()
    fastpage.forget_all()
    now = [1000.0]
    monkeypatch.setattr(fastpage, "clock", lambda: now[0])
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield now
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        fastpage.forget_all()


@pytest.fixture
def clock(_fresh: list[float]) -> list[float]:
    return _fresh


def call(app: Any, path: str, method: str = "GET", **extra: Any) -> Answer:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
    }
    environ.update(extra)
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        seen["status"], seen["headers"] = status, headers

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return Answer(seen["status"], seen["headers"], body)


def without_tokens(answer: Answer) -> bytes:
    return CSRF.sub(r'\1-"', answer.text()).encode()


def page_of(running: Notice) -> str:
    return f"/gongshi/{running.token}/"


def test_it_answers_the_next_request_itself_as_django_would(notice):  # noqa: F811
    django, fast = Counting(), Counting()
    app = fastpage.FastNoticePages(fast)
    cookie = {"HTTP_COOKIE": f"csrftoken={SECRET}"}
    with at("2026-03-03"):
        with override_settings(PUBLIC_FAST_SECONDS=0):
            plain = call(fastpage.FastNoticePages(django), page_of(notice), **cookie)
        call(app, page_of(notice), **cookie)  # Django's, kept for a second
        with CaptureQueriesContext(connection) as queries:
            quick = call(app, page_of(notice), **cookie)
    assert (django.calls, fast.calls, len(queries.captured_queries)) == (1, 1, 0)
    assert quick.status == plain.status == "200 OK"
    # Every header the same, in the same order (the cookie too: same secret, same second).
    assert quick.headers == plain.headers
    assert without_tokens(quick) == without_tokens(plain)
    tokens = {m.group(2) for m in CSRF.finditer(quick.text())}
    assert tokens and tokens.isdisjoint(m.group(2) for m in CSRF.finditer(plain.text()))
    assert all(_unmask_cipher_token(token) == SECRET for token in tokens)
    assert "林一" in quick.text() and pagecache.CSRF_PLACEHOLDER not in quick.text()
    assert pagecache.FORM_PLACEHOLDER not in quick.text()


def test_it_gives_a_new_visitor_a_new_cookie_that_matches_the_page(notice):  # noqa: F811
    app = fastpage.FastNoticePages(Counting())
    with at("2026-03-03"):
        call(app, page_of(notice))
        first, second = call(app, page_of(notice)), call(app, page_of(notice))
    secrets = []
    for answer in (first, second):
        cookie = answer.header("Set-Cookie") or ""
        found = re.match(
            r" csrftoken=([A-Za-z0-9]{32}); expires=[^;]+; Max-Age=\d+; Path=/;", cookie
        )
        assert found is not None, cookie
        secrets.append(found.group(1))
        assert {_unmask_cipher_token(m.group(2)) for m in CSRF.finditer(answer.text())} == {
            found.group(1)
        }
    assert secrets[0] != secrets[1]


@override_settings(
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_HSTS_SECONDS=31_536_000,
    CSRF_COOKIE_SECURE=True,
    CSRF_COOKIE_HTTPONLY=True,
    CSRF_COOKIE_DOMAIN="testserver",
)
def test_it_sends_the_security_headers_and_cookie_django_sends_behind_https(notice):  # noqa: F811
    from django.conf import settings

    with override_settings(MIDDLEWARE=["csp.middleware.CSPMiddleware", *settings.MIDDLEWARE]):
        django, fast = Counting(), Counting()
    app = fastpage.FastNoticePages(fast)
    https = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_COOKIE": f"csrftoken={SECRET}"}
    with at("2026-03-03"):
        with override_settings(PUBLIC_FAST_SECONDS=0):
            plain = call(fastpage.FastNoticePages(django), page_of(notice), **https)
        call(app, page_of(notice), **https)
        quick = call(app, page_of(notice), **https)
        call(app, page_of(notice), HTTP_COOKIE=f"csrftoken={SECRET}")  # plain http: Django's
    assert fast.calls == 2
    assert quick.headers == plain.headers
    for name in ("Content-Security-Policy", "Strict-Transport-Security", "X-Frame-Options"):
        assert quick.header(name), name
    assert "Secure" in (quick.header("Set-Cookie") or "")
    assert "HttpOnly" in (quick.header("Set-Cookie") or "")


@pytest.mark.parametrize(
    "request_extra",
    [
        {"REQUEST_METHOD": "HEAD"},
        {"REQUEST_METHOD": "POST"},
        {"QUERY_STRING": "from=elsewhere"},
        {"HTTP_COOKIE": "sessionid=abc"},  # a signed-in user: Django's session rules
        {"HTTP_COOKIE": f"csrftoken={SECRET}; other=1"},
        {"HTTP_COOKIE": "csrftoken=short"},  # Django replaces a bad cookie
        {"HTTP_COOKIE": "django_language=xx"},  # not a language of the site
        {"HTTP_ACCEPT_LANGUAGE": "en"},  # another language: Django first
        {"HTTP_HOST": "elsewhere.example"},  # a host Django has not accepted
        {"PATH_INFO": "/gongshi/"},
    ],
)
def test_it_leaves_to_django_what_it_does_not_know(notice, request_extra):  # noqa: F811
    inner = Counting()
    app = fastpage.FastNoticePages(inner)
    with at("2026-03-03"):
        call(app, page_of(notice))
        call(app, page_of(notice))
        assert inner.calls == 1
        call(app, page_of(notice), **request_extra)
    assert inner.calls == 2


def test_it_asks_django_again_after_a_second_so_a_closed_notice_is_gone(notice, clock):  # noqa: F811
    inner = Counting()
    app = fastpage.FastNoticePages(inner)
    with at("2026-03-03"):
        call(app, page_of(notice))
        Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.CANCELLED)
        clock[0] += 0.9
        stale = call(app, page_of(notice), HTTP_COOKIE=f"csrftoken={SECRET}")  # a second late
        # Its form is refused: the POST always goes through Django, which reads the notice.
        form = re.search(r'name="form_token" value="([^"]+)"', stale.text())
        csrf = CSRF.search(stale.text())
        assert form is not None and csrf is not None
        sent = urlencode({"csrfmiddlewaretoken": csrf.group(2), "form_token": form.group(1)})
        feedback = call(
            app,
            f"/gongshi/{notice.token}/feedback/",
            method="POST",
            HTTP_COOKIE=f"csrftoken={SECRET}",
            CONTENT_TYPE="application/x-www-form-urlencoded",
            CONTENT_LENGTH=str(len(sent)),
            **{"wsgi.input": io.BytesIO(sent.encode())},
        )
        clock[0] += 0.2
        gone = call(app, page_of(notice))
        again = call(app, page_of(notice))
    assert stale.status == "200 OK" and feedback.status.startswith("404")
    assert gone.status.startswith("404") and again.status.startswith("404")
    assert "林一" not in gone.text() + again.text()
    assert inner.calls == 4


def test_it_keeps_nothing_of_a_flooded_notice(notice):  # noqa: F811
    inner = Counting()
    app = fastpage.FastNoticePages(inner)
    limit = ratelimit.NOTICE_DAY
    with at("2026-03-03"):
        RateCounter.objects.create(
            scope=limit.scope,
            key=f"{ratelimit.NOTICE_KEY_PREFIX}{notice.pk}",
            window=ratelimit.current_window(limit),
            hits=limit.count,
        )
        pages = [call(app, page_of(notice)).text() for _ in range(2)]
    assert inner.calls == 2
    assert all("请先计算" in page for page in pages)


def test_it_keeps_one_answer_per_language(notice):  # noqa: F811
    inner = Counting()
    app = fastpage.FastNoticePages(inner)
    english = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}
    chosen = {"HTTP_COOKIE": "django_language=en"}
    with at("2026-03-03"):
        answers = [
            call(app, page_of(notice)),
            call(app, page_of(notice), **english),
            call(app, page_of(notice), **english),
            call(app, page_of(notice), **chosen),
            call(app, page_of(notice)),
        ]
    assert inner.calls == 2
    assert [a.header("Content-Language") for a in answers] == [
        "zh-hans",
        "en",
        "en",
        "en",
        "zh-hans",
    ]
    assert 'lang="en"' in answers[3].text() and 'lang="zh-hans"' in answers[4].text()


@override_settings(PUBLIC_FAST_SECONDS=0)
def test_it_can_be_turned_off(notice):  # noqa: F811
    inner = Counting()
    app = fastpage.FastNoticePages(inner)
    with at("2026-03-03"):
        for _ in range(3):
            call(app, page_of(notice))
    assert inner.calls == 3
