"""`fazhan serve` replaces itself with granian (or gunicorn on request), after its checks."""

from __future__ import annotations

import os
import sys

import pytest
from django.core.management import CommandError, call_command

from fazhan.ops import serve_granian
from fazhan.ops.middleware import SERVE_ENV

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(monkeypatch) -> list[list[str]]:
    """The command lines the serve command would have become."""
    argvs: list[list[str]] = []
    monkeypatch.setattr("os.execv", lambda _path, argv: argvs.append(list(argv)))
    # Restored after the test (the command sets them for the server it becomes).
    monkeypatch.setenv(SERVE_ENV, "0")
    # The browser tests' conftest allows async-unsafe calls for the whole run; a server never does.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    monkeypatch.setenv("FAZHAN_CONN_MAX_AGE", "0")
    return argvs


def test_it_becomes_granian_with_a_worker_a_core(started) -> None:
    call_command("serve", "--no-collectstatic", "--port", "8123")
    assert started == [
        [
            sys.executable,
            "-m",
            "fazhan.ops.serve_granian",
            "--threads",
            str(serve_granian.THREADS),
            "--host",
            "127.0.0.1",
            "--port",
            "8123",
            "--workers",
            str(os.cpu_count() or 1),
        ]
    ]
    assert os.environ[SERVE_ENV] == "1"


def test_it_becomes_gunicorn_on_request(started) -> None:
    call_command("serve", "--no-collectstatic", "--server", "gunicorn", "--workers", "3")
    (argv,) = started
    assert argv[1:5] == ["-m", "gunicorn", "--config", "python:fazhan.ops.gunicorn_conf"]
    assert argv[argv.index("--workers") + 1] == "3" and "--threads" in argv


@pytest.mark.parametrize("bad", [["--workers", "0"], ["--threads", "0"]])
def test_it_refuses_no_worker_or_no_thread(started, bad) -> None:
    with pytest.raises(CommandError, match="至少为 1"):
        call_command("serve", "--no-collectstatic", *bad)
    assert started == []


def test_granian_is_configured_for_wsgi_over_http1_with_the_privacy_filter() -> None:
    server = serve_granian.server("127.0.0.1", 8124, workers=2)
    assert (server.interface, server.http, server.workers, server.blocking_threads) == (
        "wsgi",
        "1",
        2,
        serve_granian.THREADS,
    )
    assert server.target == "fazhan.wsgi:application" and server.log_access
    assert serve_granian.LOGGING["handlers"]["access"]["filters"] == ["privacy"]
