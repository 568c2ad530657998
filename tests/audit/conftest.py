from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections

from fazhan.settings import database_from_url
from tests.audit.helpers import sqlite_file_path


@pytest.fixture
def sqlite_file_alias(tmp_path: Path, django_db_blocker: Any) -> Iterator[str]:
    """A migrated SQLite file database with the project's settings (WAL, IMMEDIATE, timeout).

    Outside pytest-django's test database (which stays untouched): only the blocker is lifted.
    """
    alias = "audit_file"
    spec = database_from_url(f"sqlite:///{sqlite_file_path(tmp_path)}")
    connections.settings[alias] = connections.configure_settings({DEFAULT_DB_ALIAS: spec})[
        DEFAULT_DB_ALIAS
    ]
    try:
        with django_db_blocker.unblock():
            call_command("migrate", "audit", database=alias, verbosity=0)
            yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]
