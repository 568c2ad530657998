"""Nothing half-written when the process is killed during a confirm (Issue 12, "How it is
judged"): `fazhan import roster --confirm` runs in a real child process on a throwaway SQLite
file, is killed with SIGKILL while it holds the write lock (its one write transaction), and
afterwards no row of that import exists and `fazhan audit verify` passes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from fazhan.imports import district_samples
from fazhan.imports.samples import synthetic_rows, write_roster
from fazhan.policy.engine import today_in_shanghai
from tests.ops.helpers import ROOT, child_env, run, strong_secrets

ROWS = 2500


def _writing(path: Path) -> bool:
    """Whether another connection holds the database's write lock right now."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            return True
        raise
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as connection:
        (found,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(found)


def test_it_leaves_nothing_of_a_confirm_killed_in_its_write(tmp_path: Path) -> None:
    database = tmp_path / "killed.sqlite3"
    env = child_env(database, **strong_secrets())
    assert run(["-m", "fazhan.cli", "migrate", "--verbosity", "0"], env, 600).returncode == 0
    tree = district_samples.org_rows(12)
    orgs = tmp_path / "orgs.xlsx"
    district_samples.write_sheet(district_samples.ORG_COLUMNS, tree, orgs)
    made = run(["-m", "fazhan.cli", "import", "orgs", str(orgs), "--confirm"], env, 600)
    assert made.returncode == 0, made.stdout + made.stderr
    root = district_samples.ROOT_CODE
    roster = tmp_path / "roster.xlsx"
    branches = district_samples.branch_codes(tree)
    write_roster(synthetic_rows(ROWS, branches=branches, today=today_in_shanghai()), roster)
    events_before = _count(database, "audit_event")

    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fazhan.cli",
            "import",
            "roster",
            str(roster),
            "--scope",
            root,
            "--confirm",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    killed = False
    deadline = time.monotonic() + 900
    while child.poll() is None and time.monotonic() < deadline:
        if _writing(database):
            os.kill(child.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.005)
    child.wait(timeout=60)
    assert killed, "the confirm ended before its write phase was seen"
    assert child.returncode == -signal.SIGKILL

    for table in ("people_person", "people_candidate"):
        assert _count(database, table) == 0, table
    assert _count(database, "audit_event") == events_before
    verified = run(["-m", "fazhan.cli", "audit", "verify", "--json"], env, 600)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["ok"] is True
    # The file is still whole: the same confirm, not killed, applies every row.
    again = run(
        [
            "-m",
            "fazhan.cli",
            "import",
            "roster",
            str(roster),
            "--scope",
            root,
            "--confirm",
            "--json",
        ],
        env,
        900,
    )
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert _count(database, "people_candidate") == ROWS
