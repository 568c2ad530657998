"""The holiday table the engine counts working days with: the shipped years plus the years district
staff confirmed in the database (contracts.md §3).

`current_table()` is what every caller of `fazhan.policy.engine.evaluate(..., table=...)` passes. It
is cached per process and rebuilt when any `HolidayYear` row changes (its key is the number of rows
and the latest `updated_at`), so another app server's confirmation is seen on the next call. A sweep
over thousands of files should call it once and pass the same table to every evaluation: the table
also remembers its working-day counts.
"""

from __future__ import annotations

import threading
from datetime import date, datetime
from enum import StrEnum

from django.db.models import Count, Max
from django.utils.translation import gettext_lazy

from fazhan.core import dates
from fazhan.holidays.models import DayKind, HolidayDay, HolidayYear
from fazhan.policy.calendar import HolidayTable, YearEntry, shipped_table

FIRST_YEAR = 2014  # the first year of the shipped table and of 细则 (2014)

_lock = threading.Lock()
_cached: tuple[tuple[int, datetime | None], HolidayTable] | None = None


def _key() -> tuple[int, datetime | None]:
    row = HolidayYear.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return row["n"], row["last"]


def _build() -> HolidayTable:
    confirmed = list(HolidayYear.objects.filter(confirmed=True).order_by("year"))
    holidays: dict[int, set[date]] = {y.pk: set() for y in confirmed}
    workdays: dict[int, set[date]] = {y.pk: set() for y in confirmed}
    names: dict[date, str] = dict(shipped_table().names)
    for day in HolidayDay.objects.filter(year__in=confirmed):
        if day.kind == DayKind.HOLIDAY:
            holidays[day.year_id].add(day.date)
            names[day.date] = day.name
        else:
            workdays[day.year_id].add(day.date)
            # The shipped table names a make-up workday "春节调休上班"; keep the same shape.
            names[day.date] = f"{day.name}调休上班" if day.name else "调休上班"
    entries = [
        YearEntry(y.year, frozenset(holidays[y.pk]), frozenset(workdays[y.pk])) for y in confirmed
    ]
    merged = shipped_table().with_years(entries)
    # `with_years` keeps the shipped names only; a confirmed year replaces a shipped one entirely,
    # so its shipped names go too.
    years = {e.year for e in entries}
    names = {
        d: n
        for d, n in names.items()
        if d.year not in years or d in merged.holidays or d in merged.workdays
    }
    return HolidayTable(merged.holidays, merged.workdays, merged.years, names)


def current_table() -> HolidayTable:
    """The shipped table with the confirmed database years over it (later entries win)."""
    global _cached  # noqa: PLW0603 - the per-process cache is the point of this module
    key = _key()
    cached = _cached
    if cached is not None and cached[0] == key:
        return cached[1]
    table = _build()
    with _lock:
        _cached = (key, table)
    return table


def invalidate() -> None:
    """Forget the cached table (the actions call it after a change; the key would catch it too)."""
    global _cached  # noqa: PLW0603
    with _lock:
        _cached = None


def is_provisional(day: date) -> bool:
    """True when the day's year is neither shipped nor confirmed: working days there are counted
    Monday to Friday and every deadline falling in it is only an estimate."""
    # A confirmed database year replaces a shipped one but never removes it: most deadlines fall in
    # shipped years and are answered without a query.
    if shipped_table().knows(day.year):
        return False
    return not current_table().knows(day.year)


class YearStatus(StrEnum):
    SHIPPED = "shipped"  # in the package's table (2014–2026), nothing confirmed over it
    ENTERED = "entered"  # entered in the database, not confirmed: still provisional
    CONFIRMED = "confirmed"  # confirmed in the database: counts
    MISSING = "missing"  # nothing known: provisional


STATUS_LABELS = {
    YearStatus.SHIPPED: gettext_lazy("随系统提供"),
    YearStatus.ENTERED: gettext_lazy("已录入，待确认"),
    YearStatus.CONFIRMED: gettext_lazy("已确认"),
    YearStatus.MISSING: gettext_lazy("未录入"),
}


def year_status(year: int, row: HolidayYear | None) -> YearStatus:
    """The year's status given its database row (None when it has none)."""
    if row is not None and row.confirmed:
        return YearStatus.CONFIRMED
    if shipped_table().knows(year):
        # An unconfirmed correction of a shipped year does not count yet: the shipped days do.
        return YearStatus.SHIPPED
    return YearStatus.ENTERED if row is not None else YearStatus.MISSING


def listed_years(today: date | None = None) -> range:
    """The years the holiday pages offer: 2014 to next year (the State Council publishes next
    year's arrangement in the last months of the year)."""
    today = today or dates.today()
    return range(FIRST_YEAR, today.year + 2)


def next_year_pending(today: date | None = None) -> int | None:
    """Next year, if its table is not known yet: a reminder for district staff's home page from
    October, when the State Council's notice is due."""
    today = today or dates.today()
    year = today.year + 1
    return None if current_table().knows(year) else year
