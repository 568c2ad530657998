from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fazhan.people.models import Candidate
from fazhan.people.record import follow_roster


class Command(BaseCommand):
    help = "让党员名册跟上发展档案：为批准接收的档案补建党员及其变动记录（幂等，可重复运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        # Files recorded before the roster followed the record (docs/members.md), and files an
        # import projected without the roster: every file the committee approved.
        ids = list(
            Candidate.objects.filter(approved_on__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        follow_roster(ids)
        self.stdout.write(f"已核对 {len(ids)} 份批准接收的档案与党员名册。")
