"""The candidate file (contracts.md §1) as the import builds and checks it.

Shared by the preview and the apply step so that both judge the same document: the person's
fields as the people table stores them, turned into the contract's `person`, and the events with
only the contract's keys kept (unknown keys are ignored by every reader, and dropping them keeps
personal data such as a feedback giver's name out of the chain: DESIGN principle 8).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from fazhan.audit.chain import PERSONAL_KEYS
from fazhan.people.actions import COMMITTEE_STEPS
from fazhan.policy.data import DEFAULT_POLICY
from fazhan.policy.engine import Evaluation, evaluate
from fazhan.policy.model import (
    CORRECT,
    FORMAT,
    NOTICE_TYPES,
    RESULTS,
    STEPS,
    CandidateFile,
)
from fazhan.policy.parse import Unreadable, parse_date, parse_document

PERSON_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "education",
    "occupations",
    "frontline",
    "unit",
    "ref",
    "graduation_date",
    "leaving_date",
)
DATE_FIELDS = ("birth_date", "graduation_date", "leaving_date")
# The optional dated changes of a file's person (docs/intake.md): kept as the file gives them
# (ISO dates), stored as the person's attribute history on import.
CHANGES = "changes"


# The keys a contract event of each type may carry besides id, type and date (contracts.md §1,
# as fazhan.policy.parse reads them); `assumed` is the roster import's own note of the vote fields
# it did not find on paper (fazhan.imports.roster). Any other key is ignored by every reader.
def event_keys(kind: str) -> frozenset[str]:
    keys: set[str] = set()
    if kind in NOTICE_TYPES:
        keys |= {"end", "feedback"}
    if kind in RESULTS:
        keys.add("result")
    keys |= {
        "S03": {"nomination"},
        "S05": {"contacts"},
        "S09": {"introducers"},
        "S11": {"days", "hours", "exception"},
        "S15": {"vote", "assumed"},
        "S17": {"approver"},
        "S23": {"vote", "assumed", "outcome", "extension_months"},
        "S24": {"approver"},
        "transfer-out": {"from_org", "to_org"},
        "transfer-in": {"from_org", "to_org"},
        CORRECT: {"supersedes", "replacement", "void"},
    }.get(kind, set())
    return frozenset(keys)


VOTE_KEYS = frozenset(
    {
        "expected",
        "present",
        "for",
        "against",
        "abstain",
        "written_for",
        "written_against",
        "written_abstain",
        "secret",
        "candidates",
        "issued",
        "returned",
        "tellers",
        "monitors",
    }
)
FEEDBACK_KEYS = frozenset({"date", "resolved", "outcome"})
MEMBER_KEYS = frozenset({"name", "status", "discipline", "rights_restored"})
MEMBER_LISTS = ("contacts", "introducers")


def as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return parse_date(value, "date")


def person_document(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The contract's `person` for the people table's fields (fazhan.people.record's shape)."""

    def iso(key: str) -> str | None:
        day = as_date(fields.get(key))
        return day.isoformat() if day else None

    return {
        "ref": fields.get("ref") or None,
        "name": fields.get("name") or None,
        "sex": fields.get("sex"),
        "birth_date": iso("birth_date"),
        "ethnicity": fields.get("ethnicity") or None,
        "education": fields.get("education") or None,
        "occupations": list(fields.get("occupations") or []),
        "frontline": bool(fields.get("frontline")),
        "graduation_date": iso("graduation_date"),
        "leaving_date": iso("leaving_date"),
    } | ({CHANGES: list(fields[CHANGES])} if fields.get(CHANGES) else {})


def person_fields(person: Mapping[str, Any]) -> dict[str, Any]:
    """The people table's fields for a contract `person` (already read by parse_document)."""
    return {
        "name": person.get("name") or "",
        "sex": person.get("sex") or "",
        "birth_date": as_date(person.get("birth_date")),
        "ethnicity": person.get("ethnicity") or "",
        "education": person.get("education") or "",
        "occupations": list(dict.fromkeys(person.get("occupations") or [])),
        "frontline": bool(person.get("frontline")),
        "unit": str(person.get("unit") or "")[:128],
        "ref": person.get("ref") or "",
        "graduation_date": as_date(person.get("graduation_date")),
        "leaving_date": as_date(person.get("leaving_date")),
    } | ({CHANGES: list(person[CHANGES])} if person.get(CHANGES) else {})


def build_document(
    fields: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    *,
    policy: str | None,
    as_of: date,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "policy": policy or DEFAULT_POLICY,
        "as_of": as_of.isoformat(),
        "person": person_document(fields),
        "events": [dict(event) for event in events],
    }


def validate(
    fields: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    *,
    policy: str | None,
    as_of: date,
) -> CandidateFile:
    """The document the import will record, read as `fazhan check` reads it, with no event after
    `as_of`. Raises Unreadable: the only ground on which past facts are refused (principle 4)."""
    parsed = parse_document(build_document(fields, events, policy=policy, as_of=as_of))
    future_dates(events, as_of)
    return parsed


def judge(
    fields: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    *,
    policy: str | None,
    as_of: date,
) -> Evaluation:
    """The engine's verdict on that document as of `as_of`: the judgement the projection will
    make once the events are on the chain (fazhan.people.record.project). Raises Unreadable."""
    return evaluate(validate(fields, events, policy=policy, as_of=as_of))


def future_dates(events: Sequence[Mapping[str, Any]], today: date) -> None:
    """Only what has happened can be imported: an event dated after today is refused, as
    do_record_step refuses it, with the event's JSON path."""
    for index, event in enumerate(events):
        when = event.get("date")
        if isinstance(when, str) and when > today.isoformat():
            raise Unreadable(
                f"events[{index}].date",
                _("日期 %(day)s 晚于今天：只能导入已经发生的事") % {"day": when},
            )


def findings_of(result: Evaluation) -> list[dict[str, str]]:
    return [finding.as_dict() for finding in result.findings]


def clean_event(raw: Mapping[str, Any], path: str) -> dict[str, Any]:
    """The payload the chain stores for a contract event: the contract's keys only, nested
    objects pruned the same way; an `x-` event keeps its own keys if the chain accepts them.
    Members stay as the file names them here; fazhan.imports.actions maps them to the roster."""
    kind = str(raw.get("type", ""))
    if kind.startswith("x-"):
        payload = {k: copy.deepcopy(v) for k, v in raw.items() if k not in ("id", "type", "date")}
        check_chain_safe(payload, path)
        return payload
    payload = {}
    allowed = event_keys(kind)
    for key, given in raw.items():
        if key not in allowed:
            continue
        value = given
        if key == "vote" and isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if k in VOTE_KEYS}
        elif key == "feedback" and isinstance(value, list):
            value = [
                {k: v for k, v in item.items() if k in FEEDBACK_KEYS}
                if isinstance(item, Mapping)
                else item
                for item in value
            ]
        elif key in MEMBER_LISTS and isinstance(value, list):
            value = [
                {k: v for k, v in item.items() if k in MEMBER_KEYS}
                if isinstance(item, Mapping)
                else item
                for item in value
            ]
        elif key == "approver" and isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if k == "can_approve"}
        elif key == "replacement" and isinstance(value, Mapping):
            inner = clean_event(value, f"{path}.replacement")
            value = {"type": value.get("type"), "date": value.get("date"), **inner}
        payload[key] = copy.deepcopy(value)
    return payload


def check_chain_safe(value: Any, path: str) -> None:
    """What the chain would refuse (fazhan.audit.chain: no personal keys, no floats), named by
    its JSON path before anything is written."""
    if isinstance(value, float):
        raise Unreadable(path, _("记录链不接受小数，请改为整数"))
    if isinstance(value, list):
        for index, item in enumerate(value):
            check_chain_safe(item, f"{path}[{index}]")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if str(key).lower() in PERSONAL_KEYS:
                raise Unreadable(
                    f"{path}.{key}", _("事件中不得记录个人信息（DESIGN 原则 8），请删除该字段")
                )
            check_chain_safe(item, f"{path}.{key}")


def member_names(events: Sequence[Mapping[str, Any]]) -> list[str]:
    """Names of the contacts and introducers the events name (replacements included)."""
    names: list[str] = []
    for event in events:
        for source in (event, event.get("replacement") or {}):
            if not isinstance(source, Mapping):
                continue
            for key in MEMBER_LISTS:
                for item in source.get(key) or ():
                    name = item.get("name") if isinstance(item, Mapping) else None
                    if name and name not in names:
                        names.append(name)
    return names


def committee_steps(events: Sequence[Mapping[str, Any]]) -> list[str]:
    """The superior committee's steps (rules-reference §1: S13, S16, S17, S24) in the events."""
    found = {str(e.get("type")) for e in events} & COMMITTEE_STEPS
    return [step for step in STEPS if step in found]
