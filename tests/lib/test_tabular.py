"""Uploaded tables are bounded before they are parsed (fazhan.lib.tabular, Step 8)."""

from __future__ import annotations

import pytest

from fazhan.lib.tabular import (
    FileRefused,
    Limits,
    check_xlsx,
    csv_records,
    open_workbook,
    sheet_rows,
)
from tests.lib.bad_files import big_bomb, broken_member, entity_expansion, workbook, zip_bomb

LIMITS = Limits()
ROWS = [["姓名", "性别"], ["示例", "男"]]


def read(data: bytes, limits: Limits = LIMITS) -> list[tuple[object, ...]]:
    with open_workbook(data, limits) as book:
        return list(sheet_rows(book.worksheets[0], limits))


def test_it_reads_a_plain_workbook():
    assert read(workbook(ROWS)) == [("姓名", "性别"), ("示例", "男")]


def test_it_refuses_a_zip_bomb_from_its_directory():
    bomb = big_bomb()
    assert len(bomb) < 1024 * 1024
    with pytest.raises(FileRefused, match="解压后超过 200 MB"):
        check_xlsx(bomb, LIMITS)


def test_it_refuses_an_extreme_compression_ratio_below_the_size_limit():
    bomb = zip_bomb(workbook(ROWS), 30 * 1024 * 1024)
    with pytest.raises(FileRefused, match="压缩比异常"):
        check_xlsx(bomb, LIMITS)


def test_it_refuses_xml_entities():
    with pytest.raises(FileRefused, match="DOCTYPE"):
        read(entity_expansion(workbook(ROWS)))


def test_it_parses_through_defusedxml():
    # The second guard behind the DTD refusal: openpyxl's XML functions come from defusedxml.
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML


def test_it_refuses_a_broken_member():
    with pytest.raises(FileRefused, match="已损坏"):
        read(broken_member(workbook(ROWS)))


def test_it_refuses_rows_and_columns_beyond_the_limits():
    limits = Limits(max_rows=3, max_columns=4)
    assert len(read(workbook([["a"]] * 3), limits)) == 3
    with pytest.raises(FileRefused, match="超过 3 行"):
        read(workbook([["a"]] * 4), limits)
    with pytest.raises(FileRefused, match="第 2 行超过 4 列"):
        read(workbook([["a"], ["a"] * 5]), limits)
    # Blank cells at the end of a row are not columns.
    assert read(workbook([["a", None, None, None, None, ""]]), limits) == [("a",)]


def test_it_refuses_a_huge_csv_field_with_its_row():
    text = "姓名,备注\n示例," + "x" * 1_000_001 + "\n"
    with pytest.raises(FileRefused, match="第 2 行"):
        list(csv_records(text, LIMITS))


def test_it_refuses_csv_rows_beyond_the_limit():
    text = "a\n" * 11
    assert len(list(csv_records(text, Limits(max_rows=11)))) == 11
    with pytest.raises(FileRefused, match="超过 10 行"):
        list(csv_records(text, Limits(max_rows=10)))
