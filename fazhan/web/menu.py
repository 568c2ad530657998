"""The header menu, derived from the one authority (fazhan/accounts/authority.py): each role sees
only the pages it may open, so no link leads to a 404 (三员分立: the administrators see no page of
records). `menu_for` is the one rule; `fazhan.web.context.nav_menu` hands it to every template
and web/_nav_extra.html draws it. tests/web/test_menu.py opens every link of every role's menu."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext_lazy

from fazhan.accounts.authority import Authority, authority

if TYPE_CHECKING:
    from fazhan.accounts.authority import UserLike


@dataclass(frozen=True)
class MenuItem:
    url: str
    label: str | Promise


def _data(a: Authority) -> bool:
    # The pages of records: any working role or the auditor, never an administrator.
    return a.can_see_personal_data


def _home(a: Authority) -> bool:
    # The security administrator's home is the security page (the home page redirects there).
    return not a.is_security_admin


def _reports(a: Authority) -> bool:
    return (
        a.is_district_staff or a.is_read_only or any(g.kind.startswith("report") for g in a.grants)
    )


def _plans(a: Authority) -> bool:
    return a.is_read_only or (a.home is not None and not a.is_admin)


# (url name, label, who sees it), in the menu's order.
RULES: tuple[tuple[str, Promise, Callable[[Authority], bool]], ...] = (
    ("home", pgettext_lazy("nav", "首页"), _home),
    ("candidates", pgettext_lazy("nav", "发展对象档案"), _data),
    ("batch", pgettext_lazy("nav", "批量记录"), lambda a: a.is_writer),
    ("notices:index", pgettext_lazy("nav", "公示"), _data),
    ("reviews:index", pgettext_lazy("nav", "预审与审批"), _data),
    ("meetings:index", pgettext_lazy("nav", "支部大会"), _data),
    ("education:overview", pgettext_lazy("nav", "教育培养"), _data),
    ("mobility:overview", pgettext_lazy("nav", "流动人员"), _data),
    ("accountability:register", pgettext_lazy("nav", "违规登记"), _data),
    ("members:index", pgettext_lazy("nav", "党员名册"), _data),
    (
        "paperwork:index",
        pgettext_lazy("nav", "志愿书登记"),
        lambda a: a.is_committee or a.is_read_only,
    ),
    ("plans:dashboard", pgettext_lazy("nav", "计划与指标"), _plans),
    ("reports:index", pgettext_lazy("nav", "报表"), _reports),
    ("imports:index", pgettext_lazy("nav", "导入导出"), lambda a: a.is_writer),
    ("orgadmin:tree", pgettext_lazy("nav", "党组织"), lambda a: a.is_committee and a.is_writer),
    ("holidays:index", pgettext_lazy("nav", "节假日"), lambda a: bool(a.kinds)),
    ("accounts:list", pgettext_lazy("nav", "账号"), lambda a: a.manages_accounts),
    ("accounts:security", gettext_lazy("角色授予与第二验证因素"), lambda a: a.is_security_admin),
    ("auditlog:log", pgettext_lazy("nav", "审计日志"), lambda a: a.is_read_only),
    (
        "accounts:access_log",
        gettext_lazy("账号与登录记录"),
        lambda a: a.is_read_only or a.is_security_admin,
    ),
)


def menu_for(user: UserLike) -> list[MenuItem]:
    """The header menu of this user: every page their role may open, and no other."""
    if not user.is_authenticated:
        return []
    auth = authority(user)
    return [MenuItem(reverse(name), label) for name, label, shows in RULES if shows(auth)]
