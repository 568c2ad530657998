"""`fazhan backup` and `fazhan restore`: one file per backup, with a JSON sidecar recording the
chain head the backup holds (README "Backup, restore and the drill").

- SQLite: the online backup API copies the live database page by page under one read lock (a
  consistent snapshot while the server keeps running); the head is then read from the copy.
- PostgreSQL: `pg_dump -Fc` runs inside a snapshot this process exported (`pg_export_snapshot`),
  and the head is read in that same snapshot, so the sidecar describes exactly what was dumped.

A restore checks the file against its sidecar (size, SHA-256), loads it, then runs the chain's
verification and requires the restored head to be the recorded one: otherwise it fails loudly.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from fazhan.audit.chain import GENESIS_HASH, Head, VerifyResult, head_code, read_head, verify_chain
from fazhan.audit.models import ChainHead, Event

FORMAT = "fazhan-backup/1"
SUFFIX = {"sqlite": ".sqlite3", "postgresql": ".dump"}


class BackupError(Exception):
    """A backup or restore that did not happen, or a restore that does not verify."""


@dataclass(frozen=True, slots=True)
class BackupRecord:
    """The sidecar: what the backup file holds and where its chain ends."""

    format: str
    vendor: str
    file: str
    bytes: int
    sha256: str
    seq: int
    hash: str
    head: str
    at: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def default_backup_dir() -> Path:
    configured = os.getenv("FAZHAN_BACKUP_DIR", "").strip()
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR).parent / "var" / "backups"


def default_backup_path(using: str = DEFAULT_DB_ALIAS, now: datetime | None = None) -> Path:
    vendor = connections[using].vendor
    moment = timezone.localtime(now or timezone.now())
    name = f"fazhan-{moment:%Y%m%d-%H%M%S}{SUFFIX.get(vendor, '.bak')}"
    return default_backup_dir() / name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _record(path: Path, vendor: str, head: Head) -> BackupRecord:
    return BackupRecord(
        format=FORMAT,
        vendor=vendor,
        file=path.name,
        bytes=path.stat().st_size,
        sha256=_sha256(path),
        seq=head.seq,
        hash=head.hash,
        head=head_code(head.hash),
        at=timezone.now().isoformat(timespec="seconds"),
    )


def _write_json(path: Path, data: dict[str, Any]) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)


def backup(target: Path, using: str = DEFAULT_DB_ALIAS) -> BackupRecord:
    """Write a backup of the database to `target` and its sidecar next to it; return the record."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("不能在事务中备份 (backup must not run inside a transaction)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    if connection.vendor == "sqlite":
        head = _backup_sqlite(using, partial)
    elif connection.vendor == "postgresql":
        head = _backup_postgresql(using, partial)
    else:
        raise BackupError(f"不支持的数据库：{connection.vendor}")
    os.replace(partial, target)
    record = _record(target, connection.vendor, head)
    _write_json(sidecar_of(target), record.as_json())
    return record


def _head_in(copy: sqlite3.Connection) -> Head:
    table = ChainHead._meta.db_table
    try:
        row = copy.execute(f'SELECT seq, hash FROM "{table}" WHERE id = 1').fetchone()
    except sqlite3.OperationalError:  # not migrated: an empty chain
        row = None
    return Head(int(row[0]), str(row[1])) if row else Head(0, GENESIS_HASH)


def _backup_sqlite(using: str, partial: Path) -> Head:
    connection = connections[using]
    connection.ensure_connection()
    copy = sqlite3.connect(partial)
    try:
        # All pages in one step: one read lock for the whole copy, so a consistent snapshot.
        connection.connection.backup(copy)
        # One self-contained file (no -wal beside it) that any sqlite3 can open.
        copy.execute("PRAGMA journal_mode=DELETE")
        head = _head_in(copy)
    finally:
        copy.close()
    return head


def _conninfo(settings_dict: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """A libpq connection string for pg_dump/pg_restore and the environment (the password)."""

    def quote(value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    parts = {
        "dbname": settings_dict.get("NAME") or "",
        "host": settings_dict.get("HOST") or "",
        "port": str(settings_dict.get("PORT") or ""),
        "user": settings_dict.get("USER") or "",
    }
    for key, value in (settings_dict.get("OPTIONS") or {}).items():
        if isinstance(value, str):
            parts[key] = value
    info = " ".join(f"{key}={quote(str(value))}" for key, value in parts.items() if value)
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return info, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（postgresql-client）")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} 失败（{done.returncode}）：{done.stderr.strip()}")


def _backup_postgresql(using: str, partial: Path) -> Head:
    connection = connections[using]
    info, env = _conninfo(connection.settings_dict)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = str(cursor.fetchone()[0])
        head = read_head(using)
        # pg_dump sees exactly what this transaction sees while it stays open.
        _run(
            [_tool("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-f", str(partial), "-d", info],
            env,
        )
    return head


def read_record(path: Path) -> BackupRecord:
    sidecar = sidecar_of(path)
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        record = BackupRecord(**data)
    except (OSError, ValueError, TypeError) as error:
        raise BackupError(f"无法读取备份说明文件 {sidecar}：{error}") from error
    if record.format != FORMAT:
        raise BackupError(f"{sidecar}：不认识的格式 {record.format}")
    return record


def _holds_data(using: str) -> bool:
    tables = set(connections[using].introspection.table_names())
    if Event._meta.db_table in tables and Event.objects.using(using).exists():
        return True
    from fazhan.orgs.models import Organization

    return Organization._meta.db_table in tables and Organization.objects.using(using).exists()


def restore(source: Path, using: str = DEFAULT_DB_ALIAS, *, force: bool = False) -> VerifyResult:
    """Load `source` into the database, verify the chain, require the recorded head.

    Refuses a database that already holds data unless `force` (the server must be stopped).
    """
    record = read_record(source)
    connection = connections[using]
    if record.vendor != connection.vendor:
        raise BackupError(f"备份来自 {record.vendor}，当前数据库是 {connection.vendor}")
    if not source.is_file() or source.stat().st_size != record.bytes:
        raise BackupError(f"备份文件 {source} 缺失或大小不符（应为 {record.bytes} 字节）")
    if _sha256(source) != record.sha256:
        raise BackupError(f"备份文件 {source} 的 SHA-256 与说明文件不符（文件已损坏或被改动）")
    if connection.in_atomic_block:
        raise BackupError("不能在事务中恢复 (restore must not run inside a transaction)")
    if not force and _holds_data(using):
        raise BackupError("目标数据库中已有数据：确认要覆盖时加 --force（先停止服务）")
    if connection.vendor == "sqlite":
        _restore_sqlite(source, using)
    else:
        info, env = _conninfo(connection.settings_dict)
        connection.close()
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "-d",
                info,
                str(source),
            ],
            env,
        )
    connection.close()
    result = verify_chain(using)
    if not result.ok:
        raise BackupError(f"恢复后审计链校验失败：第 {result.seq} 号事件：{result.problem}")
    head = read_head(using)
    if (head.seq, head.hash) != (record.seq, record.hash):
        raise BackupError(
            f"恢复后的链头（第 {head.seq} 号，{head.code}）与备份时记录的链头"
            f"（第 {record.seq} 号，{record.head}）不符"
        )
    return result


def _restore_sqlite(source: Path, using: str) -> None:
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        verdict = origin.execute("PRAGMA integrity_check").fetchone()
        if not verdict or verdict[0] != "ok":
            raise BackupError(f"备份文件 {source} 未通过 SQLite 完整性检查：{verdict}")
        connection = connections[using]
        connection.ensure_connection()
        # Page by page into the live database, replacing all of it; the append-only triggers
        # do not fire (no row is updated or deleted: the pages are replaced).
        origin.backup(connection.connection)
    finally:
        origin.close()
