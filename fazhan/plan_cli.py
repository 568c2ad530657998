"""`fazhan plan evaluate` and `fazhan plan lint` (contracts.md §4). Pure: no Django.

    fazhan plan evaluate COUNTS.json [--plan NAME|FILE] [--json]
    fazhan plan lint [--plan NAME|FILE] [--json]

Exit codes: evaluate 1 when a floor, cap or band is unmet (aspirations never fail), else 0; 2 for
unreadable or inconsistent COUNTS, an unknown or unreadable plan, or a usage error; lint 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path
from typing import NoReturn, TextIO

from fazhan.policy import jsontext
from fazhan.policy.targets import (
    Counts,
    CountsError,
    Indicator,
    LintFinding,
    Plan,
    PlanError,
    evaluate,
    lint,
    load_plan,
    validate_counts,
)

DEFAULT_PLAN = "seed"
USAGE = (
    "用法：fazhan plan evaluate COUNTS.json [--plan NAME|FILE] [--json]\n"
    "      fazhan plan lint [--plan NAME|FILE] [--json]"
)
STATUS_LABELS = {"met": "达标", "unmet": "未达标"}
KIND_LABELS = {"floor": "下限", "cap": "上限", "band": "区间", "aspiration": "力争"}


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is exit 2 with a Chinese message rather than SystemExit."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fazhan plan", description="发展党员计划：评估指标、检查计划本身的矛盾")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    evaluate_cmd = commands.add_parser("evaluate", help="按实际计数评估计划指标")
    evaluate_cmd.add_argument(
        "counts", metavar="COUNTS.json", help="十二个计数的 JSON 文件；- 为标准输入"
    )
    lint_cmd = commands.add_parser("lint", help="检查计划本身的矛盾（按计划数计算）")
    for command in (evaluate_cmd, lint_cmd):
        command.add_argument("--plan", default=DEFAULT_PLAN, help="内置计划名或计划文件路径")
        command.add_argument("--json", action="store_true", help="输出 JSON（contracts.md §4）")
    return parser


def main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except _UsageError as error:
        print(f"{USAGE}\n参数错误：{error}", file=sys.stderr)
        return 2
    except SystemExit as stop:  # --help
        return stop.code if isinstance(stop.code, int) else 0
    try:
        plan = load_plan(args.plan)
    except PlanError as error:
        print(str(error), file=sys.stderr)
        return 2
    if args.command == "lint":
        findings = lint(plan)
        if args.json:
            _print_json({"plan": plan.name, "findings": [f.to_json() for f in findings]})
        else:
            _print_lint(plan, findings, sys.stdout)
        return 0
    try:
        counts = _read_counts(args.counts)
    except CountsError as error:
        print(f"计数文件 {args.counts}：{error.message}", file=sys.stderr)
        return 2
    indicators = evaluate(plan, counts)
    if args.json:
        _print_json({"plan": plan.name, "indicators": [i.to_json() for i in indicators]})
    else:
        _print_evaluation(plan, indicators, sys.stdout)
    return 1 if any(indicator.failing for indicator in indicators) else 0


def _read_counts(path: str) -> Counts:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise CountsError(None, "文件不存在") from error
    except (OSError, UnicodeDecodeError) as error:
        raise CountsError(None, f"无法读取（{error}）") from error
    try:
        raw = jsontext.loads(text)
    except json.JSONDecodeError as error:
        raise CountsError(
            None, f"不是有效的 JSON：第{error.lineno}行第{error.colno}列，{error.msg}"
        ) from error
    return validate_counts(raw)


def _print_json(document: dict[str, object]) -> None:
    print(json.dumps(document, ensure_ascii=False, indent=2))


# ---------------------------------------------------------------------------------------------
# Human output (Simplified Chinese)


def _width(text: str) -> int:
    """Terminal columns: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(row[col]) for row in rows) for col in range(len(rows[0]))]
    return [
        "  ".join(_pad(cell, widths[col]) for col, cell in enumerate(row)).rstrip() for row in rows
    ]


def _required_text(indicator: Indicator) -> str:
    required = indicator.required
    if isinstance(required, tuple):
        return f"{required[0]}–{required[1]}"
    return f"≤{required}" if indicator.kind == "cap" else f"≥{required}"


def _heading(plan: Plan) -> str:
    return f"{plan.title}（{plan.name}，{plan.year}年，{plan.issuer}，计划数{plan.total}名）"


def _print_evaluation(plan: Plan, indicators: list[Indicator], out: TextIO) -> None:
    rows = [["编号", "类型", "状态", "要求", "实际", "指标"]]
    for indicator in indicators:
        rows.append(
            [
                indicator.id,
                KIND_LABELS[indicator.kind],
                STATUS_LABELS[indicator.status],
                _required_text(indicator),
                str(indicator.actual),
                indicator.target.label,
            ]
        )
    print(f"计划指标评估：{_heading(plan)}", file=out)
    for line in _table(rows):
        print(line, file=out)
    failing = [i.id for i in indicators if i.failing]
    hoped = [i.id for i in indicators if i.status == "unmet" and not i.failing]
    if failing:
        print(f"结论：{len(failing)}项指标未达标：{'、'.join(failing)}。", file=out)
    else:
        print("结论：下限、上限和浮动区间全部达标。", file=out)
    if hoped:
        print(f"力争目标未达到（只作提示，不算未达标）：{'、'.join(hoped)}。", file=out)


def _print_lint(plan: Plan, findings: list[LintFinding], out: TextIO) -> None:
    print(f"计划检查：{_heading(plan)}，按发展数等于计划数计算", file=out)
    if not findings:
        print("未发现计划内部的矛盾。", file=out)
        return
    print(f"发现{len(findings)}处矛盾：", file=out)
    for number, finding in enumerate(findings, start=1):
        print(f"{number}. {finding.id}（{'、'.join(finding.targets)}）", file=out)
        print(f"   {finding.message}", file=out)
        print(f"   详情：{finding.detail}", file=out)
