"""/healthz, the session limits, the CSP and the template rule it relies on (no inline script)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import DatabaseError
from django.utils import timezone

from fazhan.audit.chain import read_head
from tests.audit.helpers import build_chain

FAZHAN = Path(__file__).resolve().parents[2] / "fazhan"


@pytest.mark.django_db
def test_healthz_answers_without_login_and_without_personal_data(client) -> None:
    build_chain(3)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": True, "seq": read_head().seq}
    assert "Set-Cookie" not in response.headers
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_says_when_the_database_does_not_answer(client, monkeypatch) -> None:
    def broken(*args: object) -> None:
        raise DatabaseError("down")

    monkeypatch.setattr("fazhan.ops.views.read_head", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"ok": False, "database": False}


@pytest.fixture
def limits(settings):
    settings.SESSION_IDLE_SECONDS = 30 * 60
    settings.SESSION_ABSOLUTE_SECONDS = 12 * 3600


def test_it_signs_out_a_session_idle_for_longer_than_the_limit(client, cast, limits) -> None:
    start = timezone.now()
    client.force_login(cast.zhibu)
    with time_machine.travel(start, tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_signs_out_an_active_session_after_the_absolute_lifetime(client, cast, limits) -> None:
    start = timezone.now()
    client.force_login(cast.zhibu)
    for minutes in range(0, 12 * 60, 20):  # a page every 20 minutes: never idle
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert client.get("/").status_code == 302


def test_it_leaves_the_session_alone_on_the_voting_page(client, cast, limits) -> None:
    client.force_login(cast.zhibu)
    response = client.get("/meetings/vote/")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers and not response.cookies


def test_it_sends_a_content_security_policy_without_inline_script(client, cast, settings) -> None:
    settings.MIDDLEWARE = ["csp.middleware.CSPMiddleware", *settings.MIDDLEWARE]
    client.force_login(cast.qu)
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_no_template_carries_inline_script_or_event_handlers() -> None:
    """The CSP forbids inline script: a handler in a template would silently stop working."""
    offenders = []
    for template in FAZHAN.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text) or HANDLER.search(text) or "javascript:" in text:
            offenders.append(str(template.relative_to(FAZHAN)))
    assert offenders == []
