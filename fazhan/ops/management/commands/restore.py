"""`fazhan restore PATH [--force]`: load a backup made by `fazhan backup`, then verify the audit
chain and require the head recorded in the backup's sidecar. Exit 1 when it does not verify."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from fazhan.ops.backup import BackupError, missing_scans, read_record, restore


class Command(BaseCommand):
    help = "从 fazhan backup 的备份恢复数据库，随后校验审计链并核对备份时记录的链头。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", metavar="PATH", help="备份文件（旁边须有 PATH.json）")
        parser.add_argument(
            "--force", action="store_true", help="目标数据库已有数据时仍然覆盖（先停止服务）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["path"])
        try:
            record = read_record(source)
            result = restore(source, force=options["force"])
        except (BackupError, DatabaseError, OSError) as error:
            raise CommandError(f"恢复失败：{error}") from error
        self.stdout.write(
            f"已从 {source}（{record.at} 的备份）恢复；审计链完整：共 {result.events} 个事件，"
            f"链头校验码 {result.head}，与备份记录一致；扫描件 {record.scans_count} 份已放回"
        )
        missing = missing_scans()
        if missing:
            self.stderr.write(f"警告：数据库登记的 {len(missing)} 份扫描件在扫描件目录中缺失")
