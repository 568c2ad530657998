"""Indicator tables as an Excel workbook (openpyxl): the same rows the dashboard shows."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from fazhan.core import i18n_data
from fazhan.lib.xlsx import append_row
from fazhan.plans.board import KIND_LABELS, STATUS_LABELS, Board, Unit, display_id
from fazhan.policy.targets import CATEGORY_LABELS, COUNT_KEYS

HEADER = Font(bold=True)
FILLS = {
    "met": PatternFill("solid", fgColor="DAFBE1"),
    "at_risk": PatternFill("solid", fgColor="FFF1C2"),
    "unmet": PatternFill("solid", fgColor="FFEBE9"),
}


def required_text(required: int | tuple[int, int], kind: str) -> str:
    if isinstance(required, tuple):
        return f"{required[0]}–{required[1]}"
    return f"≤{required}" if kind == "cap" else f"≥{required}"


def indicator_rows(unit: Unit) -> list[dict[str, Any]]:
    rows = []
    for j in unit.judgements:
        t = j.target
        rows.append(
            {
                # The plan file's words in the reader's language (fazhan/core/i18n_data.py).
                "id": display_id(t.id),
                "label": i18n_data.text(t.label),
                "kind": str(KIND_LABELS.get(t.kind, t.kind)),
                "kind_key": t.kind,
                "required": required_text(j.now.required, t.kind),
                "now": j.now.actual,
                "low": j.low.actual,
                "high": j.high.actual,
                "required_low": required_text(j.low.required, t.kind),
                "status": j.status,
                "status_label": str(STATUS_LABELS[j.status]),
                "gap": j.gap,
                "clause": i18n_data.text(t.clause),
                "basis": i18n_data.text(t.basis),
                "hard": j.hard,
            }
        )
    return rows


def _sheet_header(sheet: Any, titles: list[str]) -> None:
    append_row(sheet, titles, HEADER)


def workbook(board: Board) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("指标")
    plan = board.main.plan
    title = (
        f"{board.org.name} " + _("%(year)s年") % {"year": board.year} + " " + _("发展党员计划指标")
    )
    append_row(sheet, [title], Font(bold=True, size=13))
    append_row(
        sheet,
        [_("计划数"), plan.total if plan else "—", _("统计日期"), board.today.isoformat()]
        + (
            [_("试算：尚未下达本年度计划，按区委《发展党员工作意见》的目标计算")]
            if board.preview
            else []
        ),
    )
    append_row(sheet, [])
    _sheet_header(
        sheet,
        [
            _("编号"),
            _("指标"),
            _("类型"),
            _("要求（按当前）"),
            _("当前"),
            _("年底预计（低）"),
            _("年底预计（高）"),
            _("年底要求（按低端）"),
            _("状态"),
            _("缺口"),
            _("依据"),
        ],
    )
    for row in indicator_rows(board.main):
        append_row(
            sheet,
            [
                row["id"],
                row["label"],
                row["kind"],
                row["required"],
                row["now"],
                row["low"],
                row["high"],
                row["required_low"],
                row["status_label"],
                row["gap"],
                f"{row['clause']}：{row['basis']}",
            ],
        )
        sheet.cell(sheet.max_row, 9).fill = FILLS[row["status"]]

    counts = book.create_sheet(_("计数"))
    _sheet_header(counts, [_("类别"), _("键"), _("当前"), _("年底预计（低）"), _("年底预计（高）")])
    fc = board.main.forecast
    for key in COUNT_KEYS:
        append_row(counts, [CATEGORY_LABELS[key], key, fc.now[key], fc.low[key], fc.high[key]])

    units = book.create_sheet(_("各单位"))
    _sheet_header(
        units,
        [
            _("单位"),
            _("分配数"),
            _("已发展"),
            _("年底预计（低）"),
            _("年底预计（高）"),
            _("浮动区间"),
            _("未达标"),
            _("有风险"),
            _("入党积极分子"),
        ],
    )
    for unit in board.children:
        band = unit.band
        append_row(
            units,
            [
                unit.org.name,
                unit.share.total if unit.share else None,
                unit.now.developed,
                unit.forecast.low.developed,
                unit.forecast.high.developed,
                str(STATUS_LABELS[band.status]) if band else "—",
                unit.unmet,
                unit.at_risk,
                unit.now.activists,
            ],
        )

    dormant = book.create_sheet(_("两年以上未发展"))
    _sheet_header(dormant, [_("党组织"), _("组织代码"), _("最近一次批准")])
    for org in board.dormant:
        last = org.last_approved.isoformat() if org.last_approved else _("从未")
        append_row(dormant, [org.name, org.code, last])

    for ws in book.worksheets:
        ws.column_dimensions["A"].width = 22
        ws.column_dimensions["B"].width = 28
    out = BytesIO()
    book.save(out)
    return out.getvalue()
