"""`approval_reminders [--today YYYY-MM-DD] [--org CODE]`: approvals due within 14 days or late.

Idempotent and read-only (cron or a systemd timer runs it daily; DESIGN "Jobs"): it prints, per
approving committee, the S17 whose three months from the branch meeting end within 14 days or have
passed, those past six months (细则 art. 25), and the S24 due three months after the conversion
meeting. Exit status 0 always; the output is the reminder.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fazhan.core import dates
from fazhan.orgs.models import Organization, nearest_approver
from fazhan.people.models import Candidate
from fazhan.reviews.reminders import reminders


class Command(BaseCommand):
    help = "列出三个月内即将到期、已超过三个月或六个月仍未审批的预备党员（细则第二十五条）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--today", help="按此日期计算（YYYY-MM-DD），默认今天（北京时间）")
        parser.add_argument("--org", help="只列出该组织（组织代码）及其下级")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError:
            raise CommandError("--today 应为 YYYY-MM-DD") from None
        day = today or dates.today()
        candidates = Candidate.objects.all()
        if options["org"]:
            org = Organization.objects.filter(code=options["org"]).first()
            if org is None:
                raise CommandError(f"没有组织代码 {options['org']}")
            candidates = candidates.filter(org_id__in=Organization.objects.subtree_ids([org.pk]))
        found = reminders(candidates, day)
        if not found:
            self.stdout.write(f"{day}：没有需要提醒的审批。")
            return
        by_committee: dict[str, list[Any]] = {}
        orgs = dict(
            Candidate.objects.filter(pk__in=[r.candidate_id for r in found]).values_list(
                "pk", "org_id"
            )
        )
        names: dict[int, str] = {}
        for r in found:
            org_id = orgs[r.candidate_id]
            if org_id not in names:
                approver = nearest_approver(org_id)
                names[org_id] = approver.name if approver else "（上级无审批权限的党委）"
            by_committee.setdefault(names[org_id], []).append(r)
        self.stdout.write(f"{day}：需要提醒的审批 {len(found)} 件")
        for committee, rows in sorted(by_committee.items()):
            self.stdout.write(f"\n{committee}（{len(rows)} 件）")
            for r in rows:
                limit = f"，最迟 {r.limit}" if r.limit else ""
                self.stdout.write(
                    f"  [{r.label}] {r.step} {r.name}（{r.org_name}）"
                    f" 会议 {r.since}，三个月期限 {r.due}{limit}"
                    f"  /reviews/candidates/{r.candidate_id}/"
                )
