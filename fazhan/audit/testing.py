"""Test-suite support: let Django's flush empty the chain tables.

pytest-django's `transactional_db` (and Django's `TransactionTestCase`) empty every table after each
test through `flush`, which the append-only triggers refuse once a test has appended events (on
PostgreSQL, TRUNCATE of a non-empty chain table). `flushes_bypass_chain()` wraps the one method
that runs flush statements so that they, and only they, run under `chain_bypass`; the tests
themselves still run with the triggers armed. Use it from a conftest:

    @pytest.fixture(autouse=True, scope="session")
    def _flush_bypasses_chain():
        with flushes_bypass_chain():
            yield
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db.backends.base.operations import BaseDatabaseOperations

from fazhan.audit.bypass import chain_bypass


@contextmanager
def flushes_bypass_chain() -> Iterator[None]:
    """While active, `execute_sql_flush` on any connection runs under `chain_bypass`."""
    original = BaseDatabaseOperations.execute_sql_flush
    if getattr(original, "_fazhan_bypass", False):
        # Already installed by an outer conftest: nesting would restore the wrong method.
        yield
        return

    def execute_sql_flush(self: BaseDatabaseOperations, sql_list: Iterable[str]) -> None:
        with chain_bypass(self.connection):
            original(self, sql_list)

    execute_sql_flush._fazhan_bypass = True  # type: ignore[attr-defined]
    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseDatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]
