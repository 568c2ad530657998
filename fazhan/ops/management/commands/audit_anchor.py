"""`fazhan audit anchor [--to FILE]`: append the chain's verified head to an anchor file.

The daily timer runs it (README); the file belongs on storage the database's users cannot write,
and the printed line can go into the daily report too. A broken chain is not anchored: the
command then exits 1, as `fazhan audit verify` does.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from fazhan.audit.anchor import anchor_of, append_anchor, check_anchors, default_anchor_file
from fazhan.audit.chain import read_head, verify_chain

BROKEN = 1
CANNOT_CHECK = 2


class Command(BaseCommand):
    help = "核对审计链后，把链头（序号、哈希、校验码、时间）追加到数据库之外的锚点文件。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--to",
            metavar="FILE",
            help="锚点文件（默认 $FAZHAN_ANCHOR_FILE 或 var/audit-anchors.jsonl）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["to"]) if options["to"] else default_anchor_file()
        try:
            # The head first, then the whole chain: events appended meanwhile are verified too,
            # and the head read is then checked to be in the verified chain.
            anchor = anchor_of(read_head())
            result = verify_chain()
            stray = check_anchors([anchor]) if result.ok else None
        except DatabaseError as error:
            raise CommandError(f"无法读取数据库：{error}", returncode=CANNOT_CHECK) from error
        if not result.ok or stray is not None:
            seq, problem = (
                (result.seq, result.problem) if stray is None else (stray.seq, stray.problem)
            )
            self.stdout.write(f"审计链校验失败，不记录锚点：第 {seq} 号事件：{problem}")
            self.stdout.flush()
            sys.exit(BROKEN)
        try:
            append_anchor(path, anchor)
        except OSError as error:
            raise CommandError(f"无法写入锚点文件 {path}：{error}") from error
        self.stdout.write(json.dumps(anchor.as_json(), ensure_ascii=False, sort_keys=True))
