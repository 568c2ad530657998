"""Reading a roster of branch secretaries from CSV or .xlsx into rows (no database access).

Columns, by their header in the first non-empty row (order free, other columns ignored):
支部 (the branch's name or code), 姓名, 用户名 (optional), 手机 (optional, read and dropped: an
intranet without SMS has no use for it, and personal data not needed is not stored). Row numbers
are the sheet's own, so an error names the row a clerk sees in Excel.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from fazhan.lib.tabular import (
    FileRefused,
    Limits,
    open_workbook,
    read_csv,
    sheet_rows,
    upload_limits,
)

MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024

# Header spellings seen in district spreadsheets, per column.
HEADERS: dict[str, tuple[str, ...]] = {
    "branch": ("支部", "党支部", "支部名称", "支部代码", "组织", "组织名称", "组织代码"),
    "name": ("姓名", "书记姓名", "名字"),
    "username": ("用户名", "账号", "帐号", "登录名"),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "电话"),
}
REQUIRED = ("branch", "name")
# The column names errors use, whatever spelling the file had.
COLUMN_LABELS = {"branch": "支部", "name": "姓名", "username": "用户名", "phone": "手机"}


@dataclass(frozen=True)
class RosterRow:
    line: int
    branch: str
    name: str
    username: str = ""


@dataclass(frozen=True)
class RowError:
    """One problem: the sheet row (0 for the file as a whole), the column and what is wrong."""

    line: int
    column: str
    message: str


class RosterFileError(ValueError):
    """The file cannot be read at all (not CSV or .xlsx, not text, empty, too large)."""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    # A code typed as a number comes back from Excel as 101.0.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").strip()


def _limits() -> Limits:
    return upload_limits().narrowed(max_bytes=MAX_BYTES)


def _csv_lines(data: bytes) -> Iterator[list[str]]:
    yield from read_csv(data, _limits())


def _xlsx_lines(data: bytes) -> Iterator[list[str]]:
    limits = _limits()
    with open_workbook(data, limits) as book:
        if not book.worksheets:
            return
        for values in sheet_rows(book.worksheets[0], limits):
            yield [_cell(v) for v in values]


def _header_map(cells: list[str], line: int) -> tuple[dict[str, int], list[RowError]]:
    found: dict[str, int] = {}
    errors: list[RowError] = []
    for index, cell in enumerate(cells):
        text = cell.replace(" ", "").rstrip("*")
        for key, spellings in HEADERS.items():
            if text in spellings:
                if key in found:
                    errors.append(RowError(line, COLUMN_LABELS[key], _("此列出现了两次。")))
                found[key] = index
    for key in REQUIRED:
        if key not in found:
            errors.append(RowError(line, COLUMN_LABELS[key], _("缺少此列。")))
    return found, errors


def _pick(cells: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    return cells[index] if index is not None and index < len(cells) else ""


def read_rows(lines: Iterable[list[str]]) -> tuple[list[RosterRow], list[RowError]]:
    """Rows from a sheet's lines (the first non-empty one is the header)."""
    rows: list[RosterRow] = []
    columns: dict[str, int] | None = None
    for line, raw in enumerate(lines, start=1):
        cells = [_cell(c) for c in raw]
        if not any(cells):
            continue
        if columns is None:
            columns, errors = _header_map(cells, line)
            if errors:
                return [], errors
            continue
        if len(rows) >= MAX_ROWS:
            return [], [RowError(line, "", _("一次最多导入 %(n)s 行。") % {"n": MAX_ROWS})]
        # The phone column is deliberately not read into the row.
        rows.append(
            RosterRow(
                line,
                _pick(cells, columns, "branch"),
                _pick(cells, columns, "name"),
                _pick(cells, columns, "username"),
            )
        )
    if columns is None:
        return [], [RowError(0, "", _("文件是空的。"))]
    if not rows:
        return [], [RowError(0, "", _("文件中没有数据行。"))]
    return rows, []


def read_roster(filename: str, data: bytes) -> tuple[list[RosterRow], list[RowError]]:
    """Rows and the problems that stop the file from being read row by row."""
    if len(data) > MAX_BYTES:
        raise RosterFileError(_("文件过大（不超过 2 MB）。"))
    lower = filename.lower()
    try:
        if lower.endswith(".xlsx"):
            return read_rows(_xlsx_lines(data))
        if lower.endswith((".csv", ".txt", ".tsv")):
            return read_rows(_csv_lines(data))
    except FileRefused as refused:
        raise RosterFileError(refused.problem) from None
    if lower.endswith(".xls"):
        raise RosterFileError(_("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx。"))
    raise RosterFileError(_("请上传 CSV 或 .xlsx 文件。"))
