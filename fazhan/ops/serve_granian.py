"""The server `fazhan serve` becomes: granian (HTTP in Rust) with WSGI workers.

`python -m fazhan.ops.serve_granian --host H --port N --workers N --threads N`, started by the
serve command (fazhan/ops/management/commands/serve.py) after its checks, in a process of its own:
this module never sets Django up itself; each worker imports `fazhan.wsgi:application`.

Why granian (issue 11, docs/notices.md "Benchmark"): with the notice page answered before Django's
middleware (fazhan/public/fastpage.py), gunicorn's own work in Python (parsing, two writes, its
thread pool) was most of a request's CPU; granian does that part in Rust, at about a third of the
CPU a request for the page and the static file alike.

Its access log goes through the same privacy rules as Django's logs (fazhan/ops/logs.py): no line
about the voting page, no client address on the public pages.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

APPLICATION = "fazhan.wsgi:application"
# Python threads a worker runs the application in: enough for a slow page not to hold the others
# up, few enough that they do not fight over the interpreter (16 cost half as much CPU again).
THREADS = 4
# gunicorn's combined format's fields as granian names them.
ACCESS_FORMAT = '%(addr)s - - [%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).1f'
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"privacy": {"()": "fazhan.ops.logs.PrivacyFilter"}},
    "formatters": {
        "generic": {"format": "[%(levelname)s] %(message)s"},
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "generic"},
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["privacy"],
            "stream": "ext://sys.stdout",
        },
    },
    "loggers": {
        "_granian": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}


def default_workers() -> int:
    """One worker a core: each has its own threads for HTTP (Rust) and THREADS for Python."""
    return max(os.cpu_count() or 1, 1)


def server(host: str, port: int, workers: int, threads: int = THREADS) -> Any:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces

    return Granian(
        APPLICATION,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        http=HTTPModes.http1,  # nginx in front speaks HTTP/1.1 to it
        websockets=False,
        workers=workers,
        blocking_threads=threads,
        log_dictconfig=LOGGING,
        log_access=True,
        log_access_format=ACCESS_FORMAT,
        respawn_failed_workers=True,
        workers_kill_timeout=30,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fazhan.ops.serve_granian")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--threads", type=int, default=THREADS)
    options = parser.parse_args(argv)
    server(options.host, options.port, options.workers, options.threads).serve()


if __name__ == "__main__":
    main()
