"""`fazhan import orgs|members|roster|files` (contracts.md §7): see fazhan.imports.direct.

The module is named after the command (`import`): Django loads commands by name with importlib,
which accepts a keyword as a module name. Exit 0: no error (applied with --confirm); 1: errors
found, nothing written; 2: the file cannot be read at all, nothing written.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from fazhan.imports import direct


class Command(BaseCommand):
    help = "从文件导入组织树、党员名册、人员名册或档案文件；不加 --confirm 只预览，不写入。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        kinds = parser.add_subparsers(
            dest="what", required=True, metavar="orgs|members|roster|files"
        )
        for name, text in (
            ("orgs", "组织树（.xlsx 或 .csv）"),
            ("members", "党员名册（.xlsx 或 .csv）"),
            ("roster", "人员名册（.xlsx 或 .csv，列见 docs/import.md）"),
            ("files", "档案文件（.json 或 .zip）"),
        ):
            sub = kinds.add_parser(name, help=text)
            sub.add_argument("file", nargs="+" if name == "files" else None, help=text)
            if name == "roster":
                sub.add_argument("--scope", required=True, help="导入范围：组织编码")
            if name == "files":
                sub.add_argument("--branch", required=True, help="导入到的党支部：组织编码")
            sub.add_argument("--confirm", action="store_true", help="没有错误时导入（一个事务）")
            sub.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        what, confirm = options["what"], options["confirm"]
        if what == "orgs":
            outcome = direct.run_orgs(options["file"], confirm=confirm)
        elif what == "members":
            outcome = direct.run_members(options["file"], confirm=confirm)
        elif what == "roster":
            outcome = direct.run_roster(options["file"], scope=options["scope"], confirm=confirm)
        else:
            outcome = direct.run_files(options["file"], branch=options["branch"], confirm=confirm)
        if options["json"]:
            self.stdout.write(json.dumps(outcome.document(), ensure_ascii=False))
        else:
            self._report(outcome, confirm)
        # Flush first: SystemExit skips BaseCommand.execute's own output handling.
        self.stdout.flush()
        if outcome.exit_code:
            sys.exit(outcome.exit_code)

    def _report(self, outcome: direct.Outcome, confirm: bool) -> None:
        for error in outcome.errors:
            row = error["row"]
            if row is None:
                place = ""
            elif row in outcome.labels:
                place = f"第 {row} 个文件 {outcome.labels[row]}"
            else:
                place = f"第 {row} 行"
            where = " ".join(
                str(part)
                for part in (
                    place,
                    error["cell"],
                    error["column"],
                )
                if part
            )
            self.stdout.write(f"{where}：{error['problem']}" if where else error["problem"])
        if outcome.unreadable:
            self.stdout.write("无法读取文件，未写入任何内容。")
            return
        summary = (
            f"共 {outcome.rows} 行：新建 {outcome.created}，更新 {outcome.updated}，"
            f"不变 {outcome.unchanged}；错误 {len(outcome.errors)} 处。"
        )
        self.stdout.write(summary)
        if outcome.written:
            self.stdout.write("已导入（一个事务），已记入审计链。")
        elif outcome.errors:
            self.stdout.write("有错误，未写入任何内容。")
        elif not confirm:
            self.stdout.write("预览：未写入任何内容；确认无误后加 --confirm 导入。")
