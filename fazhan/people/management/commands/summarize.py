from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fazhan.people import stagecounts
from fazhan.people.summary import rebuild_summary


class Command(BaseCommand):
    help = (
        "重建统计摘要：按纪实链重新计算每份档案在各日期的统计归属，并重建各组织的分阶段人数"
        "（升级或批量导入后运行，幂等）"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # The projection keeps the summary (fazhan.people.summary); this makes it from scratch,
        # for a database written before it existed or loaded without the projection.
        files, rows = rebuild_summary()
        self.stdout.write(f"已重建 {files} 份档案的统计摘要（{rows} 行）。")
        # The per-subtree stage counts of the home page (fazhan.people.stagecounts): their
        # triggers put back if missing, and both tables made again from the tree and the files.
        if not stagecounts.ensure():
            stagecounts.rebuild()
        self.stdout.write("已重建各组织的分阶段人数。")
