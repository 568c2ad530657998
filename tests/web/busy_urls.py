"""Views that meet a busy database, for tests/web/test_busy.py (not part of the application)."""

from __future__ import annotations

from typing import Any

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path
from psycopg import errors as pg

# Set by the test: a Django connection to a file SQLite database whose write lock is held.
LOCKED: list[Any] = []


def write_locked(request: HttpRequest) -> HttpResponse:
    [connection] = LOCKED
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    return HttpResponse("written")


def lock_timeout(request: HttpRequest) -> HttpResponse:
    message = "canceling statement due to lock timeout"
    raise OperationalError(message) from pg.QueryCanceled(message)


def lock_not_available(request: HttpRequest) -> HttpResponse:
    message = 'could not obtain lock on row in relation "audit_chainhead"'
    raise OperationalError(message) from pg.LockNotAvailable(message)


def broken(request: HttpRequest) -> HttpResponse:
    raise OperationalError("no such table: t")


urlpatterns = [
    path("write/", write_locked),
    path("lock-timeout/", lock_timeout),
    path("lock-not-available/", lock_not_available),
    path("broken/", broken),
]
handler500 = "fazhan.web.busy.server_error"
