"""`fazhan report counts --as-of DATE [--from DATE] [--org CODE] [--json]` (contracts.md §8).

The counts of an organization (default: the root) and of each organization directly below it, as
the files stood at the end of `--as-of`. Exit 0; exit 2 with a Chinese message on stderr for an
unknown organization code or a bad date.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhan.orgs.models import Organization
from fazhan.people.counts import CountsReport, OrgCounts, report_counts
from fazhan.policy.counts import STAGES
from fazhan.policy.targets import COUNT_KEYS

USAGE_ERROR = 2
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Short column headings for the terminal (the full names are in fazhan.policy.targets).
COUNT_HEADINGS: dict[str, Any] = {
    "developed": gettext_lazy("发展数"),
    "le35": gettext_lazy("35岁以下"),
    "le25": gettext_lazy("25岁以下"),
    "hs_plus": gettext_lazy("高中以上"),
    "college_plus": gettext_lazy("大专以上"),
    "female": gettext_lazy("女性"),
    "female_frontline": gettext_lazy("一线女性"),
    "worker": gettext_lazy("工人"),
    "farmer": gettext_lazy("农牧渔民"),
    "mgmt_tech_rich": gettext_lazy("管理技术能人"),
    "student": gettext_lazy("学生"),
    "activists": gettext_lazy("积极分子"),
}
STAGE_HEADINGS: dict[str, Any] = {
    "applicant": gettext_lazy("入党申请人"),
    "activist": gettext_lazy("入党积极分子"),
    "target": gettext_lazy("发展对象"),
    "probationary": gettext_lazy("预备党员"),
    "member": gettext_lazy("正式党员"),
    "withdrawn": gettext_lazy("已撤回"),
    "rejected": gettext_lazy("未通过"),
    "revoked": gettext_lazy("取消预备党员资格"),
}


class ReportUsageError(Exception):
    """Bad input: the message is Chinese, the exit code 2."""


def parse_day(text: str | None, option: str) -> date:
    if text is None:
        raise ReportUsageError(_("缺少 %(option)s 日期（格式 YYYY-MM-DD）") % {"option": option})
    try:
        if not ISO_DAY.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ReportUsageError(
            _("%(option)s 日期无效：%(text)s（格式 YYYY-MM-DD，须是真实存在的日期）")
            % {"option": option, "text": text}
        ) from None


def find_org(code: str | None) -> Organization:
    if code is None:
        root = Organization.objects.filter(parent__isnull=True).order_by("pk").first()
        if root is None:
            raise ReportUsageError(_("数据库中还没有组织，请先导入组织树"))
        return root
    org = Organization.objects.filter(code=code.strip()).first()
    if org is None:
        raise ReportUsageError(_("没有组织编码为 %(code)s 的组织") % {"code": code})
    return org


class Command(BaseCommand):
    help = "报表统计：某组织及其下一级各组织在某日的发展党员计数（contracts.md §8）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="counts")
        counts = actions.add_parser("counts", help="按日统计发展数、结构和各阶段人数")
        counts.add_argument(
            "--as-of", dest="as_of", metavar="DATE", help="统计截止日（含当日），YYYY-MM-DD"
        )
        counts.add_argument(
            "--from",
            dest="start",
            metavar="DATE",
            help="发展数的起始日（含当日），默认为截止日所在年的1月1日",
        )
        counts.add_argument("--org", metavar="CODE", help="组织编码（默认：根组织，即区委）")
        counts.add_argument("--json", action="store_true", help="输出 JSON（contracts.md §8）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = parse_day(options.get("as_of"), "--as-of")
            start = (
                parse_day(options["start"], "--from")
                if options.get("start") is not None
                else date(as_of.year, 1, 1)
            )
            if start > as_of:
                raise ReportUsageError(
                    _("--from（%(start)s）晚于 --as-of（%(as_of)s）")
                    % {"start": start, "as_of": as_of}
                )
            org = find_org(options.get("org"))
        except ReportUsageError as error:
            self.stderr.write(str(error))
            self.stderr.flush()
            sys.exit(USAGE_ERROR)
        report = report_counts(org, start=start, as_of=as_of)
        if report.unreadable:
            ids = "、".join(str(pk) for pk in report.unreadable[:20])
            self.stderr.write(
                _("注意：%(n)s 份档案的记录无法读取，未计入（档案 id：%(ids)s）")
                % {"n": len(report.unreadable), "ids": ids}
            )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(human_lines(report)))


# -- human output ---------------------------------------------------------------------------------


def _width(text: str) -> int:
    """Terminal columns: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(row[col]) for row in rows) for col in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            # Names left, numbers right.
            cell + " " * (widths[col] - _width(cell))
            if col < 2
            else " " * (widths[col] - _width(cell)) + cell
            for col, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _label(item: OrgCounts, total: bool) -> list[str]:
    name = item.org.short_name or item.org.name
    return [item.org.code, _("%(name)s（合计）") % {"name": name} if total else name]


def human_lines(report: CountsReport) -> list[str]:
    items = [(report.root, True), *((child, False) for child in report.children)]
    count_rows = [[_("组织编码"), _("组织"), *(str(COUNT_HEADINGS[k]) for k in COUNT_KEYS)]]
    stage_rows = [[_("组织编码"), _("组织"), *(str(STAGE_HEADINGS[s]) for s in STAGES)]]
    for item, total in items:
        values = item.counts.as_dict()
        count_rows.append([*_label(item, total), *(str(values[k]) for k in COUNT_KEYS)])
        stage_rows.append([*_label(item, total), *(str(item.stages[s]) for s in STAGES)])
    return [
        _("发展党员统计：%(name)s（%(code)s）")
        % {"name": report.root.org.name, "code": report.root.org.code},
        _(
            "发展数及结构：%(start)s 至 %(as_of)s 批准为预备党员者（年龄、学历、职业按支部大会"
            "讨论时计）；积极分子及各阶段人数：%(as_of)s 日终"
        )
        % {"start": report.start.isoformat(), "as_of": report.as_of.isoformat()},
        "",
        *_table(count_rows),
        "",
        _("各阶段人数（%(as_of)s 日终）") % {"as_of": report.as_of.isoformat()},
        *_table(stage_rows),
    ]
