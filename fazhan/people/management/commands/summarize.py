from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fazhan.people.summary import rebuild_summary


class Command(BaseCommand):
    help = "重建统计摘要：按纪实链重新计算每份档案在各日期的统计归属（升级或批量导入后运行，幂等）"

    def handle(self, *args: Any, **options: Any) -> None:
        # The projection keeps the summary (fazhan.people.summary); this makes it from scratch,
        # for a database written before it existed or loaded without the projection.
        files, rows = rebuild_summary()
        self.stdout.write(f"已重建 {files} 份档案的统计摘要（{rows} 行）。")
