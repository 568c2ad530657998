"""The connection-scoped bypass of the append-only triggers, for the test runner only.

Tests must empty tables between tests (pytest-django's `transactional_db` flushes every table, and
the tamper tests edit rows on purpose); production code never calls this, and `chain_bypass` refuses
to run outside Django's test environment.

- SQLite: the triggers fire only `WHEN fazhan_chain_bypass() = 0`. The function is registered on
  every connection (returning 0) by `AuditConfig.ready`; the bypass re-registers it returning 1 on
  one connection. SQL alone cannot change it: only Python code holding the connection object can.
  A connection without the function (the `sqlite3` shell) fails every UPDATE or DELETE of the
  tables with "no such function": the triggers fail closed.
- PostgreSQL: the trigger functions check `current_setting('fazhan.chain_bypass', true) = 'on'`,
  which the bypass sets for this session. Any session of the owning role could set it too, so in
  production the application role is also denied UPDATE, DELETE and TRUNCATE (docs/chain.md).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.base.base import BaseDatabaseWrapper

SQLITE_FUNCTION = "fazhan_chain_bypass"
PG_SETTING = "fazhan.chain_bypass"


def _returns_0() -> int:
    return 0


def _returns_1() -> int:
    return 1


def register_sqlite_function(connection: BaseDatabaseWrapper, *, bypass: bool = False) -> None:
    """(Re-)register `fazhan_chain_bypass()` on an open SQLite connection."""
    # Not marked deterministic: SQLite could then fold the call into a constant when it compiles a
    # statement, and a cached statement would keep the old answer.
    connection.connection.create_function(SQLITE_FUNCTION, 0, _returns_1 if bypass else _returns_0)


def _in_test_environment() -> bool:
    # `setup_test_environment()` (called by pytest-django and Django's test runner) leaves this
    # mark; no production entry point calls it.
    utils = sys.modules.get("django.test.utils")
    return utils is not None and hasattr(utils._TestState, "saved_data")


def _set(connection: BaseDatabaseWrapper, on: bool) -> None:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        register_sqlite_function(connection, bypass=on)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [PG_SETTING, "on" if on else "off"])
    else:
        raise NotImplementedError(f"chain bypass: unsupported database {connection.vendor}")


@contextmanager
def chain_bypass(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Let UPDATE, DELETE and TRUNCATE of the chain tables through on this connection, for a while.

    For tests only: raises RuntimeError outside Django's test environment.
    """
    if not _in_test_environment():
        raise RuntimeError("chain_bypass is for the test runner only (测试专用)")
    _set(connection, True)
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        try:
            _set(connection, False)
        except Exception:
            # After a database error the transaction may refuse every statement; its rollback
            # undoes a setting made inside it. Do not hide the original error behind this one.
            if not failed:
                raise
