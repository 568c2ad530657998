"""Installing per-vendor trigger SQL from a migration (the chain's and the ballot box's).

Without their triggers these tables would be editable: a database other than SQLite or PostgreSQL
is refused rather than migrated without them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def vendor_sql(
    name: str,
    *,
    sqlite: tuple[Sequence[str], Sequence[str]],
    postgresql: tuple[Sequence[str], Sequence[str]],
) -> migrations.RunPython:
    """A RunPython operation running (install, uninstall) statements for the connection's vendor."""

    def statements(schema_editor: BaseDatabaseSchemaEditor, install: bool) -> Sequence[str]:
        vendor = schema_editor.connection.vendor
        pair = {"sqlite": sqlite, "postgresql": postgresql}.get(vendor)
        if pair is None:
            raise NotImplementedError(f"{name} triggers: unsupported database {vendor}")
        return pair[0] if install else pair[1]

    def install(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in statements(schema_editor, install=True):
            schema_editor.execute(statement, params=None)

    def uninstall(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in statements(schema_editor, install=False):
            schema_editor.execute(statement, params=None)

    return migrations.RunPython(install, uninstall, elidable=False)
