"""A person's attributes as dated events: what was in force at a date (contracts.md §4 and §8:
age, education and occupation as at the S15).

The attributes a dated change may set are the education, the occupations, the front line, the
unit and the graduation and leaving dates. A person without changes has the attributes of their
row from the beginning (those that came with an import apply from the file's first event). At the
first change, the row's values before it are kept as the base (an AttributeChange with no date);
each change then overlays its fields from its date on, in date order, so a change entered late
for an earlier date still applies in its place. The row's columns, which the live statistics
and the screens read, are always the attributes in force today.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from fazhan.people.models import AttributeChange, Person

FIELDS = ("education", "occupations", "frontline", "unit", "graduation_date", "leaving_date")
DATE_FIELDS = ("graduation_date", "leaving_date")
# The file format's changeable fields (fazhan.policy.model.CHANGEABLE): the unit is not one.
FILE_FIELDS = ("education", "occupations", "frontline", "graduation_date", "leaving_date")


def current_values(person: Person) -> dict[str, Any]:
    return {
        "education": person.education or "",
        "occupations": list(person.occupations or []),
        "frontline": bool(person.frontline),
        "unit": person.unit or "",
        "graduation_date": person.graduation_date,
        "leaving_date": person.leaving_date,
    }


def stored(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values as the JSON column keeps them (dates as ISO text)."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def loaded(values: Mapping[str, Any]) -> dict[str, Any]:
    """Stored values as the people table holds them (a file's null education is "")."""
    found = {
        k: date.fromisoformat(v) if k in DATE_FIELDS and isinstance(v, str) else v
        for k, v in values.items()
        if k in FIELDS
    }
    for key, empty in (("education", ""), ("occupations", []), ("frontline", False), ("unit", "")):
        if key in found and found[key] is None:
            found[key] = empty
    return found


def history(person: Person) -> list[AttributeChange]:
    """The base and the changes, in the order they apply; [] for a person never changed. A list
    put on `person._attribute_changes` (bulk readers, new people) saves the query."""
    cached = getattr(person, "_attribute_changes", None)
    if cached is not None:
        return list(cached)
    if getattr(person, "pk", None) is None:
        return []
    return ordered(person.attribute_changes.all())


def ordered(rows: Iterable[AttributeChange]) -> list[AttributeChange]:
    return sorted(
        rows, key=lambda r: (r.effective_on is not None, r.effective_on or date.min, r.pk)
    )


def fold(base: Mapping[str, Any], rows: Sequence[AttributeChange], day: date) -> dict[str, Any]:
    values = dict(base)
    for row in rows:
        if row.effective_on is None or row.effective_on <= day:
            values.update(loaded(row.values))
    return values


def attributes_on(person: Person, day: date) -> dict[str, Any]:
    """The person's attributes (FIELDS) in force at the end of `day`."""
    rows = history(person)
    if not rows:
        return current_values(person)
    return fold(current_values(person), rows, day)


def file_person(
    person_fields: Mapping[str, Any], rows: Sequence[AttributeChange]
) -> dict[str, Any]:
    """The candidate file's `person` (contracts §1) for a person with these changes: the fields
    the person came with, and the optional `changes` list (docs/intake.md)."""
    if not rows:
        return dict(person_fields)
    document = dict(person_fields)
    for row in rows:
        if row.effective_on is None:
            document |= _file_values(row.values)
    document["changes"] = [
        {"date": row.effective_on.isoformat()} | _file_values(row.values)
        for row in rows
        if row.effective_on is not None
    ]
    return document


def _file_values(values: Mapping[str, Any]) -> dict[str, Any]:
    # The file says null for an unknown education, where the column says "".
    return {
        k: (v or None) if k == "education" else v for k, v in values.items() if k in FILE_FIELDS
    }


def changes_by_person(person_ids: Iterable[int]) -> dict[int, list[AttributeChange]]:
    """The histories of many people in one query (the counts stream them by chunk)."""
    found: dict[int, list[AttributeChange]] = {}
    for row in AttributeChange.objects.filter(person_id__in=list(person_ids)):
        found.setdefault(row.person_id, []).append(row)
    return {pid: ordered(rows) for pid, rows in found.items()}
