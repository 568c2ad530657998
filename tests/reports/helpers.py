"""Files imported into the cast's branches with their dates moved, and running the command."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command

from fazhan.imports.actions import do_import_candidate
from fazhan.orgs.models import Organization
from fazhan.people.models import Candidate
from tests.policy.files import clean_full

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 12, 1)
# clean-full.json's S17 (approval) date: files are moved so that it lands on the day wanted.
CLEAN_S17 = date(2020, 7, 22)


def on(day: date = TODAY) -> Any:
    return time_machine.travel(
        datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI), tick=False
    )


def _move(text: str | None, days: int) -> str | None:
    return None if text is None else (date.fromisoformat(text) + timedelta(days=days)).isoformat()


def moved_events(days: int, last: str | None = None) -> list[dict[str, Any]]:
    """clean-full.json's events, every date moved by `days`, cut after the event `last`."""
    events: list[dict[str, Any]] = copy.deepcopy(clean_full()["events"])
    if last is not None:
        events = events[: next(i for i, e in enumerate(events) if e["id"] == last) + 1]
    for event in events:
        event["date"] = _move(event["date"], days)
        if "end" in event:
            event["end"] = _move(event["end"], days)
        for item in event.get("feedback", []):
            item["date"] = _move(item["date"], days)
            item["resolved"] = _move(item["resolved"], days)
    return events


def approved_on(day: date, last: str = "e20") -> list[dict[str, Any]]:
    """A file whose S17 (approval) falls on `day`."""
    return moved_events((day - CLEAN_S17).days, last)


def import_file(
    user: Any, org: Organization, events: list[dict[str, Any]], **person: Any
) -> Candidate:
    fields = {"name": "测试人员", "sex": "M", "birth_date": "1995-08-15"}
    fields.update(person)
    with on():
        return do_import_candidate(
            user, org=org, person_fields=fields, id_number=None, events=events
        )


def run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("report", *args, stdout=out, stderr=err)
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def counts_json(*args: str) -> dict[str, Any]:
    code, out, err = run("counts", "--json", *args)
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def child(document: dict[str, Any], code: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in document["children"] if c["org"] == code)
    return found
