"""`fazhan demo [--port N] [--no-serve] [--seed N] [--scale X]` (contracts.md §6).

Migrates the database DATABASE_URL names (default: fazhan.sqlite3 in the working directory), builds
the demo district when the database has no organization yet, prints the accounts and what was
built, and serves on 127.0.0.1 with Django's runserver (static files included, no reloader).
"""

from __future__ import annotations

import unicodedata
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from fazhan.accounts.models import Role, RoleKind
from fazhan.demo.builder import PASSWORD, build_demo
from fazhan.demo.mobility import add_demo_mobility
from fazhan.orgs.models import Organization
from fazhan.people.models import Candidate

ACCOUNTS = ("qu", "dangwei", "zhibu", "zhibu2", "shenji", "admin", "baomi")


def _width(text: str) -> int:
    # A Chinese character takes two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def table(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows as aligned columns (two spaces apart), for a terminal that shows CJK double-wide."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def account_rows() -> list[tuple[str, ...]]:
    """The demo accounts as they are in the database (also when it was built earlier)."""
    labels = dict(RoleKind.choices)
    roles = (
        Role.objects.filter(user__username__in=ACCOUNTS, active=True)
        .select_related("user", "org")
        .order_by("pk")
    )
    rows: list[tuple[str, ...]] = [("账户", "角色", "组织", "密码")]
    for role in sorted(roles, key=lambda r: ACCOUNTS.index(r.user.username)):
        org = role.org.name if role.org is not None else "—（三员分立，不属于任何组织）"
        rows.append((role.user.username, str(labels[role.kind]), org, PASSWORD))
    return rows


class Command(BaseCommand):
    help = "迁移数据库，在空数据库中建立演示区（演示数据），列出演示账户，并在 127.0.0.1 上运行。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument("--no-serve", action="store_true", help="只建立演示数据，不启动服务")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="规模（默认 1.0：约 2,500 份档案）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] <= 0:
            raise CommandError("--scale 必须大于 0。")
        call_command("migrate", verbosity=0, interactive=False)
        if Organization.objects.exists():
            self.stdout.write(
                f"数据库中已有 {Organization.objects.count()} 个组织、"
                f"{Candidate.objects.count()} 份档案，不再建立演示数据。"
            )
        else:
            self.stdout.write("正在建立演示区（演示数据）……")
            summary = build_demo(seed=options["seed"], scale=options["scale"], stdout=self.stdout)
            for line in summary.lines():
                self.stdout.write(line)
            # Public notices on /gongshi/ with feedback in every state, through the notices app's
            # own actions (after the bulk load, in their own transactions).
            from fazhan.notices.demo import add_demo_notices

            notices = add_demo_notices(summary.today)
            self.stdout.write(f"公示：{notices} 个正在公示的公示（/gongshi/）")
            self.stdout.write(f"流动人员：{add_demo_mobility(summary.today)} 份档案（/mobility/）")
            # The daily job's notifications (fazhan.notify), so that each bell has its news.
            from fazhan.notify.models import Notification
            from fazhan.notify.produce import daily

            accounts, _made = daily(summary.today)
            self.stdout.write(f"通知：{Notification.objects.count()} 条（{accounts} 个账号）")
        rows = account_rows()
        if len(rows) > 1:
            self.stdout.write("")
            self.stdout.write(f"演示账户（密码均为 {PASSWORD}，无第二因素）：")
            for line in table(rows):
                self.stdout.write("  " + line)
        if options["no_serve"]:
            return
        port = options["port"]
        self.stdout.write("")
        self.stdout.write(f"登录：http://127.0.0.1:{port}/accounts/login/ （Ctrl-C 停止）")
        # --noreload: one process, so the demo is built once; --insecure: serve the static
        # files without DEBUG (the staticfiles runserver).
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, insecure_serving=True)
