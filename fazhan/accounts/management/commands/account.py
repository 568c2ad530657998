"""`fazhan account create USERNAME --role ROLE [--org CODE] [--name NAME]`: the operator's audited
break-glass (Step 9 item 2). Prints a one-time password; the account changes it and sets up its
second factor at first sign-in (on any database but the demo)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhan.accounts.actions import AccountRefused, do_create_account_as_operator
from fazhan.accounts.models import RoleKind
from fazhan.orgs.models import Organization

ROLES = {
    "district": RoleKind.DISTRICT_STAFF,
    "committee": RoleKind.SUB_STAFF,
    "branch": RoleKind.BRANCH_SECRETARY,
    "auditor": RoleKind.AUDITOR,
    "admin": RoleKind.SYSADMIN,
    "security": RoleKind.SECURITY_ADMIN,
}
ORG_ROLES = {"district", "committee", "branch"}


class Command(BaseCommand):
    help = "创建账号（运维人员应急使用，记入记录链）：fazhan account create 用户名 --role 角色"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="创建一个账号并授予角色")
        create.add_argument("username")
        create.add_argument("--role", required=True, choices=sorted(ROLES))
        create.add_argument("--org", metavar="CODE", help="组织编码（区委：默认为根组织）")
        create.add_argument("--name", default="", help="显示名称")

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"]
        org = None
        if role in ORG_ROLES:
            code = options.get("org")
            if code:
                org = Organization.objects.filter(code=code).first()
                if org is None:
                    raise CommandError(f"没有编码为 {code} 的组织")
            elif role == "district":
                org = Organization.objects.filter(parent__isnull=True).first()
                if org is None:
                    raise CommandError("尚无组织树：请先 fazhan import orgs 文件 --confirm")
            else:
                raise CommandError("该角色须用 --org 指定所在组织的编码")
        elif options.get("org"):
            raise CommandError("安全审计员、系统管理员和安全保密管理员不属于任何组织（三员分立）")
        try:
            user, password = do_create_account_as_operator(
                username=options["username"],
                display_name=options["name"],
                kind=ROLES[role],
                org=org,
            )
        except AccountRefused as refused:
            raise CommandError(str(refused)) from None
        where = f"（{org.name}）" if org is not None else ""
        self.stdout.write(f"已创建账号 {user.username}：{RoleKind(ROLES[role]).label}{where}")
        self.stdout.write(f"一次性密码：{password}")
        self.stdout.write("首次登录须修改密码，并设置第二验证因素（手机身份验证器）。")
