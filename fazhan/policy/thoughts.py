"""The 思想汇报 log's expectation: an activist or development target writes at least one 思想汇报
a quarter (rules-reference §1 step 6: "thought reports ([L] usually quarterly)", 细则 arts. 9–12 on
培养教育考察; the quarter is local practice, not a national article).

A quarter is expected when the candidate was in the stage for the whole of it: from its first day
on or after the filing date (S04) to its last day before the stage ended (or before today, while
it lasts). A report covers the quarter it is recorded for. An activist designated mid-quarter owes
nothing for that first part quarter (a report written then is welcome, not owed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"


def expected_quarters(start: date | None, until: date) -> list[Quarter]:
    """The quarters wholly inside [start, until): the first day on or after `start`, the last day
    before `until` (today while the stage lasts, else the day the stage ended)."""
    if start is None:
        return []
    quarter = Quarter.of(start)
    if quarter.first_day < start:
        quarter = quarter.next()  # designated mid-quarter: that part quarter is not owed
    found = []
    while quarter.last_day < until:
        found.append(quarter)
        quarter = quarter.next()
    return found


def missing_quarters(start: date | None, until: date, covered: Iterable[Quarter]) -> list[Quarter]:
    """The expected quarters no report covers, oldest first."""
    have = set(covered)
    return [q for q in expected_quarters(start, until) if q not in have]
