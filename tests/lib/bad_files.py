"""Hostile upload files, made in memory (no binaries in the repository)."""

from __future__ import annotations

import functools
import io
import struct
import zipfile
from collections.abc import Callable, Sequence

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"


def workbook(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, change: Callable[[str, bytes], bytes] = lambda n, b: b) -> bytes:
    """The same archive with each member passed through `change(name, content)`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(
                info.filename, change(info.filename, source.read(info)), zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


def zip_bomb(data: bytes, size: int) -> bytes:
    """`data` (an .xlsx) plus a member of `size` zero bytes: a few hundred kB compressed."""
    out = io.BytesIO(rezip(data))
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("xl/media/padding.bin", "w", force_zip64=True) as stream,
    ):
        chunk = bytes(1024 * 1024)
        for _ in range(size // len(chunk) + 1):
            stream.write(chunk)
    return out.getvalue()


LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10)
        for i in range(8)
    )
    + b"]>"
)


def entity_expansion(data: bytes) -> bytes:
    """The sheet's XML behind a DTD of nested entities ("billion laughs"), used in a cell."""

    def change(name: str, content: bytes) -> bytes:
        if name != SHEET:
            return content
        body = content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content
        body = body.replace(b"<v>", b"<v>&i;", 1) if b"<v>" in body else body
        return LAUGHS + body

    return rezip(data, change)


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def broken_member(data: bytes, member: str = SHEET) -> bytes:
    """A member's compressed bytes damaged in the middle (the zip directory is intact)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    raw = bytearray(data)
    # The local header is 30 bytes plus its name and extra field; damage the data after it.
    at = info.header_offset
    name_length, extra_length = struct.unpack("<HH", data[at + 26 : at + 30])
    start = at + 30 + name_length + extra_length
    for offset in range(start + 5, start + min(info.compress_size, 60)):
        raw[offset] ^= 0x5A
    return bytes(raw)


@functools.cache
def big_bomb() -> bytes:
    """A 210 MB zip bomb in a small workbook (made once per test run: compressing takes seconds)."""
    return zip_bomb(workbook([["姓名", "性别", "出生日期"]]), 210 * 1024 * 1024)


def nested_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth
