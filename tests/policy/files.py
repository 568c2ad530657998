"""Candidate files for tests, built as JSON documents so that the parser is exercised too."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from fazhan.policy.engine import Evaluation, evaluate
from fazhan.policy.parse import parse_document

CLEAN_FULL = Path(__file__).resolve().parents[2] / "examples" / "clean-full.json"


def clean_full() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(CLEAN_FULL.read_text(encoding="utf-8"))
    return document


def document(events: list[dict[str, Any]], as_of: str = "2030-01-01", **person: Any) -> dict:
    base_person = {"sex": "F", "birth_date": "1995-08-15", "occupations": ["worker"]}
    base_person.update(person)
    return {
        "format": "fazhan-candidate-file/1",
        "as_of": as_of,
        "person": base_person,
        "events": [{"id": f"e{i}", **e} for i, e in enumerate(events)],
    }


def judge(doc: dict[str, Any], **kwargs: Any) -> Evaluation:
    return evaluate(parse_document(copy.deepcopy(doc)), **kwargs)


def ids(result: Evaluation) -> list[str]:
    return sorted(f.id for f in result.findings)


def findings_of(result: Evaluation, finding_id: str) -> list[tuple[str, str]]:
    return [(f.step, f.date.isoformat()) for f in result.findings if f.id == finding_id]


def events_until(doc: dict[str, Any], last_id: str) -> dict[str, Any]:
    """The clean file cut after the event with id `last_id`."""
    out = copy.deepcopy(doc)
    cut = next(i for i, e in enumerate(out["events"]) if e["id"] == last_id)
    out["events"] = out["events"][: cut + 1]
    return out


def with_event(doc: dict[str, Any], event_id: str, **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    for event in out["events"]:
        if event["id"] == event_id:
            for key, value in changes.items():
                if value is None and key.startswith("_drop_"):
                    event.pop(key[6:], None)
                else:
                    event[key] = value
    return out


def without(doc: dict[str, Any], *event_ids: str) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out["events"] = [e for e in out["events"] if e["id"] not in event_ids]
    return out
