"""Spreadsheet exports never write live formulas (fazhan.lib.xlsx, Step 8)."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import Workbook, load_workbook

from fazhan.imports.export import list_workbook
from fazhan.lib.xlsx import append_row
from fazhan.plans.actions import do_load_plan
from fazhan.plans.models import Plan

HOSTILE = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']


def reread(data: bytes):
    return load_workbook(BytesIO(data)).worksheets[0]


def texts(cells) -> list[tuple[str, object]]:
    return [(cell.data_type, cell.value) for cell in cells]


@pytest.mark.parametrize("write_only", [True, False])
def test_it_writes_formula_like_text_as_text_in_both_modes(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("x") if write_only else book.active
    append_row(sheet, HOSTILE)
    append_row(sheet, [1, -2, date(2024, 1, 2), "文本"])
    buffer = BytesIO()
    book.save(buffer)
    sheet = reread(buffer.getvalue())
    # XML reads a carriage return back as a line feed; the cell is text either way.
    assert texts(sheet[1]) == [("s", value.replace("\r", "\n")) for value in HOSTILE]
    assert [c.data_type for c in sheet[2]][:4] == ["n", "n", "d", "s"]
    assert [sheet["A2"].value, sheet["B2"].value, sheet["C2"].value.date()] == [
        1,
        -2,
        date(2024, 1, 2),
    ]


def test_it_neutralises_the_error_list_and_any_list():
    sheet = reread(list_workbook("错误清单", ["列", "问题"], [HOSTILE[:2], HOSTILE[2:4]]))
    assert texts(sheet[2]) + texts(sheet[3]) == [("s", value) for value in HOSTILE[:4]]


@pytest.mark.django_db
def test_it_exports_a_plan_label_as_text(client, cast):
    plan = do_load_plan(cast.qu, year=2026)
    plan.data["targets"][0]["label"] = "=1+1"
    plan.save()
    cast.sub_a.name = "@SUM(1,2)"
    cast.sub_a.save()
    client.force_login(cast.qu)
    moment = datetime(2026, 9, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        response = client.get(f"/plans/org/{cast.district.pk}/export.xlsx?year=2026")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    labels = [row[1] for row in book["指标"].iter_rows(min_row=5)]
    assert ("s", "=1+1") in texts(labels)
    units = [row[0] for row in book["各单位"].iter_rows(min_row=2)]
    assert ("s", "@SUM(1,2)") in texts(units)
    assert Plan.objects.count() == 1
