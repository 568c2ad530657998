from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fazhan.people.models import Candidate
from fazhan.people.sweep import reproject


class Command(BaseCommand):
    help = "重新评估全部档案（每日定时运行：期限随日期到来而变化）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--open-only", action="store_true", help="只评估未结束的档案")

    def handle(self, *args: Any, **options: Any) -> None:
        files = Candidate.objects.all()
        if options["open_only"]:
            files = files.exclude(stage__in=("withdrawn", "rejected", "revoked"))
        changed = reproject(files.order_by("pk"))
        self.stdout.write(f"已重新评估 {files.count()} 份档案，其中 {changed} 份的结果有变化。")
