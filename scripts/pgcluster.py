"""A throwaway PostgreSQL 15 cluster for the test suite, from the machine's binaries.

`initdb` refuses to run as root, so as root the cluster is created and run as the `postgres` user in
a directory it owns; it listens on a Unix socket in that directory only (no TCP port to collide).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(os.getenv("PG_BIN", "/usr/lib/postgresql/15/bin"))


def available() -> bool:
    return (BIN / "initdb").exists()


def _as_owner(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster and yield its DATABASE_URL; stop and remove it afterwards."""
    root = Path(tempfile.mkdtemp(prefix="fazhan-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    subprocess.run(
        _as_owner(
            [
                str(BIN / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = f"-k {root} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    subprocess.run(
        _as_owner(
            [
                str(BIN / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-w",
                "-l",
                str(root / "log"),
                "start",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield f"postgres://postgres@/postgres?host={root}"
    finally:
        subprocess.run(
            _as_owner([str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(root, ignore_errors=True)
