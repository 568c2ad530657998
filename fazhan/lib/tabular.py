"""Reading the CSV files people save from Excel (rosters of accounts and of candidates)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator


def decode_csv(data: bytes) -> str | None:
    """The text of a CSV file: UTF-8 with or without BOM, else GB 18030 — Excel on Chinese Windows
    saves "CSV" in the ANSI code page, GBK, which GB 18030 reads. None when it is neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def csv_records(text: str) -> Iterator[list[str]]:
    """The records of a CSV text, comma- or tab-separated (as the first line shows). A record
    spanning several lines is one record, as it is one row in Excel."""
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
