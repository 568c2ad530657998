"""A step's content and scans as the candidate page shows them (Issue 14 item 1): under each step
of the timeline, and the current 培养联系人 and 入党介绍人 by name at the top.

Members are stored in events by id (DESIGN principle 8); their names are read here, for the page
only. A correction's replacement counts for the current contacts and introducers; a superseded
event does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from fazhan.attachments.models import Attachment
from fazhan.attachments.sniff import TYPE_LABELS
from fazhan.audit.models import Event as ChainEvent
from fazhan.orgs.models import Member
from fazhan.people.content import content_member_ids, content_rows

MEMBER_TITLES = {"contacts": gettext_lazy("培养联系人"), "introducers": gettext_lazy("入党介绍人")}


def _member_ids(payload: Mapping[str, Any]) -> set[int]:
    ids: set[Any] = set()
    for key in MEMBER_TITLES:
        ids |= {m.get("member_id") for m in payload.get(key) or () if isinstance(m, Mapping)}
    replacement = payload.get("replacement")
    if isinstance(replacement, Mapping):
        ids |= _member_ids(replacement)
    return {i for i in ids if isinstance(i, int)} | content_member_ids(payload)


def _names(members: Iterable[Any], names: Mapping[int, str]) -> str:
    return "、".join(
        names.get(m.get("member_id") or 0, "—") for m in members or () if isinstance(m, Mapping)
    )


def _rows(step: str, payload: Mapping[str, Any], names: Mapping[int, str]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for key, title in MEMBER_TITLES.items():
        if payload.get(key):
            rows.append({"label": str(title), "value": _names(payload[key], names)})
    rows += [{"label": k, "value": v} for k, v in content_rows(step, payload, names)]
    return rows


def _current(chain: list[ChainEvent], key: str, step: str) -> list[dict[str, Any]]:
    """The members named by the latest effective event of `step` (a replacement counts)."""
    superseded = {str(e.payload.get("supersedes")) for e in chain if e.kind == "correct"}
    found: list[tuple[str, int, Mapping[str, Any]]] = []
    for e in chain:
        if e.kind == step and str(e.seq) not in superseded:
            found.append((e.happened_on.isoformat() if e.happened_on else "", e.seq, e.payload))
        replacement = e.payload.get("replacement") if e.kind == "correct" else None
        if isinstance(replacement, Mapping) and replacement.get("type") == step:
            found.append((str(replacement.get("date") or ""), e.seq, dict(replacement)))
    if not found:
        return []
    return list(max(found, key=lambda item: (item[0], item[1]))[2].get(key) or [])


def step_contents(candidate_id: int, chain: list[ChainEvent]) -> dict[str, Any]:
    """For the candidate page: `contents` (seq → rows of label and value), `scans` (seq → the
    event's attachments) and `people_now` (the current contacts and introducers by name)."""
    ids: set[int] = set()
    for event in chain:
        ids |= _member_ids(event.payload)
    names = dict(Member.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    contents = {e.seq: rows for e in chain if (rows := _rows(e.kind, e.payload, names))}
    scans: dict[int, list[dict[str, Any]]] = {}
    for attachment in Attachment.objects.filter(candidate_id=candidate_id).order_by("pk"):
        scans.setdefault(attachment.event_seq, []).append(
            {
                "pk": attachment.pk,
                "name": attachment.original_name,
                "type": str(TYPE_LABELS.get(attachment.content_type, "")),
                "kb": max(1, round(attachment.size / 1024)),
            }
        )
    people_now = [
        {"label": str(title), "names": _names(_current(chain, key, step), names)}
        for key, title, step in (
            ("contacts", MEMBER_TITLES["contacts"], "S05"),
            ("introducers", MEMBER_TITLES["introducers"], "S09"),
        )
    ]
    return {"contents": contents, "scans": scans, "people_now": people_now}
