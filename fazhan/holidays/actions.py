"""Entering and confirming a year's holiday table, one `do_<verb>` each (DESIGN.md principle 5).

Only district staff (区委组织部) enter and confirm: the table moves every working-day deadline of
the district (公示 5 个工作日, 细则 art. 16 and the seed's 公示制). Entering a year, or changing an
entered one, leaves it unconfirmed, so no deadline moves until someone confirms what the State
Council's notice says. Each mutation appends one event to the chain with the year and the number of
days, and drops the cached table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.audit.chain import append_event
from fazhan.core import dates
from fazhan.holidays import table
from fazhan.holidays.models import NAME_MAX_LENGTH, DayKind, HolidayDay, HolidayYear

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser

# Generous: a year has about 30 days off or on around the eight statutory holidays.
MAX_DAYS = 80
SATURDAY = 5


# Sent after commit whenever the table the engine counts with changes for a year (a confirmation, or
# a change to a confirmed year, which makes it provisional again), with `year=`. Deadlines already
# projected onto candidate files in that year are then stale: the people app re-projects them.
table_changed = Signal()


def _announce(year: int) -> None:
    transaction.on_commit(lambda: table_changed.send(sender=HolidayYear, year=year))


class HolidayRefused(Exception):
    """The table was not changed; `messages` say why, in Chinese."""

    def __init__(self, messages: list[str] | str) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("；".join(self.messages))


@dataclass(frozen=True, order=True)
class Day:
    date: date
    kind: DayKind
    name: str = ""


def may_edit_holidays(user: UserLike) -> bool:
    """District staff only: the auditor reads, and the system administrator sets no rules."""
    return authority(user).is_district_staff


def _check_editor(actor: UserLike) -> None:
    if not may_edit_holidays(actor):
        raise PermissionDenied(_("只有区委组织部工作人员可以录入和确认节假日。"))


def check_days(year: int, days: Iterable[Day], today: date | None = None) -> list[str]:
    """What is wrong with a year's days; empty when they can be stored."""
    today = today or dates.today()
    problems: list[str] = []
    years = table.listed_years(today)
    if year not in years:
        problems.append(
            _("年份须在 %(first)s 至 %(last)s 之间。") % {"first": years[0], "last": years[-1]}
        )
    seen: set[date] = set()
    listed = list(days)
    if len(listed) > MAX_DAYS:
        problems.append(_("天数过多（%(n)s 天）。") % {"n": len(listed)})
    for day in listed:
        if day.date.year != year:
            problems.append(_("%(d)s 不在 %(y)s 年。") % {"d": day.date, "y": year})
        if day.date in seen:
            problems.append(_("%(d)s 重复。") % {"d": day.date})
        seen.add(day.date)
        # 调休 moves work onto a weekend day; a "make-up workday" on a weekday changes nothing and
        # is almost certainly a typing slip.
        if day.kind == DayKind.WORKDAY and day.date.weekday() < SATURDAY:
            problems.append(_("%(d)s 不是周末，不能是调休上班日。") % {"d": day.date})
        if len(day.name) > NAME_MAX_LENGTH:
            problems.append(_("%(d)s 的名称过长。") % {"d": day.date})
    return problems


FESTIVALS = ("元旦", "春节", "清明", "劳动", "端午", "中秋", "国庆")


def lint_days(days: Iterable[Day]) -> list[str]:
    """Hints, not errors: a statutory holiday (国务院《全国年节及纪念日放假办法》) with no day off
    usually means a line was left out when copying the notice."""
    names = " ".join(d.name for d in days if d.kind == DayKind.HOLIDAY)
    return [
        _("没有“%(f)s”的放假日期，请核对通知。") % {"f": festival}
        for festival in FESTIVALS
        if festival not in names
    ]


def stored_days(row: HolidayYear) -> list[Day]:
    return [Day(d.date, DayKind(d.kind), d.name) for d in row.days.all()]


def do_set_year(
    actor: UserLike, year: int, days: Iterable[Day], *, source: str = ""
) -> HolidayYear:
    """Store the year's holidays and make-up workdays as entered; the year is (again) unconfirmed.

    The same table submitted twice is one change: the second submission records nothing.
    """
    _check_editor(actor)
    listed = sorted(days)
    problems = check_days(year, listed)
    if problems:
        raise HolidayRefused(problems)
    source = source.strip()
    with transaction.atomic():
        row, created = HolidayYear.objects.get_or_create(year=year)
        row = HolidayYear.objects.select_for_update().get(pk=row.pk)
        if not created and stored_days(row) == listed and row.source == source:
            return row
        was_confirmed = row.confirmed
        row.days.all().delete()
        HolidayDay.objects.bulk_create(
            HolidayDay(year=row, date=d.date, kind=d.kind, name=d.name) for d in listed
        )
        row.source = source
        row.entered_by_id = actor.pk
        row.confirmed = False
        row.confirmed_by = None
        row.confirmed_at = None
        row.save()
        append_event(
            kind="holidays.year_set",
            candidate_id=None,
            happened_on=dates.today(),
            payload={"year": year, "days": len(listed)},
            recorded_by_id=actor.pk,
        )
        table.invalidate()
        if was_confirmed:
            _announce(year)
    return row


def do_confirm_year(actor: UserLike, year: int) -> HolidayYear:
    """Confirm an entered year: from now on its working days count and its deadlines are final."""
    _check_editor(actor)
    with transaction.atomic():
        row = HolidayYear.objects.select_for_update().filter(year=year).first()
        if row is None:
            raise HolidayRefused(_("%(y)s 年的节假日尚未录入。") % {"y": year})
        if row.confirmed:
            raise HolidayRefused(_("%(y)s 年的节假日已经确认。") % {"y": year})
        count = row.days.count()
        if not row.days.filter(kind=DayKind.HOLIDAY).exists():
            raise HolidayRefused(_("%(y)s 年没有录入放假日期，不能确认。") % {"y": year})
        row.confirmed = True
        row.confirmed_by_id = actor.pk
        row.confirmed_at = timezone.now()
        row.save()
        append_event(
            kind="holidays.year_confirmed",
            candidate_id=None,
            happened_on=dates.today(),
            payload={"year": year, "days": count},
            recorded_by_id=actor.pk,
        )
        table.invalidate()
        _announce(year)
    return row
