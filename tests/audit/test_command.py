"""`fazhan audit verify [--json]`: exit codes and output (spec/contracts.md section 5)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connections, transaction

from fazhan.audit.chain import append_events_bulk, head_code
from fazhan.cli import main
from tests.audit.helpers import build_chain, raw, sample_event, sqlite_file_path


def run(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit_verify", *args, stdout=out)
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
def test_it_reports_an_empty_database_as_intact() -> None:
    code, out = run("--json")
    assert code == 0
    assert json.loads(out) == {"ok": True, "events": 0, "head": "AAAA-AAAA-AAAA"}


@pytest.mark.django_db
def test_it_prints_the_count_and_the_head_code() -> None:
    events = build_chain(4)
    code, out = run("--json")
    assert code == 0
    assert json.loads(out) == {"ok": True, "events": 4, "head": head_code(events[-1].hash)}
    code, out = run()
    assert code == 0
    assert out.strip() == f"审计链完整：共 4 个事件，链头校验码 {head_code(events[-1].hash)}"


@pytest.mark.django_db
def test_it_exits_1_naming_the_first_bad_event() -> None:
    build_chain(6)
    raw("UPDATE audit_event SET kind = 'S99' WHERE seq = 3")
    raw("DELETE FROM audit_event WHERE seq = 5")
    code, out = run("--json")
    assert code == 1
    assert json.loads(out) == {"ok": False, "seq": 3, "problem": "内容与哈希不符（记录被修改）"}
    code, out = run()
    assert code == 1
    assert out.strip() == "审计链校验失败：第 3 号事件：内容与哈希不符（记录被修改）"


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_exit_codes_through_the_fazhan_command(capsys) -> None:
    # Transactional: a command run from the command line closes the connections when done.
    assert main(["audit", "verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    build_chain(3)
    raw("DELETE FROM audit_event WHERE seq = 3")
    assert main(["audit", "verify", "--json"]) == 1
    assert json.loads(capsys.readouterr().out) == {
        "ok": False,
        "seq": 3,
        "problem": "链头记录到第 3 号，但事件只到第 2 号（末尾事件被删除）",
    }


@pytest.mark.django_db
def test_it_exits_2_when_the_database_cannot_be_read(monkeypatch) -> None:
    def unreachable(using: str) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr("fazhan.audit.management.commands.audit_verify.verify_chain", unreachable)
    with pytest.raises(CommandError, match="无法读取数据库") as raised:
        call_command("audit_verify", "--json")
    assert raised.value.returncode == 2


def fazhan_verify(path: Path) -> tuple[int, dict[str, Any]]:
    """`fazhan audit verify --json` in its own process, as an auditor runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "fazhan.cli", "audit", "verify", "--json"],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{path}"},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


def test_it_verifies_a_database_file_end_to_end(tmp_path: Path, sqlite_file_alias: str) -> None:
    with transaction.atomic(using=sqlite_file_alias):
        head = append_events_bulk(
            (sample_event(index) for index in range(5)), using=sqlite_file_alias
        )
    connections[sqlite_file_alias].close()
    path = sqlite_file_path(tmp_path)
    assert fazhan_verify(path) == (0, {"ok": True, "events": 5, "head": head.code})

    # Without the function Django registers, the triggers fail closed.
    dba = sqlite3.connect(path)
    with pytest.raises(sqlite3.OperationalError, match="fazhan_chain_bypass"):
        dba.execute("UPDATE audit_event SET kind = 'S99' WHERE seq = 2")
    # A DBA who knows the trick gets through, and verify names the row.
    dba.create_function("fazhan_chain_bypass", 0, lambda: 1)
    dba.execute("""UPDATE audit_event SET payload = '{"n": 99}' WHERE seq = 2""")
    dba.commit()
    dba.close()
    assert fazhan_verify(path) == (
        1,
        {"ok": False, "seq": 2, "problem": "内容与哈希不符（记录被修改）"},
    )


def test_it_reports_a_never_migrated_database_as_intact(tmp_path: Path) -> None:
    assert fazhan_verify(tmp_path / "new.sqlite3") == (
        0,
        {"ok": True, "events": 0, "head": "AAAA-AAAA-AAAA"},
    )
