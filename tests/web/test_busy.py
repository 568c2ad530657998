"""A writer who meets a busy database gets HTTP 503 with Retry-After and a Chinese page saying
to retry, never HTTP 500 (fazhan.web.busy, Step 8 item 7)."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import OperationalError, connections
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test import RequestFactory

from fazhan.web.busy import server_error
from tests.web import busy_urls

pytestmark = [pytest.mark.urls("tests.web.busy_urls"), pytest.mark.django_db]


def assert_busy(response) -> None:
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    body = response.content.decode()
    assert "系统繁忙" in body and "重试" in body


@pytest.fixture
def held_lock(tmp_path):
    """A file SQLite database whose write lock another connection holds, and a Django
    connection to it that waits only briefly (the real error, through Django's backend)."""
    path = tmp_path / "busy.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO t VALUES (0)")
    settings = dict(connections["default"].settings_dict)
    settings |= {"NAME": str(path), "OPTIONS": {"timeout": 0.05}}
    waiting = DatabaseWrapper(settings, alias="busy")
    busy_urls.LOCKED[:] = [waiting]
    yield holder
    busy_urls.LOCKED.clear()
    waiting.close()
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


def test_it_answers_a_locked_sqlite_database_with_503(client, held_lock):
    response = client.post("/write/")
    assert_busy(response)
    assert "返回上一页" in response.content.decode()
    held_lock.execute("COMMIT")
    assert client.post("/write/").content == b"written"


@pytest.mark.parametrize("url", ["/lock-timeout/", "/lock-not-available/"])
def test_it_answers_postgresql_lock_timeouts_with_503(client, url):
    response = client.get(url)
    assert_busy(response)
    assert "重新打开本页" in response.content.decode()


def test_it_leaves_other_database_errors_alone(client):
    with pytest.raises(OperationalError):
        client.get("/broken/")


def test_it_answers_busy_errors_raised_outside_views_too():
    request = RequestFactory().post("/anything/")
    try:
        raise OperationalError("database is locked")
    except OperationalError:
        assert_busy(server_error(request))
    try:
        raise OperationalError("disk I/O error")
    except OperationalError:
        assert server_error(request).status_code == 500
