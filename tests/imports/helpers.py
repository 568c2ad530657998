"""Building roster workbooks and CSV files in memory, and pinning the day of an import."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from openpyxl import Workbook

from fazhan.imports.roster import COLUMNS
from fazhan.people.idnumber import make_demo_id

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2024, 6, 3)
HEADERS = [c.header for c in COLUMNS]


def on(day: date = TODAY):
    """Freeze the clock on `day`, 10:00 in Shanghai (the projection judges as of today)."""
    return time_machine.travel(
        datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI), tick=False
    )


def xlsx(
    rows: list[dict[str, object]], headers: list[str] | None = None, title: str | None = None
) -> bytes:
    """A workbook with the template's headers (or `headers`) and one row per dict (header → value)."""
    headers = headers or HEADERS
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[dict[str, object]], *, bom: bool = True, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in HEADERS])
    text = buffer.getvalue()
    return ("\ufeff" if bom else "").encode(encoding) + text.encode(encoding)


def person(
    name: str,
    *,
    sex: str = "男",
    born: date = date(1990, 5, 17),
    serial: int = 0,
    branch: str = "D-A-1-1",
    **steps: object,
) -> dict[str, object]:
    """A roster row (Chinese headers) with a matching demo ID number."""
    row: dict[str, object] = {
        "姓名": name,
        "性别": sex,
        "出生日期": born,
        "身份证号": make_demo_id(born, "M" if sex == "男" else "F", serial),
        "民族": "汉族",
        "学历": "本科",
        "职业": "工人、专业技术人员",
        "一线": "是",
        "工作单位": "示例单位",
        "党支部": branch,
    }
    row.update(steps)
    return row


# A person at each stage, with dates that keep the rules where a roster can.
APPLICANT = {"申请日期": date(2024, 4, 8), "谈话日期": date(2024, 4, 22)}
ACTIVIST = {
    "申请日期": date(2022, 9, 5),
    "谈话日期": date(2022, 9, 19),
    "积极分子公示": "2022-11-07～2022-11-11",
    "确定积极分子日期": date(2022, 11, 15),
    "推荐方式": "党员推荐",
}
TARGET = ACTIVIST | {
    "发展对象公示": "2023-11-13～2023-11-17",
    "确定发展对象日期": date(2023, 11, 21),
    "政审日期": date(2023, 12, 20),
    "政审结论": "合格",
    "培训日期": date(2024, 1, 8),
    "培训天数": 3,
    "培训学时": 24,
}
PROBATIONARY = TARGET | {
    "预审日期": date(2024, 3, 4),
    "支部大会日期": date(2024, 3, 18),
    "支部大会表决": "18/15/14/1/0",
    "审批日期": date(2024, 4, 15),
}
MEMBER = {
    "申请日期": "2020/03/02",
    "谈话日期": "2020.03.16",
    "积极分子公示": "2020-05-11～2020-05-15",
    "确定积极分子日期": "2020年5月19日",
    "推荐方式": "共青团推优",
    "发展对象公示": "2021-05-24～2021-05-28",
    "确定发展对象日期": date(2021, 6, 1),
    "政审日期": date(2021, 6, 21),
    "培训日期": date(2021, 7, 5),
    "培训天数": 3,
    "预审日期": date(2021, 8, 2),
    "支部大会日期": date(2021, 8, 16),
    "支部大会表决": "20 18 17 1 0",
    "审批日期": date(2021, 9, 13),
    "转正公示": "2022-08-08～2022-08-12",
    "转正日期": date(2022, 8, 16),
    "转正表决": "21/19/19/0/0",
}
