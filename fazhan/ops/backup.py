"""`fazhan backup` and `fazhan restore`: one file per backup, with a JSON sidecar recording the
chain head the backup holds (README "Backup, restore and the drill").

- SQLite: the online backup API copies the live database page by page under one read lock (a
  consistent snapshot while the server keeps running); the head is then read from the copy.
- PostgreSQL: `pg_dump -Fc` runs inside a snapshot this process exported (`pg_export_snapshot`),
  and the head is read in that same snapshot, so the sidecar describes exactly what was dumped.

A restore checks the file against its sidecar (size, SHA-256), loads it, then runs the chain's
verification and requires the restored head to be the recorded one: otherwise it fails loudly.

Scans (fazhan.attachments) live outside the database, named by their SHA-256. A backup copies
the scans its snapshot refers to into PATH.scans.tar beside it (uncompressed: scans are PDF, JPEG
and PNG, already compressed), recorded in the sidecar with the tar's SHA-256; a restore checks the
tar before touching the database and puts back each scan only if its content still hashes to its
name.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from fazhan.audit.chain import GENESIS_HASH, Head, VerifyResult, head_code, read_head, verify_chain
from fazhan.audit.models import ChainHead, Event

FORMAT = "fazhan-backup/2"
# Sidecars of the first format (no scans) are still read.
FORMATS = ("fazhan-backup/1", FORMAT)
SCAN_NAME = re.compile(r"^([0-9a-f]{2})/(\1[0-9a-f]{62})$")
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
    # The scans the snapshot refers to: the tar beside the backup, its SHA-256, how many it
    # holds, and the SHA-256 names of those that were already missing from the scans folder.
    scans: str = ""
    scans_sha256: str = ""
    scans_count: int = 0
    scans_missing: list[str] = field(default_factory=list)

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


def scans_of(path: Path) -> Path:
    return path.with_name(path.name + ".scans.tar")


def _scans_root() -> Path:
    return Path(settings.FAZHAN_ATTACHMENTS_ROOT)


def _scan_path(sha256: str) -> Path:
    return _scans_root() / sha256[:2] / sha256


def _write_scans(target: Path, names: Iterable[str]) -> tuple[int, list[str]]:
    """The scans named into `target` (a tar of `ab/abcd…` members); returns (count, missing)."""
    partial = target.with_name(target.name + ".partial")
    count, missing = 0, []
    with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
        for sha256 in sorted(set(names)):
            source = _scan_path(sha256)
            if not source.is_file():
                missing.append(sha256)
                continue
            archive.add(source, arcname=f"{sha256[:2]}/{sha256}", recursive=False)
            count += 1
    os.replace(partial, target)
    return count, missing


def _restore_scans(tar: Path) -> int:
    """Each member back under the scans folder, if its content hashes to its name; else fail."""
    restored = 0
    with tarfile.open(tar, "r") as archive:
        for member in archive:
            matched = SCAN_NAME.match(member.name)
            if not member.isfile() or matched is None:
                raise BackupError(f"扫描件包 {tar.name} 中有不认识的条目：{member.name}")
            stream = archive.extractfile(member)
            assert stream is not None  # a regular file member
            target = _scan_path(matched.group(2))
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as out:
                while block := stream.read(1 << 20):
                    digest.update(block)
                    out.write(block)
            if digest.hexdigest() != matched.group(2):
                os.unlink(out.name)
                raise BackupError(f"扫描件 {matched.group(2)[:12]}… 的内容与其 SHA-256 不符")
            os.replace(out.name, target)
            restored += 1
    return restored


def _record(
    path: Path, vendor: str, head: Head, *, scans: Path, scans_count: int, scans_missing: list[str]
) -> BackupRecord:
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
        scans=scans.name,
        scans_sha256=_sha256(scans),
        scans_count=scans_count,
        scans_missing=scans_missing,
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
        head, names = _backup_sqlite(using, partial)
    elif connection.vendor == "postgresql":
        head, names = _backup_postgresql(using, partial)
    else:
        raise BackupError(f"不支持的数据库：{connection.vendor}")
    os.replace(partial, target)
    tar = scans_of(target)
    count, missing = _write_scans(tar, names)
    record = _record(
        target, connection.vendor, head, scans=tar, scans_count=count, scans_missing=missing
    )
    _write_json(sidecar_of(target), record.as_json())
    return record


def _head_in(copy: sqlite3.Connection) -> Head:
    table = ChainHead._meta.db_table
    try:
        row = copy.execute(f'SELECT seq, hash FROM "{table}" WHERE id = 1').fetchone()
    except sqlite3.OperationalError:  # not migrated: an empty chain
        row = None
    return Head(int(row[0]), str(row[1])) if row else Head(0, GENESIS_HASH)


def _scan_names_in(copy: sqlite3.Connection) -> list[str]:
    from fazhan.attachments.models import Attachment

    table = Attachment._meta.db_table
    try:
        rows = copy.execute(f'SELECT DISTINCT sha256 FROM "{table}"').fetchall()
    except sqlite3.OperationalError:  # not migrated: no scans
        rows = []
    return [str(row[0]) for row in rows]


def _backup_sqlite(using: str, partial: Path) -> tuple[Head, list[str]]:
    connection = connections[using]
    connection.ensure_connection()
    copy = sqlite3.connect(partial)
    try:
        # All pages in one step: one read lock for the whole copy, so a consistent snapshot.
        connection.connection.backup(copy)
        # One self-contained file (no -wal beside it) that any sqlite3 can open.
        copy.execute("PRAGMA journal_mode=DELETE")
        head = _head_in(copy)
        names = _scan_names_in(copy)
    finally:
        copy.close()
    return head, names


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


def _backup_postgresql(using: str, partial: Path) -> tuple[Head, list[str]]:
    from fazhan.attachments.models import Attachment

    connection = connections[using]
    info, env = _conninfo(connection.settings_dict)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = str(cursor.fetchone()[0])
        head = read_head(using)
        cursor.execute(f'SELECT DISTINCT sha256 FROM "{Attachment._meta.db_table}"')
        names = [str(row[0]) for row in cursor.fetchall()]
        # pg_dump sees exactly what this transaction sees while it stays open.
        _run(
            [_tool("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-f", str(partial), "-d", info],
            env,
        )
    return head, names


def read_record(path: Path) -> BackupRecord:
    sidecar = sidecar_of(path)
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        record = BackupRecord(**data)
    except (OSError, ValueError, TypeError) as error:
        raise BackupError(f"无法读取备份说明文件 {sidecar}：{error}") from error
    if record.format not in FORMATS:
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
    scans = source.with_name(record.scans) if record.scans else None
    if scans is not None and (not scans.is_file() or _sha256(scans) != record.scans_sha256):
        raise BackupError(f"扫描件包 {scans} 缺失或与说明文件不符（文件已损坏或被改动）")
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
    if scans is not None:
        _restore_scans(scans)
    return result


def missing_scans(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The SHA-256 names the database refers to whose file is not in the scans folder."""
    from fazhan.attachments.models import Attachment

    names = Attachment.objects.using(using).values_list("sha256", flat=True).distinct()
    return sorted(name for name in names if not _scan_path(name).is_file())


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
