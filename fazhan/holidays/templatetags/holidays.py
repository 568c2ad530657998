"""`{% load holidays %}`: mark deadlines that fall in a year whose holiday table is not confirmed.

    {{ candidate.next_due|provisional_mark }}            2027-03-01（暂定）
    {{ n.latest|provisional_mark }}                      works on "2027-03-01" strings too
    {% if candidate.next_due|provisional %}…{% endif %}

Such a deadline was counted Monday to Friday (contracts.md §3) and may move by a few days once the
State Council's arrangement for that year is entered and confirmed.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhan.holidays.table import is_provisional

register = template.Library()

_LEADING_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        match = _LEADING_DATE.match(value)
        if match is not None:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


@register.filter
def provisional(value: Any) -> bool:
    """True when the value is a date (or starts with YYYY-MM-DD) in a provisional year."""
    day = _as_date(value)
    return day is not None and is_provisional(day)


@register.filter
def provisional_mark(value: Any) -> Any:
    """The date as YYYY-MM-DD (a string keeps its own form), followed by （暂定） when its year's
    holiday table is neither shipped nor confirmed. Anything that is not a date passes unchanged."""
    day = _as_date(value)
    if day is None:
        return value
    text = value if isinstance(value, str) else day.isoformat()
    if not is_provisional(day):
        return text
    mark = _("（暂定）")  # outside the f-string, where makemessages finds it
    return f"{text}{mark}"
