"""Citizen ID numbers (公民身份号码), GB 11643-1999. Pure Python: no Django needed, no I/O (the
reasons are translated when Django is set up, and stay Chinese otherwise).

Layout of the 18 characters: 6-digit area code, birth date YYYYMMDD, 3-digit sequence code whose
last digit is odd for men and even for women, and a check character computed by ISO 7064 MOD 11-2.
Demo data uses the area code 999999, which no real area has (contracts.md §6).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

# GB 11643-1999 §8.2: weights 2^(18-i) mod 11 for positions 1..17, and the check character for
# each remainder of the weighted sum modulo 11.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
LENGTH = 18
DEMO_AREA = "999999"
# Catches typed-in years such as 0995 while still accepting the standard's own worked example
# (440524188001010014, born 1880).
EARLIEST_BIRTH_YEAR = 1800


def _(message: str) -> str:
    """Django's gettext once settings are configured (the pages); the Chinese itself otherwise."""
    try:
        from django.conf import settings
        from django.utils.translation import gettext
    except ImportError:  # pragma: no cover - Django is a dependency
        return message
    return gettext(message) if settings.configured else message


SEX_LABELS = {"M": "男", "F": "女"}


class IdNumberError(ValueError):
    """An ID number that cannot be right; the message is the Chinese reason shown to the user."""


@dataclass(frozen=True)
class IdNumber:
    value: str
    area: str
    birth_date: date
    sex: str  # "M" or "F", as contracts.md §1

    @property
    def is_demo(self) -> bool:
        return self.area == DEMO_AREA


def normalize(raw: str) -> str:
    """Strip spaces and turn full-width digits and a lower-case x into the canonical form."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(text.split()).upper()


def check_char(first17: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits."""
    if len(first17) != LENGTH - 1 or not first17.isascii() or not first17.isdigit():
        raise IdNumberError(_("身份证号码前17位应为数字。"))
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def parse(raw: str, *, today: date | None = None) -> IdNumber:
    """Validate an ID number and read the birth date and sex it carries.

    Raises IdNumberError with the reason in Chinese. `today`, when given, also refuses a birth
    date in the future.
    """
    value = normalize(raw)
    if not value:
        raise IdNumberError(_("请填写身份证号码。"))
    if len(value) != LENGTH:
        raise IdNumberError(_("身份证号码应为18位，现为%(n)s位。") % {"n": len(value)})
    body, last = value[:17], value[17]
    if not body.isascii() or not body.isdigit() or last not in "0123456789X":
        raise IdNumberError(_("身份证号码前17位应为数字，第18位应为数字或X。"))
    digits = value[6:14]
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise IdNumberError(
            _("身份证号码中的出生日期%(digits)s不是有效日期。") % {"digits": digits}
        ) from None
    if born.year < EARLIEST_BIRTH_YEAR or (today is not None and born > today):
        raise IdNumberError(_("身份证号码中的出生日期%(digits)s不可能。") % {"digits": digits})
    if check_char(body) != last:
        raise IdNumberError(_("身份证号码校验位不符（GB 11643-1999），请核对号码。"))
    sex = "M" if int(value[16]) % 2 == 1 else "F"
    return IdNumber(value=value, area=value[:6], birth_date=born, sex=sex)


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except IdNumberError:
        return False
    return True


def check_against(raw: str, birth_date: date | None, sex: str | None) -> list[str]:
    """What the entered birth date and sex contradict in the ID number, in Chinese; [] if none.

    An invalid ID number is itself the one item of the list.
    """
    try:
        parsed = parse(raw)
    except IdNumberError as error:
        return [str(error)]
    problems = []
    if birth_date is not None and birth_date != parsed.birth_date:
        problems.append(
            _("出生日期与身份证号码不符：填写为%(entered)s，身份证号码中为%(found)s。")
            % {"entered": birth_date.isoformat(), "found": parsed.birth_date.isoformat()}
        )
    if sex is not None and sex != parsed.sex:
        entered = _(SEX_LABELS[sex]) if sex in SEX_LABELS else sex
        problems.append(
            _("性别与身份证号码不符：填写为%(entered)s，身份证号码中为%(found)s。")
            % {"entered": entered, "found": _(SEX_LABELS[parsed.sex])}
        )
    return problems


# What the masked copy shows (docs/privacy.md). The attacker of the threat model knows the
# district's area codes and reads the database and every export, where the candidate file carries
# the full birth date and the sex (contracts.md §1). The eight birth-date digits are therefore
# known, and of the last four characters only the sequence code is left to guess: 500 codes have
# the parity of the known sex, and each gives exactly one check character. Showing any of
# positions 15-18 cuts that to 100 or below: the check character alone leaves about 500 / 11 = 45
# numbers, the first sequence digit 50, the sex digit exactly 100 (the floor itself, no margin).
# So the masked copy shows the area code only, which the attacker knows anyway: exactly 500
# numbers per person and area.
MASK_SHOWN = 6


def mask(raw: str) -> str:
    """The area code only, e.g. 999999************ (docs/privacy.md: every other character shown
    would let the database and the exports narrow a person to fewer than 100 numbers)."""
    value = normalize(raw)
    if len(value) != LENGTH:
        return "*" * len(value)
    return value[:MASK_SHOWN] + "*" * (LENGTH - MASK_SHOWN)


def make_demo_id(birth_date: date, sex: str, serial: int) -> str:
    """A valid ID number in the demo area 999999 (contracts.md §6).

    `serial` (0–499) picks the sequence code; its last digit is made odd for "M", even for "F", so
    one birth date and sex give 500 distinct numbers.
    """
    if sex not in SEX_LABELS:
        raise ValueError(f"sex must be 'M' or 'F', not {sex!r}")
    if not 0 <= serial < 500:
        raise ValueError(f"serial must be in 0..499, not {serial}")
    if not EARLIEST_BIRTH_YEAR <= birth_date.year <= 9999:
        raise ValueError(f"birth year out of range: {birth_date.year}")
    sequence = 2 * serial + (1 if sex == "M" else 0)
    body = f"{DEMO_AREA}{birth_date:%Y%m%d}{sequence:03d}"
    return body + check_char(body)


def is_demo_id(raw: str) -> bool:
    """Whether the number lies in the demo area 999999 (contracts.md §6)."""
    return normalize(raw).startswith(DEMO_AREA)
