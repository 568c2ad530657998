"""The reconstruction attack of docs/privacy.md, played on a demo district and on every export.

The attacker knows the district's area codes and reads every table through SQL and every export
file (the candidate files, the candidate list), but holds no key. For each person they gather what
is readable (the sex, the birth year, the masked copy, the admission date and the age-band flags,
findings quoting the 18th birthday, and the birth date and birth month of the exports) and count
the ID numbers consistent with all of it: a real birth date, the sex digit, the check character.
The count is exact: the sequence code and the check character depend on the first fourteen
digits only through their weighted sum modulo 11, so one table of 11 counts per masked form
replaces the 500 sequence codes, and each person costs one step per possible (area, birth date).
"""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from fazhan.accounts.models import User
from fazhan.demo.builder import build_demo
from fazhan.people.idnumber import CHECK_CHARS, DEMO_AREA, WEIGHTS, make_demo_id
from fazhan.people.models import Candidate, Person
from fazhan.policy.calendar import add_months

FLOOR = 100  # issue 11, item 1
# Something shaped like an ID number, masked or not, standing alone in a text.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ID_LIKE = re.compile(r"(?<![0-9A-Za-z*])[0-9*]{17}[0-9X*](?![0-9A-Za-z*])")


@dataclass
class Knowledge:
    """What the attacker holds about one person."""

    sex: str
    masks: set[str] = field(default_factory=set)
    dates: set[date] = field(default_factory=set)


def _days_of(year: int) -> set[date]:
    first = date(year, 1, 1)
    return {first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)}


def _shown(mask: str, value: str) -> bool:
    return all(m in ("*", v) for m, v in zip(mask, value, strict=True))


@cache
def _sequence_table(mask: str, sex: str) -> tuple[int, ...]:
    """For each residue r of the first 14 digits' weighted sum modulo 11, how many sequence codes
    of the sex's parity, agreeing with the mask, also give a check character the mask allows."""
    table = [0] * 11
    for code in range(1000):
        if (code % 2 == 1) != (sex == "M"):
            continue
        digits = f"{code:03d}"
        if not _shown(mask[14:17], digits):
            continue
        part = sum(int(d) * w for d, w in zip(digits, WEIGHTS[14:17], strict=True))
        for r in range(11):
            if mask[17] in ("*", CHECK_CHARS[(r + part) % 11]):
                table[r] += 1
    return tuple(table)


def count_numbers(mask: str, sex: str, areas: Iterable[str], dates: Iterable[date]) -> int:
    """Exactly how many valid numbers agree with the mask, the sex, an area and a birth date."""
    table = _sequence_table(mask, sex)
    middle = mask[6:14]
    hidden = middle == "*" * 8
    total = 0
    for area in areas:
        if not _shown(mask[:6], area):
            continue
        head = _weighted(area, 0)
        for day in dates:
            digits, part = _date_part(day)
            if hidden or _shown(middle, digits):
                total += table[(head + part) % 11]
    return total


def _weighted(digits: str, start: int) -> int:
    return sum(int(d) * w for d, w in zip(digits, WEIGHTS[start:], strict=False))


@cache
def _date_part(day: date) -> tuple[str, int]:
    """The birth-date digits and their part of the weighted sum (positions 7-14)."""
    digits = f"{day:%Y%m%d}"
    return digits, _weighted(digits, 6)


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def read_database() -> tuple[dict[int, Knowledge], list[str]]:
    """Every table through SQL, as the attacker sees it: per person what narrows the number, and
    all text of every cell."""
    texts: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # table names from the schema
            texts.extend(str(cell) for row in cursor.fetchall() for cell in row if cell is not None)
        cursor.execute(
            "SELECT id, sex, birth_year, birth_date, id_number_masked FROM people_person"
        )
        people = {}
        for pk, sex, year, stored, masked in cursor.fetchall():
            clear = _as_date(stored)  # the column as stored: a date only if kept in clear
            people[pk] = Knowledge(sex=sex, dates={clear} if clear else _days_of(year))
            if masked:
                people[pk].masks.add(masked)
        cursor.execute(
            "SELECT person_id, admitted_on, le35_at_admission, le25_at_admission, projection "
            "FROM people_candidate"
        )
        for pk, admitted_on, le35, le25, stored in cursor.fetchall():
            known = people[pk]
            admitted = _as_date(admitted_on)
            # contracts §4: le35 when the S15 is before the birth date + 432 months (le25: 312).
            for flag, months in ((le35, 432), (le25, 312)):
                if admitted is not None and flag is not None:
                    known.dates = {
                        d for d in known.dates if (admitted < add_months(d, months)) == bool(flag)
                    }
            projection = stored if isinstance(stored, dict) else json.loads(stored or "{}")
            for finding in projection.get("findings", []):
                if finding.get("id") == "age.under18":  # its message quotes the 18th birthday
                    quoted = {_as_date(d) for d in ISO_DATE.findall(finding.get("message", ""))}
                    known.dates = {d for d in known.dates if add_months(d, 216) in quoted}
    return people, texts


def read_exports(client: Any, people: dict[int, Knowledge]) -> list[str]:
    """Every export the auditor (who reaches every file) can download: each candidate file and
    the candidate list. Linked to the people table by the file's ref, as an attacker would."""
    by_ref = dict(Person.objects.values_list("ref", "pk"))
    texts: list[str] = []
    client.force_login(User.objects.get(username="shenji"))
    for candidate in Candidate.objects.order_by("pk"):
        url = reverse("imports:candidate_json", args=[candidate.pk])
        body = client.get(url).content.decode("utf-8")
        texts.append(body)
        person = json.loads(body)["person"]
        born = _as_date(person["birth_date"])
        known = people[by_ref[person["ref"]]]
        known.dates = {d for d in known.dates if d == born}
    workbook = client.get(reverse("imports:candidates_xlsx")).content
    sheet = load_workbook(io.BytesIO(workbook), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    texts.extend(str(cell) for row in rows for cell in row if cell is not None)
    # The list has no ref: the attacker can still match a row whose name is unique.
    header = [str(h) for h in rows[0]]
    name_at, month_at, id_at = (
        header.index("姓名"),
        header.index("出生年月"),
        header.index("身份证号"),
    )
    names = defaultdict(list)
    for name, pk in Person.objects.values_list("name", "pk"):
        names[name].append(pk)
    for row in rows[1:]:
        if len(names[row[name_at]]) != 1:
            continue
        known = people[names[row[name_at]][0]]
        known.dates = {d for d in known.dates if f"{d:%Y-%m}" == row[month_at]}
        if row[id_at]:
            known.masks.add(str(row[id_at]))
    return texts


def counts(people: dict[int, Knowledge], areas: set[str]) -> dict[int, int]:
    result = {}
    for pk, known in people.items():
        masks = known.masks or {"*" * 18}
        # Each mask is a constraint: what agrees with all of them.
        result[pk] = min(count_numbers(m, known.sex, areas, known.dates) for m in masks)
    return result


@pytest.fixture
def district(db):
    return build_demo(scale=0.05, seed=11)


def _areas(people: dict[int, Knowledge]) -> set[str]:
    """The district's area codes: known to the attacker (the demo's one, and any a mask shows)."""
    return {DEMO_AREA} | {m[:6] for k in people.values() for m in k.masks if m[:6].isdigit()}


def test_it_leaves_every_person_at_least_100_numbers_after_the_database_and_every_export(
    district, client
):
    people, db_texts = read_database()
    export_texts = read_exports(client, people)
    truth = {p.pk: p.decrypt_id_number() for p in Person.objects.all()}
    for pk, known in people.items():
        number = truth[pk]
        assert number is not None
        # The attacker's knowledge is true (the number is among those counted) ...
        assert all(len(m) == 18 and _shown(m, number) for m in known.masks)
        assert date(int(number[6:10]), int(number[10:12]), int(number[12:14])) in known.dates
        # ... and, with the candidate file's birth date, complete on the date.
        assert len(known.dates) == 1
    found = counts(people, _areas(people))
    assert min(found.values()) >= FLOOR, sorted(found.values())[:5]
    # No clear number anywhere, and nothing ID-shaped but the stored masked copies.
    everything = "\n".join(db_texts + export_texts)
    assert not any(number in everything for number in truth.values())
    masks = {m for k in people.values() for m in k.masks}
    assert set(ID_LIKE.findall(everything)) <= masks


def test_it_keeps_birth_dates_out_of_the_database(district):
    """Without the exports the attacker is left with a year, narrowed only by the age flags at
    the admission meeting (one cut of the year, at a day that may leave few days) and findings;
    no birth date is readable in any cell."""
    people, texts = read_database()
    whole_year = {pk for pk, k in people.items() if len(k.dates) >= 365}
    assert len(whole_year) > len(people) / 2  # everyone not yet admitted
    everything = "\n".join(texts)
    born = {p.pk: p.birth_date for p in Person.objects.all()}
    assert not [
        d for d in born.values() if d.isoformat() in everything or f"{d:%Y%m%d}" in everything
    ]
    found = counts(people, _areas(people))
    assert min(found.values()) >= FLOOR
    assert min(found[pk] for pk in whole_year) >= 365 * 500


def test_it_would_have_rebuilt_the_number_from_the_old_masked_copy():
    """The attack is not toothless: the former copy (area and last four) with the exported birth
    date leaves exactly one number, and the check character alone about 45."""
    born = date(1995, 8, 15)
    number = make_demo_id(born, "M", 123)
    assert count_numbers(number[:6] + "*" * 8 + number[14:], "M", {DEMO_AREA}, {born}) == 1
    assert count_numbers("*" * 17 + number[17], "M", {DEMO_AREA}, {born}) < FLOOR
    assert count_numbers(number[:6] + "*" * 12, "M", {DEMO_AREA}, {born}) == 500
    # The sex digit shown would sit exactly on the floor, with no margin.
    assert count_numbers(number[:6] + "*" * 10 + number[16] + "*", "M", {DEMO_AREA}, {born}) == 100
