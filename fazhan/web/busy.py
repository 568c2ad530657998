"""A busy database is a page that says so (HTTP 503, Retry-After), never an HTTP 500.

SQLite serialises writers: while a long transaction (an import's confirmation) holds the write
lock, every other writer waits out the busy timeout (settings: 20 s) and then fails with
"database is locked". PostgreSQL's equivalents are a lock wait that passed `lock_timeout`
(LockNotAvailable, or QueryCanceled "due to lock timeout"), a deadlock or a serialization
failure. None of these is a fault: the transaction was rolled back whole, and the same request a
little later succeeds. So the writer is told the system is busy and to retry (Step 8 item 7).

`BusyDatabaseMiddleware` answers for exceptions raised by views; `server_error` (handler500)
for those raised around them (a session saved in a middleware).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

logger = logging.getLogger(__name__)
RETRY_AFTER = 10  # seconds: an import's confirmation holds the lock for a few seconds at most


def is_busy(error: BaseException | None) -> bool:
    """Whether `error` says the database was busy rather than broken."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    text = f"{error} {cause or ''}".lower()
    if "database is locked" in text or "database table is locked" in text:  # SQLite
        return True
    try:
        from psycopg import errors as pg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    if isinstance(cause, pg.LockNotAvailable | pg.DeadlockDetected | pg.SerializationFailure):
        return True
    return isinstance(cause, pg.QueryCanceled) and "lock timeout" in text


def busy_response(request: HttpRequest) -> HttpResponse:
    # No client address is logged (Step 8: public pages' logs keep none).
    logger.warning("database busy: %s %s answered 503", request.method, request.path)
    body = loader.render_to_string(
        "503.html",
        {"retry_after": RETRY_AFTER, "again": request.method in ("GET", "HEAD")},
        request,
    )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class BusyDatabaseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return busy_response(request) if is_busy(exception) else None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it while handling the exception, so it is still current."""
    if is_busy(sys.exc_info()[1]):
        return busy_response(request)
    return HttpResponseServerError(loader.render_to_string("500.html", request=request))
