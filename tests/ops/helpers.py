"""Running `fazhan` in a child process with a clean environment (no secrets unless given)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
SECRET_NAMES = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY")


def strong_secrets() -> dict[str, str]:
    return {
        "SECRET_KEY": "t" * 20 + Fernet.generate_key().decode(),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "BLIND_INDEX_KEY": Fernet.generate_key().decode(),
    }


def child_env(database: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FAZHAN_", "DJANGO_", *SECRET_NAMES))
    }
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="fazhan.settings",
        STATIC_ROOT=str(database.parent / "static"),
    )
    env.update(extra)
    return env


def run(
    args: list[str], env: dict[str, str], timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
