"""What a public notice discloses: a whitelist, and nothing else reaches a public page.

rules-reference.md §3.1 ("keep personal data minimal (no ID numbers)") and DESIGN principle 8
("public pages show a whitelist of fields and end on time"): name, sex, birth YEAR, education,
unit, the stage proposed, the relevant dates of the procedure, and where to send feedback. Never an
ID number (not even masked), a full birth date, an address, an ethnicity, introducers or the review
record. Public templates receive only these frozen dataclasses, never a Person or a Candidate, so a
template cannot reach a field by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from fazhan.notices.models import PROPOSED, Notice, NoticeEntry, NoticeKind
from fazhan.notices.reportline import REPORT_PHONE, REPORT_SITE
from fazhan.people.models import Education, Sex

# An 18-character resident ID (GB 11643-1999) anywhere in a text: the pattern the tests check every
# public response for, also used as a last guard before a public response leaves the server.
ID_NUMBER_RE = re.compile(r"\d{17}[\dXx]")

# The dates each notice shows, in the order of the procedure (rules-reference §3.1: date of
# application; date named activist or 发展对象; date of admission, for conversion).
DATES_FOR_KIND: dict[str, tuple[tuple[str, str], ...]] = {
    NoticeKind.ACTIVIST: (("applied_on", gettext_noop("申请入党时间")),),
    NoticeKind.TARGET: (
        ("applied_on", gettext_noop("申请入党时间")),
        ("activist_on", gettext_noop("确定为入党积极分子时间")),
    ),
    NoticeKind.ADMISSION: (
        ("applied_on", gettext_noop("申请入党时间")),
        ("activist_on", gettext_noop("确定为入党积极分子时间")),
        ("target_on", gettext_noop("确定为发展对象时间")),
    ),
    NoticeKind.CONVERSION: (
        ("applied_on", gettext_noop("申请入党时间")),
        ("admitted_on", gettext_noop("接收为预备党员时间")),
        ("probation_end", gettext_noop("预备期满时间")),
    ),
}


ENTRY_COLUMNS = (
    "id",
    "notice_id",
    "position",
    "candidate__id",
    "candidate__applied_on",
    "candidate__activist_on",
    "candidate__target_on",
    "candidate__admitted_on",
    "candidate__probation_end",
    "candidate__org__name",
    "candidate__person__name",
    "candidate__person__sex",
    "candidate__person__birth_date",
    "candidate__person__birth_year",
    "candidate__person__education",
    "candidate__person__unit",
)


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_month(day: date) -> str:
    return f"{day.year}年{day.month}月"


def shown_date(day: date) -> str:
    """A date on a public page: the Chinese form, or ISO in English (both forms are what `leaks`
    looks for)."""
    return day.isoformat() if get_language() == "en" else chinese_date(day)


def shown_month(day: date) -> str:
    return day.isoformat()[:7] if get_language() == "en" else chinese_month(day)


@dataclass(frozen=True)
class PublicEntry:
    entry_id: int
    name: str
    sex: str
    birth_year: str
    education: str
    unit: str
    proposed: str
    dates: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PublicNotice:
    token: str
    title: str
    org_name: str
    kind_label: str
    proposed: str
    first_day: str
    end: str
    working_days: int
    contact: str
    entries: tuple[PublicEntry, ...]
    # The 12380 line (fazhan.notices.reportline), the superior committee's contact and the 落款.
    superior_name: str = ""
    superior_phone: str = ""
    superior_address: str = ""
    report_phone: str = REPORT_PHONE
    report_site: str = REPORT_SITE
    signed_on: str = ""


def public_entry(entry: NoticeEntry, kind: str) -> PublicEntry:
    candidate = entry.candidate
    person = candidate.person
    born = person.birth_date
    dates = []
    for field, label in DATES_FOR_KIND[kind]:
        value: date | None = getattr(candidate, field)
        if value is None:
            continue
        # A date that happens to equal the birth date would disclose it: show the month only.
        dates.append((_(label), shown_month(value) if value == born else shown_date(value)))
    education = str(Education(person.education).label) if person.education else "—"
    return PublicEntry(
        entry_id=entry.pk,
        name=person.name,
        sex=str(Sex(person.sex).label),
        birth_year=_("%(year)s年") % {"year": person.birth_year or born.year},
        education=education,
        unit=person.unit or candidate.org.name,
        proposed=str(PROPOSED[NoticeKind(kind)]),
        dates=tuple(dates),
    )


def public_notice(notice: Notice) -> PublicNotice:
    """The notice as the public may read it (only for a published notice)."""
    assert notice.first_day is not None and notice.end is not None
    # Only the whitelisted columns are read (the projection JSON and the ciphertext never are).
    entries = (
        notice.entries.select_related("candidate__person", "candidate__org")
        .only(*ENTRY_COLUMNS)
        .order_by("position", "pk")
    )
    superior = notice.org.parent
    return PublicNotice(
        token=notice.token,
        title=notice.title,
        org_name=notice.org.name,
        kind_label=notice.get_kind_display(),
        proposed=notice.proposed,
        first_day=shown_date(notice.first_day),
        end=shown_date(notice.end),
        working_days=notice.working_days,
        contact=notice.contact,
        entries=tuple(public_entry(e, notice.kind) for e in entries),
        superior_name=superior.name if superior else "",
        superior_phone=superior.phone if superior else "",
        superior_address=superior.address if superior else "",
        signed_on=shown_date(notice.first_day),
    )


def leaks(text: str, birth_dates: list[date] | None = None) -> bool:
    """Whether `text` holds an ID number or one of the given birth dates (ISO or Chinese form)."""
    if ID_NUMBER_RE.search(text):
        return True
    return any(born.isoformat() in text or chinese_date(born) in text for born in birth_dates or ())
