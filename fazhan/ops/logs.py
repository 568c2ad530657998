"""What the logs never hold: any line about the voting page (its time would date a ballot, and the
count page's size would tell how many were in) and a client's address on the public pages.

`PrivacyFilter` is attached to the console handler in settings.LOGGING (Django's request and
runserver loggers); `AccessLogger` is gunicorn's logger class under `fazhan serve` and applies the
same rules to its access log.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from gunicorn.glogging import Logger

# The casting page and the live "N of M" count of a vote in progress (fazhan/meetings/urls.py).
VOTING = re.compile(r"^/meetings/(?:vote/|items/\d+/progress/)")
PUBLIC = "/gongshi/"
REDACTED = "-"
# gunicorn's atoms that carry the client's address: the peer, and the proxy's headers as request
# headers ({...}i) and as environ entries ({...}e).
_HEADERS = ("x-real-ip", "x-forwarded-for", "forwarded")
ADDRESS_ATOMS = frozenset(
    {"h", "{remote_addr}e", "addr"}  # "addr": granian's access log (fazhan/ops/serve_granian.py)
    | {f"{{{name}}}i" for name in _HEADERS}
    | {f"{{http_{name.replace('-', '_')}}}e" for name in _HEADERS}
)


def is_voting(path: str) -> bool:
    return bool(VOTING.match(path))


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC)


def _path_of(record: logging.LogRecord) -> str | None:
    """The request path a record is about, if any: django.request carries the HttpRequest,
    django.server the request line as its first argument, gunicorn's and granian's access logs a
    dict."""
    request = getattr(record, "request", None)
    path = getattr(request, "path", None)
    if isinstance(path, str):
        return path
    args = record.args
    if isinstance(args, Mapping):
        value = args.get("U") or args.get("path") or str(args.get("r", "")).partition(" ")[2]
        return str(value) if value else None
    if isinstance(args, tuple) and args and isinstance(args[0], str):
        parts = args[0].split(" ")
        if len(parts) >= 2 and parts[1].startswith("/"):
            return parts[1].split("?")[0]
    return None


def _scrub(atoms: Mapping[str, Any]) -> dict[str, Any]:
    return {key: REDACTED if key in ADDRESS_ATOMS else value for key, value in atoms.items()}


class PrivacyFilter(logging.Filter):
    """Drop records about the voting page; strip the client address from the public pages'."""

    def filter(self, record: logging.LogRecord) -> bool:
        path = _path_of(record)
        if path is None:
            return True
        if is_voting(path):
            return False
        if is_public(path):
            if hasattr(record, "request"):
                # The HttpRequest (or runserver's socket) knows the peer: no formatter gets it.
                record.request = None
            if isinstance(record.args, Mapping):
                record.args = _scrub(record.args)
        return True


class AccessLogger(Logger):  # type: ignore[misc]  # gunicorn is untyped
    """gunicorn's logger with the same rules on the access log (gunicorn_conf.py)."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if is_voting(str(environ.get("PATH_INFO", ""))):
            return
        super().access(resp, req, environ, request_time)

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        if is_public(str(environ.get("PATH_INFO", ""))):
            return _scrub(atoms)
        return atoms
