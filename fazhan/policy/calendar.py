"""Calendar months and PRC working days.

Months are calendar months (contracts.md §3): add N to the month, keep the day, clamp to the month's
end; a year is 12 months, and a sum of months is added in one step. Working days follow the State
Council's holiday notices: statutory holidays are off and make-up workdays (调休) are on. A year not
in the table is counted Monday to Friday and reported as provisional, never guessed.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, clamped to the end of the target month.

    2019-01-31 + 1 month is 2019-02-28; 2020-02-29 + 12 months is 2021-02-28.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = _stdlib_calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


@dataclass(frozen=True)
class WorkdayCount:
    days: int
    provisional_years: tuple[int, ...]

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)


@dataclass(frozen=True)
class HolidayTable:
    """Statutory holidays and make-up workdays for the years the table knows."""

    holidays: frozenset[date]
    workdays: frozenset[date]
    years: frozenset[int]
    names: Mapping[date, str] = field(default_factory=dict, compare=False)
    # Notices repeat the same periods across thousands of files: remember the counts.
    _counts: dict[tuple[date, date], WorkdayCount] = field(
        default_factory=dict, compare=False, repr=False
    )

    def knows(self, year: int) -> bool:
        return year in self.years

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def count_workdays(self, first: date, last: date) -> WorkdayCount:
        """Working days from `first` to `last`, both inclusive (0 when `last` < `first`)."""
        known = self._counts.get((first, last))
        if known is not None:
            return known
        days = 0
        current = first
        one = timedelta(days=1)
        while current <= last:
            if self.is_workday(current):
                days += 1
            current += one
        unknown = tuple(y for y in range(first.year, last.year + 1) if y not in self.years)
        counted = WorkdayCount(days, unknown if first <= last else ())
        if len(self._counts) < 100_000:
            self._counts[(first, last)] = counted
        return counted

    def add_workdays(self, first: date, count: int) -> date:
        """The day on which a period starting on `first` reaches `count` working days."""
        current = first
        seen = 0
        while True:
            if self.is_workday(current):
                seen += 1
                if seen >= count:
                    return current
            current += timedelta(days=1)

    def with_years(self, extra: Iterable[YearEntry]) -> HolidayTable:
        """This table plus years confirmed elsewhere (the database); later entries win."""
        holidays = set(self.holidays)
        workdays = set(self.workdays)
        years = set(self.years)
        names = dict(self.names)
        for entry in extra:
            holidays = {d for d in holidays if d.year != entry.year}
            workdays = {d for d in workdays if d.year != entry.year}
            holidays.update(entry.holidays)
            workdays.update(entry.workdays)
            years.add(entry.year)
        return HolidayTable(frozenset(holidays), frozenset(workdays), frozenset(years), names)


@dataclass(frozen=True)
class YearEntry:
    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]


@cache
def shipped_table() -> HolidayTable:
    """The table shipped with the package (2014–2026, from the State Council's notices)."""
    raw = json.loads(
        resources.files("fazhan.policies").joinpath("holidays.json").read_text(encoding="utf-8")
    )
    holidays: set[date] = set()
    workdays: set[date] = set()
    names: dict[date, str] = {}
    for entry in raw["years"].values():
        for text, name in entry["holidays"].items():
            holidays.add(date.fromisoformat(text))
            names[date.fromisoformat(text)] = name
        for text, name in entry["workdays"].items():
            workdays.add(date.fromisoformat(text))
            names[date.fromisoformat(text)] = f"{name}调休上班"
    years = frozenset(int(y) for y in raw["years"])
    return HolidayTable(frozenset(holidays), frozenset(workdays), years, names)
