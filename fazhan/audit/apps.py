from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from fazhan.audit.bypass import register_sqlite_function


def _register_no_bypass(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    # The SQLite triggers call fazhan_chain_bypass(); every connection gets the production answer
    # (0: refuse). Only fazhan.audit.bypass, in tests, re-registers it on one connection.
    if connection.vendor == "sqlite":
        register_sqlite_function(connection)


class AuditConfig(AppConfig):
    name = "fazhan.audit"
    label = "audit"
    verbose_name = "审计链"

    def ready(self) -> None:
        connection_created.connect(_register_no_bypass, dispatch_uid="fazhan.audit.no_bypass")
