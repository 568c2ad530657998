"""`fazhan keys rotate [--batch N]`: re-encrypt every encrypted field under the newest key of
FIELD_ENCRYPTION_KEYS and re-index every ID number under BLIND_INDEX_KEY (fazhan.people.keys;
docs/privacy.md). Resumable: a rerun with the same keys continues where the last one stopped."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhan.people import keys


class Command(BaseCommand):
    help = "密钥轮换：用最新的字段加密密钥重新加密，用新的盲索引密钥重建索引（可中断后继续）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rotate = sub.add_parser("rotate", help="重新加密并重建盲索引")
        rotate.add_argument(
            "--batch", type=int, default=keys.DEFAULT_BATCH, help="每批处理的行数（每批一个事务）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "rotate":  # pragma: no cover - argparse allows only rotate
            raise CommandError(f"unknown action {options['action']}")
        if options["batch"] < 1:
            raise CommandError("--batch 应为正整数")
        outcome = keys.rotate(batch=options["batch"], stdout=self.stdout)
        if outcome.already_done:
            self.stdout.write("这组密钥的轮换已经完成，无需再做；旧密钥可以从环境中删除。")
            return
        if outcome.resumed:
            self.stdout.write("接着上次中断处继续。")
        self.stdout.write("密钥轮换完成：旧的加密密钥和 BLIND_INDEX_KEY_OLD 现在可以删除。")
