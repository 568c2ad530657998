"""Reading uploaded tables (rosters of accounts and of candidates), bounded before they are parsed.

An .xlsx file is a zip of XML: a 765 KB upload once expanded to 2.6 GB and took minutes to read
(Step 8 security review). So the zip directory is checked first (compressed size, the sum of the
members' sizes, the compression ratio, the number of members), every member is decompressed once
against its CRC within those bounds, and an XML part that declares a DOCTYPE or an ENTITY is
refused (openpyxl also parses through defusedxml, a dependency); then rows and columns are
counted while they are read. A CSV file is bounded by its size, its rows and columns and the csv
module's field size. Every refusal is a `FileRefused` with a Chinese sentence for the page.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

MB = 1024 * 1024
# Below this many uncompressed bytes the ratio is not judged: a small sheet of empty cells
# compresses very well and costs nothing to read.
RATIO_FLOOR = 10 * MB
_CHUNK = 1024 * 1024
_XML_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")
# What a damaged member raises while it is decompressed (a bad CRC, a bad deflate stream, a
# truncated file). NotImplementedError is zipfile's own answer to a compression method Python
# lacks (e.g. Deflate64): a file we cannot read, refused like the rest, not a missing feature.
_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)


class FileRefused(ValueError):
    """The upload is refused before or while it is read; `problem` is the Chinese sentence."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True)
class Limits:
    """Bounds of one uploaded table (settings.FAZHAN_UPLOAD_*)."""

    max_bytes: int = 20 * MB
    max_unzipped: int = 200 * MB
    max_ratio: int = 100
    max_members: int = 1000
    max_rows: int = 100_000
    max_columns: int = 200

    def narrowed(self, **changes: int) -> Limits:
        """These limits with some made tighter (never looser)."""
        return replace(self, **{k: min(v, getattr(self, k)) for k, v in changes.items()})


def upload_limits() -> Limits:
    default = Limits()
    return Limits(
        max_bytes=getattr(settings, "FAZHAN_UPLOAD_MAX_BYTES", default.max_bytes),
        max_unzipped=getattr(settings, "FAZHAN_UPLOAD_MAX_UNZIPPED_BYTES", default.max_unzipped),
        max_ratio=getattr(settings, "FAZHAN_UPLOAD_MAX_RATIO", default.max_ratio),
        max_members=getattr(settings, "FAZHAN_UPLOAD_MAX_MEMBERS", default.max_members),
        max_rows=getattr(settings, "FAZHAN_UPLOAD_MAX_ROWS", default.max_rows),
        max_columns=getattr(settings, "FAZHAN_UPLOAD_MAX_COLUMNS", default.max_columns),
    )


def _megabytes(size: int) -> str:
    return f"{size / MB:g}"


def check_size(data: bytes, limits: Limits) -> None:
    if len(data) > limits.max_bytes:
        raise FileRefused(
            _("文件超过 %(n)s MB，请分批导入。") % {"n": _megabytes(limits.max_bytes)}
        )


# -- zip archives (.xlsx, and .zip of candidate files) -------------------------------------------


def open_zip(data: bytes, limits: Limits, *, what: str) -> zipfile.ZipFile:
    """The archive, once its directory is within `limits`: the sizes it declares bound what can
    be read from it (zipfile stops at the declared size and then checks the CRC)."""
    check_size(data, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileRefused(
            _("不是有效的 %(what)s 文件（无法按 zip 格式打开）。") % {"what": what}
        ) from None
    if len(members) > limits.max_members:
        archive.close()
        raise FileRefused(
            _("%(what)s 文件中的条目超过 %(n)d 个，请分批导入。")
            % {"what": what, "n": limits.max_members}
        )
    unzipped = sum(info.file_size for info in members)
    packed = sum(info.compress_size for info in members)
    if unzipped > limits.max_unzipped:
        archive.close()
        raise FileRefused(
            _("%(what)s 文件解压后超过 %(n)s MB，请分批导入。")
            % {"what": what, "n": _megabytes(limits.max_unzipped)}
        )
    if unzipped > RATIO_FLOOR and unzipped > limits.max_ratio * max(packed, 1):
        archive.close()
        raise FileRefused(
            _("%(what)s 文件的压缩比异常（解压后是压缩时的 %(r)d 倍以上），拒绝读取。")
            % {"what": what, "r": limits.max_ratio}
        )
    return archive


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, what: str) -> bytes:
    """One member, whole, checked against its CRC; a damaged member is a FileRefused."""
    try:
        return archive.read(info)
    except _BROKEN:
        raise FileRefused(
            _("%(what)s 文件已损坏：无法解压其中的 %(member)s。")
            % {"what": what, "member": info.filename}
        ) from None


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, xml: bool) -> None:
    """Decompress a member once, in chunks (bounded by its declared size, CRC checked at the
    end); in an XML part, refuse a DTD.

    Excel, WPS and LibreOffice never write a DOCTYPE; entity declarations are how an XML file
    expands a few bytes into gigabytes ("billion laughs"), so any DTD is refused outright."""
    tail = b""
    first = True
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                if not xml:
                    continue
                if first and (chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in chunk[:4]):
                    # UTF-16 would hide the markers from the byte search below.
                    raise FileRefused(
                        _("Excel 文件中的 %(member)s 不是 UTF-8 编码，拒绝读取。")
                        % {"member": info.filename}
                    )
                first = False
                window = tail + chunk
                if any(marker in window for marker in _XML_FORBIDDEN):
                    raise FileRefused(
                        _("Excel 文件中的 %(member)s 含有 DOCTYPE/ENTITY 声明，拒绝读取。")
                        % {"member": info.filename}
                    )
                tail = window[-16:]
    except _BROKEN:
        raise FileRefused(
            _("Excel 文件已损坏：无法解压其中的 %(member)s。") % {"member": info.filename}
        ) from None


def check_xlsx(data: bytes, limits: Limits) -> None:
    """An .xlsx file within `limits`, whole (every member's CRC) and without a DTD."""
    with open_zip(data, limits, what="Excel") as archive:
        for info in archive.infolist():
            if info.flag_bits & 0x1:
                raise FileRefused(_("Excel 文件已加密，请另存为不加密的 .xlsx 后再导入。"))
            if not info.is_dir():
                xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
                _scan(archive, info, xml=xml)


@contextmanager
def open_workbook(data: bytes, limits: Limits) -> Iterator[Workbook]:
    """The workbook, read-only, after `check_xlsx`; closed on exit."""
    from openpyxl import load_workbook

    check_xlsx(data, limits)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # an untrusted file: any failure of the parser is a bad file
        raise FileRefused(_("无法读取 Excel 文件：%(error)s") % {"error": error}) from None
    try:
        yield book
    finally:
        book.close()


def sheet_rows(sheet: Any, limits: Limits) -> Iterator[tuple[Any, ...]]:
    """The values of a read-only sheet, row by row, bounded; a sheet the parser cannot read is
    a FileRefused, whatever openpyxl raised."""
    sheet.reset_dimensions()  # some writers store wrong dimensions: read every cell
    rows = iter(sheet.iter_rows(min_row=1, values_only=True))
    number = 0
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except Exception as error:  # an untrusted file: see open_workbook
            raise FileRefused(_("无法读取 Excel 文件：%(error)s") % {"error": error}) from None
        number += 1
        yield bounded_row(number, cells, limits)


def bounded_row(number: int, cells: Sequence[Any], limits: Limits) -> tuple[Any, ...]:
    """A row without its trailing blank cells, or a FileRefused naming the limit it passes."""
    if number > limits.max_rows:
        raise FileRefused(_("表格超过 %(n)d 行，请分批导入。") % {"n": limits.max_rows})
    width = len(cells)
    while width and (cells[width - 1] is None or cells[width - 1] == ""):
        width -= 1
    if width > limits.max_columns:
        raise FileRefused(
            _("第 %(row)d 行超过 %(n)d 列，请删除多余的列。")
            % {"row": number, "n": limits.max_columns}
        )
    return tuple(cells[:width])


# -- CSV ------------------------------------------------------------------------------------------


def decode_csv(data: bytes) -> str | None:
    """The text of a CSV file: UTF-8 with or without BOM, else GB 18030 — Excel on Chinese Windows
    saves "CSV" in the ANSI code page, GBK, which GB 18030 reads. None when it is neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def csv_records(text: str, limits: Limits | None = None) -> Iterator[list[str]]:
    """The records of a CSV text, comma- or tab-separated (as the first line shows). A record
    spanning several lines is one record, as it is one row in Excel. Bounded by `limits` (rows,
    columns) and by the csv module's field size: a refusal is a FileRefused."""
    bounds = limits or upload_limits()
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileRefused(
                _("CSV 文件第 %(row)d 行无法读取（单元格不能超过 %(n)d 个字符）：%(error)s")
                % {"row": reader.line_num, "n": csv.field_size_limit(), "error": error}
            ) from None
        number += 1
        yield list(bounded_row(number, record, bounds))


def read_csv(data: bytes, limits: Limits) -> Iterator[list[str]]:
    """The records of an uploaded CSV file within `limits`."""
    check_size(data, limits)
    text = decode_csv(data)
    if text is None:
        raise FileRefused(_("无法识别文件编码，请另存为 UTF-8 的 CSV 或 .xlsx。"))
    return csv_records(text, limits)
