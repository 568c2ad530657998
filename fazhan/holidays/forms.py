"""The year form: the State Council's notice typed or pasted as lines, one day or period a line.

    2027-01-01 元旦
    2027-02-05 至 2027-02-11 春节
    2027-02-07 春节调休上班

A line whose text says 上班 or 补班 (or is just 班) is a make-up workday; anything else is a day
off, named by its text (放假 is dropped). Dates may be written 2027-02-05, 2027/2/5, 2027.2.5 or
2027年2月5日, in full-width characters too; a period is written with 至, 到, ~ or -- between two
full dates. Lines starting with # are comments.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhan.holidays.actions import MAX_DAYS, SATURDAY, Day, check_days
from fazhan.holidays.models import NAME_MAX_LENGTH, DayKind

_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_LINE = re.compile(rf"^{_DATE}(?:(?:\s*(?:至|到|~|--|—+)\s*|\s+-\s+){_DATE})?\s*(.*)$")
_WORK_MARKERS = ("调休上班", "上班", "补班")


def _date(parts: tuple[str | Any, ...]) -> date:
    year, month, day = (int(p) for p in parts)
    return date(year, month, day)


def _kind_and_name(text: str) -> tuple[DayKind, str]:
    text = text.strip().strip("，,;；:：").strip()
    if text == "班" or any(marker in text for marker in _WORK_MARKERS):
        for marker in (*_WORK_MARKERS, "调休"):
            text = text.replace(marker, "")
        return DayKind.WORKDAY, text.strip()
    if text == "休":
        return DayKind.HOLIDAY, ""
    return DayKind.HOLIDAY, text.replace("放假", "").strip()


def parse_days(text: str, year: int) -> tuple[list[Day], list[str]]:
    """The days of `text` and, per line, what could not be read (Chinese, with the line number)."""
    days: list[Day] = []
    errors: list[str] = []
    first_line: dict[date, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        # NFKC turns full-width digits and punctuation (２０２７／１／１) into ASCII.
        line = unicodedata.normalize("NFKC", raw).strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            errors.append(_("第 %(n)s 行：无法识别日期“%(t)s”。") % {"n": number, "t": raw.strip()})
            continue
        groups = match.groups()
        try:
            start = _date(groups[0:3])
            end = _date(groups[3:6]) if groups[3] is not None else start
        except ValueError:
            errors.append(_("第 %(n)s 行：日期不存在“%(t)s”。") % {"n": number, "t": raw.strip()})
            continue
        if end < start or (end - start).days > MAX_DAYS:
            errors.append(_("第 %(n)s 行：起止日期有误。") % {"n": number})
            continue
        kind, name = _kind_and_name(groups[6] or "")
        if len(name) > NAME_MAX_LENGTH:
            errors.append(_("第 %(n)s 行：名称过长。") % {"n": number})
            continue
        current = start
        while current <= end:
            if current.year != year:
                errors.append(
                    _("第 %(n)s 行：%(d)s 不在 %(y)s 年。") % {"n": number, "d": current, "y": year}
                )
            elif kind == DayKind.WORKDAY and current.weekday() < SATURDAY:
                errors.append(
                    _("第 %(n)s 行：%(d)s 不是周末，不能是调休上班日。")
                    % {"n": number, "d": current}
                )
            elif current in first_line:
                errors.append(
                    _("第 %(n)s 行：%(d)s 与第 %(m)s 行重复。")
                    % {"n": number, "d": current, "m": first_line[current]}
                )
            else:
                first_line[current] = number
                days.append(Day(current, kind, name))
            current += timedelta(days=1)
    return sorted(days), errors


def format_days(days: list[Day]) -> str:
    """The text `parse_days` reads back: consecutive days off of one holiday as one period."""
    lines: list[str] = []
    ordered = sorted(days)
    index = 0
    while index < len(ordered):
        day = ordered[index]
        if day.kind == DayKind.WORKDAY:
            lines.append(f"{day.date.isoformat()} {day.name}调休上班")
            index += 1
            continue
        last = index
        while (
            last + 1 < len(ordered)
            and ordered[last + 1].kind == DayKind.HOLIDAY
            and ordered[last + 1].name == day.name
            and ordered[last + 1].date == ordered[last].date + timedelta(days=1)
        ):
            last += 1
        end = ordered[last].date
        period = day.date.isoformat() if end == day.date else f"{day.date} 至 {end}"
        lines.append(f"{period} {day.name}".rstrip())
        index = last + 1
    return "\n".join(lines)


class HolidayYearForm(forms.Form):
    days = forms.CharField(
        label=gettext_lazy("放假和调休上班日期"),
        widget=forms.Textarea(attrs={"rows": 16, "cols": 48, "spellcheck": "false"}),
    )
    source = forms.CharField(
        label=gettext_lazy("依据（通知文号）"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"size": 40, "placeholder": "国办发明电〔2026〕X号"}),
    )

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_days(self) -> list[Day]:
        days, errors = parse_days(self.cleaned_data["days"], self.year)
        # The lines' own errors first, then what is wrong with the year as a whole: all at once.
        errors += check_days(self.year, days)
        if errors:
            raise forms.ValidationError(errors)
        return days


class ConfirmYearForm(forms.Form):
    checked = forms.BooleanField(
        label=gettext_lazy("我已将以上日期与国务院办公厅的通知逐日核对"), required=True
    )
