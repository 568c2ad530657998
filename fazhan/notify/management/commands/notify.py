"""`notify [--today YYYY-MM-DD]`: the daily notifications of every working account, then the
gateway (if one is configured). Idempotent: run twice, the second run adds nothing."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fazhan.notify.deliver import deliver
from fazhan.notify.produce import daily


class Command(BaseCommand):
    help = "生成各账号的通知（即将到期、已逾期、退回、报表、公示反馈、案件），并按配置发送。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--today", help="按此日期计算（YYYY-MM-DD），默认今天（北京时间）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError:
            raise CommandError("--today 应为 YYYY-MM-DD") from None
        accounts, created = daily(day)
        sent = deliver()
        self.stdout.write(f"{accounts} 个账号，新增通知 {created} 条，发送 {sent} 条。")
