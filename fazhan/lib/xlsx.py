"""Writing rows to Excel so that no text is ever evaluated (spreadsheet formula injection).

openpyxl stores any text beginning with `=` as a formula: a plan label or a name typed as
`=HYPERLINK("http://…","点此")` or `=1+1` would run when the clerk opens the export. Every writer
appends its rows through `append_row`, which gives text beginning with `=`, `+`, `-`, `@`, a tab
or a carriage return (OWASP's list of formula triggers) the string type explicitly, so the cell
shows the text as typed. Numbers and dates keep their types.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.functional import Promise
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)


def formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _plain(value: Any) -> Any:
    # A lazily translated label becomes text in the language of the request.
    return str(value) if isinstance(value, Promise) else value


def append_row(sheet: Any, values: Iterable[Any], font: Font | None = None) -> None:
    """Append one row to a worksheet (write-only or not), text never evaluated; `font` for
    every cell of the row (a header)."""
    row = [_plain(value) for value in values]
    if isinstance(sheet, WriteOnlyWorksheet):
        cells: list[Any] = []
        for value in row:
            if font is None and not formula_like(value):
                cells.append(value)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            if formula_like(value):
                cell.data_type = "s"
            if font is not None:
                cell.font = font
            cells.append(cell)
        sheet.append(cells)
        return
    sheet.append(row)
    if not row:
        return
    for column in range(1, len(row) + 1):
        cell = sheet.cell(sheet.max_row, column)
        if formula_like(cell.value):
            cell.data_type = "s"
        if font is not None:
            cell.font = font
