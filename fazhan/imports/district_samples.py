"""A synthetic district to move in (contracts.md §7): its organization tree and its party
members as sheets, for the sample files, the tests and the benchmark. Synthetic data only: Faker
zh_CN names and demo ID numbers in the area 999999."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import IO, Any

from faker import Faker
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from fazhan.imports import members, orgtree
from fazhan.imports.roster import Column
from fazhan.people.idnumber import make_demo_id

ROOT_CODE = "Q"
TYPES = ("社区", "农村", "机关", "事业单位", "国有企业", "非公有制企业", "社会组织", "学校")
MEMBER_SERIALS = (300, 480)  # below the roster samples' (fazhan.imports.samples.FIRST_SERIAL)


def org_rows(count: int, *, seed: int = 2026) -> list[dict[str, Any]]:
    """`count` organizations: the 区委, 党委/党工委/党组 under it, 党总支 under some of those
    and 党支部 filling the rest; codes say the path (Q-03-02-01)."""
    rng = Random(seed)
    rows: list[dict[str, Any]] = [
        {"code": ROOT_CODE, "name": "中共演示区委员会", "short_name": "演示区委",
         "parent": "", "level": "党委", "org_type": "", "can_approve": "是"},
    ]  # fmt: skip
    subs = max(1, count // 40)
    parents: list[tuple[str, int]] = []  # (code, children so far)
    for index in range(1, subs + 1):
        level = rng.choice(("党委", "党委", "党工委", "党组"))
        code = f"{ROOT_CODE}-{index:02d}"
        rows.append(
            {"code": code, "name": f"演示第{index}{level}", "short_name": "", "parent": ROOT_CODE,
             "level": level, "org_type": rng.choice(TYPES), "can_approve": "是"}
        )  # fmt: skip
        parents.append((code, 0))
    generals: list[str] = []
    while len(rows) < count:
        spot = rng.randrange(len(parents))
        parent, used = parents[spot]
        parents[spot] = (parent, used + 1)
        code = f"{parent}-{used + 1:02d}"
        general = parent.count("-") == 1 and rng.random() < 0.15
        rows.append(
            {"code": code, "name": f"{code}{'党总支' if general else '党支部'}", "short_name": "",
             "parent": parent, "level": "党总支" if general else "党支部", "org_type": "",
             "can_approve": ""}
        )  # fmt: skip
        if general:
            parents.append((code, 0))
            generals.append(code)
    return rows


def branch_codes(rows: Iterable[dict[str, Any]]) -> list[str]:
    return [row["code"] for row in rows if row["level"] == "党支部"]


def member_rows(
    count: int, *, branches: Sequence[str], today: date, seed: int = 2026
) -> list[dict[str, Any]]:
    """`count` party members spread over `branches`: mostly full members, a tenth probationary,
    a few under 留党察看; four in five with a demo ID number."""
    rng = Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    serials: Counter[tuple[date, str]] = Counter()
    rows = []
    for index in range(count):
        sex = "M" if rng.random() < 0.7 else "F"
        born = today - timedelta(days=rng.randint(20 * 365, 80 * 365))
        joined = born + timedelta(days=rng.randint(19 * 365, 20 * 365 + 3000))
        if joined >= today:
            joined = today - timedelta(days=rng.randint(400, 800))
        probationary = rng.random() < 0.1
        if probationary:
            joined = today - timedelta(days=rng.randint(30, 360))
        row: dict[str, Any] = {
            "name": fake.name_male() if sex == "M" else fake.name_female(),
            "sex": "男" if sex == "M" else "女",
            "birth_date": born,
            "branch": branches[index % len(branches)],
            "status": "预备党员" if probationary else "正式党员",
            "joined_on": joined,
            "converted_on": None if probationary else joined + timedelta(days=365),
            "discipline": "留党察看" if rng.random() < 0.002 else "",
            "education": rng.choice(("高中", "大专", "本科", "本科", "硕士")),
            "occupations": rng.choice(("工人", "管理人员", "专业技术人员", "离退休人员")),
        }
        if row["converted_on"] is not None and row["converted_on"] > today:
            row["converted_on"] = today
        serial = MEMBER_SERIALS[0] + serials[(born, sex)]
        serials[(born, sex)] += 1
        if rng.random() < 0.8 and serial < MEMBER_SERIALS[1]:
            row["id_number"] = make_demo_id(born, sex, serial)
        rows.append(row)
    return rows


def write_sheet(
    columns: Sequence[Column],
    rows: Iterable[dict[str, Any]],
    target: str | Path | IO[bytes],
    *,
    title: str = "",
) -> None:
    """Rows as a workbook with the template's headers (a title row above when given)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    if title:
        sheet.append([title])
    sheet.append([column.header for column in columns])
    for row in rows:
        values: list[Any] = []
        for column in columns:
            value = row.get(column.key)
            if isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                values.append(cell)
            else:
                values.append(value)
        sheet.append(values)
    book.save(target)


def write_csv(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> str:
    """Rows as CSV text with the template's headers."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.header for column in columns])
    for row in rows:
        writer.writerow(
            [
                value.isoformat() if isinstance(value, date) else ("" if value is None else value)
                for value in (row.get(column.key) for column in columns)
            ]
        )
    return out.getvalue()


ORG_COLUMNS = orgtree.COLUMNS
MEMBER_COLUMNS = members.COLUMNS
