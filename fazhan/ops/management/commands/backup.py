"""`fazhan backup [--to PATH]`: a consistent backup of the database while it runs, with a JSON
sidecar (PATH.json) recording the chain head it holds (fazhan/ops/backup.py)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from fazhan.ops.backup import (
    BackupError,
    backup,
    default_backup_path,
    scans_of,
    sidecar_of,
)


class Command(BaseCommand):
    help = "在线备份数据库（SQLite 在线备份 / pg_dump -Fc），并在旁边的 .json 中记录链头。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--to", metavar="PATH", help="备份文件（默认 $FAZHAN_BACKUP_DIR 或 var/backups/ 下）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["to"]) if options["to"] else default_backup_path()
        try:
            record = backup(target)
        except (BackupError, DatabaseError, OSError) as error:
            raise CommandError(f"备份失败：{error}") from error
        self.stdout.write(
            f"已备份到 {target}（{record.bytes} 字节）；链头第 {record.seq} 号，"
            f"校验码 {record.head}；说明文件 {sidecar_of(target)}"
        )
        self.stdout.write(f"扫描件 {record.scans_count} 份，存于 {scans_of(target)}")
        if record.scans_missing:
            self.stderr.write(
                f"警告：数据库登记的 {len(record.scans_missing)} 份扫描件在扫描件目录中已缺失，"
                "未能备份（见说明文件 scans_missing）"
            )
        if options["verbosity"] > 1:
            self.stdout.write(json.dumps(record.as_json(), ensure_ascii=False))
