"""`fazhan audit verify [--json] [--anchor FILE]` (spec/contracts.md section 5).

`--anchor FILE` also requires every (seq, hash) recorded in the anchor file that `fazhan audit
anchor` appends to (fazhan/audit/anchor.py) to be in the chain: a cut tail with a moved-back head
then fails too. The JSON document and the exit codes are the same with or without it.

Exit 0 when the chain and its head are intact, 1 when they are not (naming the first event that does
not match), 2 when the check could not run at all (the database is unreachable): a broken chain
and a missing server must not look alike to the nightly job that calls this.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError

from fazhan.audit.chain import VerifyResult, verify_chain

BROKEN = 1
CANNOT_CHECK = 2


class Command(BaseCommand):
    help = "重新计算审计链，核对链头；完整时退出码 0，否则 1 并指出第一个不符的事件。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="数据库别名")
        parser.add_argument(
            "--anchor", metavar="FILE", help="同时核对锚点文件（fazhan audit anchor）中的每个链头"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = verify_chain(options["database"])
            if options["anchor"]:
                result = _with_anchors(result, options["anchor"], options["database"])
        except DatabaseError as error:
            raise CommandError(f"无法读取数据库：{error}", returncode=CANNOT_CHECK) from error
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
        elif result.ok:
            self.stdout.write(f"审计链完整：共 {result.events} 个事件，链头校验码 {result.head}")
        else:
            self.stdout.write(f"审计链校验失败：第 {result.seq} 号事件：{result.problem}")
        if not result.ok:
            # Flush first: SystemExit skips BaseCommand.execute's own output handling.
            self.stdout.flush()
            sys.exit(BROKEN)


def _with_anchors(result: VerifyResult, path: str, using: str) -> VerifyResult:
    """The chain's own result, unless an anchored event is missing or changed at a smaller seq."""
    from pathlib import Path

    from fazhan.audit.anchor import AnchorFileError, check_anchors, read_anchors

    try:
        anchors = read_anchors(Path(path))
    except AnchorFileError as error:
        raise CommandError(str(error), returncode=CANNOT_CHECK) from error
    found = check_anchors(anchors, using)
    if found is None or (not result.ok and result.seq is not None and result.seq <= found.seq):
        return result
    return VerifyResult(False, result.events, None, found.seq, found.problem)
