"""Synthetic rosters for the sample files, the benchmark and the tests (synthetic data only).

People at realistic stages with mostly rule-abiding dates (a month to the talk, a year of
cultivation, notices Monday to Friday, three days of training), Faker zh_CN names and demo ID
numbers in the area 999999 (contracts.md §6), so an import of them mostly shows the findings a
roster cannot avoid (docs/import.md) and the odd holiday-shortened notice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import IO, Any

from faker import Faker
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from fazhan.imports.roster import BY_KEY, COLUMNS
from fazhan.lib.xlsx import BOLD, append_row
from fazhan.people.idnumber import make_demo_id
from fazhan.policy.calendar import add_months

# Shares of a district's pool (DESIGN: at least 1,250 activists, 100 of each other stage).
STAGE_WEIGHTS = {"applicant": 20, "activist": 35, "target": 15, "probationary": 15, "member": 15}
EDUCATIONS = ("初中", "高中", "中专", "大专", "本科", "本科", "硕士")
OCCUPATIONS = ("工人", "农牧渔民", "专业技术人员", "管理人员", "学生", "农村致富能人", "其他")
FIRST_SERIAL = 480  # demo serials count up from 0 per birth date and sex; stay clear of them


def _friday_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 4) % 7 or 7)


class _Person:
    def __init__(self, rng: Random, today: date) -> None:
        self.rng = rng
        self.today = today

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def notice(self, decision: date) -> str:
        # Monday to Friday ending before the decision: five working days (seed 公示制).
        end = _friday_before(decision - timedelta(days=1))
        return f"{end - timedelta(days=4)}～{end}"

    def vote(self) -> str:
        expected = self.rng.randint(9, 40)
        present = expected - self.rng.randint(0, expected // 4)
        against = self.rng.randint(0, 1)
        abstain = self.rng.randint(0, 1)
        return f"{expected}/{present}/{present - against - abstain}/{against}/{abstain}"


def synthetic_row(rng: Random, fake: Faker, stage: str, today: date) -> dict[str, Any]:
    """One roster row (keys of fazhan.imports.roster.COLUMNS) for a person at `stage`."""
    p = _Person(rng, today)
    row: dict[str, Any] = {}
    if stage == "member":
        admitted = add_months(today, -12) - p.days(20, 700)
    elif stage == "probationary":
        admitted = today - p.days(30, 330)
    else:
        admitted = None
    if admitted is not None:
        target_on = admitted - p.days(100, 250)
    elif stage == "target":
        target_on = today - p.days(10, 200)
    else:
        target_on = None
    if target_on is not None:
        activist_on = add_months(target_on, -12) - p.days(1, 150)
    elif stage == "activist":
        activist_on = today - p.days(20, 700)
    else:
        activist_on = None
    if activist_on is not None:
        applied_on = activist_on - p.days(45, 300)
    else:
        applied_on = today - p.days(3, 400)
    born = applied_on - timedelta(days=365 * rng.randint(19, 45) + rng.randint(0, 364))
    sex = rng.choice("MF")
    row.update(
        name=fake.name_male() if sex == "M" else fake.name_female(),
        sex="男" if sex == "M" else "女",
        birth_date=born,
        ethnicity=rng.choice(("汉族", "汉族", "汉族", "土家族", "苗族")),
        education=rng.choice(EDUCATIONS),
        occupations=rng.choice(OCCUPATIONS),
        frontline=rng.choice(("是", "否")),
        unit=fake.company(),
        applied_on=applied_on,
    )
    talk = applied_on + p.days(5, 25)
    if talk <= today:
        row["talked_on"] = talk
    if activist_on is not None:
        row.update(
            activist_notice=p.notice(activist_on),
            activist_on=activist_on,
            nomination=rng.choice(("党员推荐", "党员推荐", "共青团推优", "工会推优")),
        )
    if target_on is not None:
        row.update(target_notice=p.notice(target_on), target_on=target_on)
        steps = {"review_on": p.days(20, 50), "training_on": p.days(30, 70)}
        for key, gap in steps.items():
            if target_on + gap <= today:
                row[key] = target_on + gap
        if "review_on" in row:
            row["review_result"] = "合格"
        if "training_on" in row:
            row.update(training_days=3, training_hours=24)
    if admitted is not None:
        row.update(
            prereview_on=admitted - p.days(10, 25),
            admitted_on=admitted,
            admission_vote=p.vote(),
        )
        approved = admitted + p.days(15, 80)
        if approved <= today:
            row["approved_on"] = approved
    if stage == "member" and admitted is not None:
        converted = add_months(admitted, 12) + p.days(0, 20)
        row.update(
            conversion_notice=p.notice(converted),
            converted_on=converted,
            conversion_vote=p.vote(),
        )
    return row


def synthetic_rows(
    count: int, *, branches: Iterable[str], today: date, seed: int = 2014
) -> list[dict[str, Any]]:
    """`count` rows spread over `branches` (names or codes), stages in STAGE_WEIGHTS' shares,
    each with a valid demo ID number matching the birth date and sex."""
    rng = Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    names = list(branches)
    stages = list(STAGE_WEIGHTS)
    weights = list(STAGE_WEIGHTS.values())
    serials: Counter[tuple[date, str]] = Counter()
    rows = []
    for index in range(count):
        row = synthetic_row(rng, fake, rng.choices(stages, weights)[0], today)
        row["branch"] = names[index % len(names)]
        sex = "M" if row["sex"] == "男" else "F"
        serial = FIRST_SERIAL + serials[(row["birth_date"], sex)]
        serials[(row["birth_date"], sex)] += 1
        if serial < 500:
            row["id_number"] = make_demo_id(row["birth_date"], sex, serial)
        rows.append(row)
    return rows


def write_roster(rows: Iterable[dict[str, Any]], target: str | Path | IO[bytes]) -> None:
    """Write rows as a roster workbook with the template's headers (write-only mode). Dates are
    real date cells, the ID number text, as a clerk's sheet would have them."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("人员名册")
    append_row(sheet, [column.header for column in COLUMNS], BOLD)
    for row in rows:
        values = []
        for column in COLUMNS:
            value = row.get(column.key)
            if isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                values.append(cell)
            else:
                values.append(value)
        append_row(sheet, values)
    book.save(target)


def header_of(key: str) -> str:
    return BY_KEY[key].header
