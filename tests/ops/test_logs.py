"""The logs never hold a line about the voting page nor a client address of the public pages."""

from __future__ import annotations

import io
import logging
import logging.config
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from fazhan.ops import serve_granian
from fazhan.ops.logs import AccessLogger, PrivacyFilter


def server_record(line: str) -> logging.LogRecord:
    """A record as runserver's request handler logs it (the socket as `request`)."""
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s', (line, "200", "512"), None
    )
    record.request = SimpleNamespace(getpeername=lambda: ("10.1.2.3", 5555))
    return record


def test_it_drops_runserver_lines_about_the_voting_page() -> None:
    keep = PrivacyFilter().filter
    assert keep(server_record("POST /meetings/vote/ HTTP/1.1")) is False
    assert keep(server_record("GET /meetings/items/12/progress/ HTTP/1.1")) is False
    assert keep(server_record("GET /meetings/12/ HTTP/1.1")) is True


def test_it_strips_the_peer_from_runserver_lines_about_public_pages() -> None:
    record = server_record("GET /gongshi/abc/ HTTP/1.1")
    assert PrivacyFilter().filter(record) is True
    assert record.request is None


class Spy(logging.Handler):
    """After the console handler: sees each record as the console handler left it."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_it_filters_what_django_logs_about_requests(client, cast, monkeypatch) -> None:
    django_logger = logging.getLogger("django")
    console = next(
        h for h in django_logger.handlers if any(isinstance(f, PrivacyFilter) for f in h.filters)
    )
    out = io.StringIO()
    spy = Spy()
    monkeypatch.setattr(console, "stream", out)
    monkeypatch.setattr(django_logger, "handlers", [console, spy])
    client.force_login(cast.zhibu)
    assert client.get("/gongshi/no-such-notice/", REMOTE_ADDR="10.9.8.7").status_code == 404
    assert client.get("/meetings/items/999999/progress/").status_code == 404
    lines = out.getvalue()
    assert "Not Found: /gongshi/no-such-notice/" in lines
    assert "progress" not in lines
    assert "progress" in " ".join(
        r.getMessage() for r in spy.records
    )  # it was logged, then dropped
    (public,) = [r for r in spy.records if "gongshi" in r.getMessage()]
    assert public.request is None  # no formatter can reach REMOTE_ADDR through it


def test_every_configured_handler_carries_the_filter(settings) -> None:
    config = settings.LOGGING
    assert config["filters"]["privacy"]["()"] == "fazhan.ops.logs.PrivacyFilter"
    assert all("privacy" in handler["filters"] for handler in config["handlers"].values())
    for name in ("django", "django.server"):
        assert config["loggers"][name]["propagate"] is False
        assert set(config["loggers"][name]["handlers"]) <= set(config["handlers"])


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def gunicorn_access(path: str) -> list[str]:
    config = Config()
    config.set("accesslog", "-")
    config.set(
        "access_log_format", '%(h)s %({x-real-ip}i)s %({x-forwarded-for}i)s "%(r)s" %(s)s %(L)s'
    )
    logger = AccessLogger(config)
    capture = Capture()
    logger.access_log.handlers = [capture]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.1.2.3",
    }
    request = SimpleNamespace(headers=[("X-REAL-IP", "10.4.5.6"), ("X-FORWARDED-FOR", "10.4.5.6")])
    response = SimpleNamespace(status="200 OK", sent=100, headers=[])
    logger.access(response, request, environ, timedelta(milliseconds=5))
    return capture.lines


def test_gunicorn_logs_no_voting_request_and_no_public_client_address() -> None:
    assert gunicorn_access("/meetings/vote/") == []
    assert gunicorn_access("/meetings/items/3/progress/") == []
    (public,) = gunicorn_access("/gongshi/abc/")
    assert "10." not in public and "/gongshi/abc/" in public
    (staff,) = gunicorn_access("/candidates/")
    assert "10.1.2.3" in staff and "10.4.5.6" in staff


def granian_access(path: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The access log lines granian writes with `fazhan serve`'s logging configuration."""
    from granian.log import log_request_builder

    logging.config.dictConfig(serve_granian.LOGGING)
    try:
        log_request = log_request_builder(serve_granian.ACCESS_FORMAT)
        request = {
            "addr_remote": "10.1.2.3",
            "path": path,
            "qs": "",
            "method": "GET",
            "scheme": "http",
            "protocol": "HTTP/1.1",
        }
        capsys.readouterr()
        log_request(time.time(), time.perf_counter(), request, 200)
        return capsys.readouterr().out.splitlines()
    finally:
        for name in ("granian.access", "_granian"):
            logging.getLogger(name).handlers.clear()


def test_granian_logs_no_voting_request_and_no_public_client_address(capsys) -> None:
    assert granian_access("/meetings/vote/", capsys) == []
    assert granian_access("/meetings/items/3/progress/", capsys) == []
    (public,) = granian_access("/gongshi/abc/", capsys)
    assert "10." not in public and '"GET /gongshi/abc/ HTTP/1.1" 200' in public
    (staff,) = granian_access("/candidates/", capsys)
    assert staff.startswith("10.1.2.3 - - [") and "/candidates/" in staff
