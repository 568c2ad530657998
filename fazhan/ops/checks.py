"""The secrets checks: an ERROR under `check --deploy` (and so `fazhan serve` refuses to start), a
WARNING for every other command, on any database but the demo and outside the test runner.

The demo database is the one `fazhan demo` built: its builder writes the `Installation` row with
`demo=True` in the same transaction as the demo district, and nothing else ever writes that flag.
A database that is not migrated yet (or cannot be reached) is not the demo.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from fazhan.ops.secrets import weak_secrets

HINT = (
    "在环境变量或 NAME_FILE 指向的文件中设置 SECRET_KEY、FIELD_ENCRYPTION_KEYS、BLIND_INDEX_KEY"
    "（README「在一台内网服务器上部署」）。"
)


def in_test_environment() -> bool:
    """Whether Django's test environment is set up (pytest-django, the test runner): the tests run
    with the built-in keys. No production entry point calls `setup_test_environment()`."""
    utils = sys.modules.get("django.test.utils")
    return utils is not None and hasattr(utils._TestState, "saved_data")


def _has_table(name: str, using: str) -> bool:
    return name in connections[using].introspection.table_names()


def is_demo_database(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether `fazhan demo` built this database (its Installation row says so)."""
    # The marker row lives in the web app, above this one: looked up by name, not imported.
    from django.apps import apps

    Installation = apps.get_model("web", "Installation")

    try:
        if not _has_table(Installation._meta.db_table, using):
            return False
        return bool(Installation.objects.using(using).filter(demo=True).exists())
    except DatabaseError:
        return False


def holds_data(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the database holds any organization yet (a fresh one has nothing to protect)."""
    from fazhan.orgs.models import Organization

    try:
        if not _has_table(Organization._meta.db_table, using):
            return False
        return Organization.objects.using(using).exists()
    except DatabaseError:
        return False


def secret_messages(*, level: int, using: str = DEFAULT_DB_ALIAS) -> list[checks.CheckMessage]:
    """The check messages at `level` (checks.ERROR or checks.WARNING) for this process."""
    problems = weak_secrets(settings)
    if not problems or in_test_environment() or is_demo_database(using):
        return []
    ident = "fazhan.E001" if level >= checks.ERROR else "fazhan.W001"
    text = "密钥不安全，不能用于真实数据：" + "；".join(problems)
    return [checks.CheckMessage(level, text, hint=HINT, id=ident)]


@checks.register(checks.Tags.security, deploy=True)
def check_secrets_deploy(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """`check --deploy`: missing or public secrets are an ERROR."""
    return secret_messages(level=checks.ERROR)


@checks.register(checks.Tags.security)
def check_secrets(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Every command: a WARNING, once the database holds data (not on a fresh one, where the
    first `fazhan demo` would otherwise warn before it builds the demo)."""
    if not holds_data():
        return []
    return secret_messages(level=checks.WARNING)
