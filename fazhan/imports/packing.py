"""A kept import plan as plain values (docs/import.md, "The kept plan").

Unpickling a model instance goes through Django's `Model.__reduce__`/`__setstate__` and costs
about ten times its fields as a plain dict; a date in a tuple costs a call each. So the kept plan
holds its people and files as their fields (`fields_of` / `model_from`), the rows converted for
the insert as they are (`rows_of` / `prepared_from`), and its chain events marshalled as plain
tuples of JSON values with the days as ordinals (`events_blob` / `events_from`). Everything here
is sealed with the plan (Fernet: authenticated) before it is stored: only what this server wrote
is ever read back.
"""

from __future__ import annotations

import marshal
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.db.models.base import ModelState

from fazhan.audit.chain import EncodedEvent
from fazhan.lib.bulkinsert import Prepared

M = TypeVar("M", bound=Model)

_NOT_FIELDS = ("_state", "_django_version")


def fields_of(obj: Model) -> dict[str, Any]:
    """An instance's own values (fields and plain attributes), without Django's state."""
    return {key: value for key, value in obj.__dict__.items() if key not in _NOT_FIELDS}


def model_from(cls: type[M], values: dict[str, Any]) -> M:
    """The instance `fields_of` read, as unsaved (or, with a primary key, as read from the
    database); related objects are cached again by the caller."""
    obj = cls.__new__(cls)
    obj.__dict__.update(values)
    state = ModelState()
    if obj.pk is not None:
        state.adding = False
        state.db = DEFAULT_DB_ALIAS
    obj._state = state
    return obj


def rows_of(prepared: Prepared) -> tuple[Any, ...]:
    """A `Prepared`'s converted rows, without its objects (kept apart, `fields_of`)."""
    return (prepared.fields, prepared.rows, prepared.late, prepared.using)


def prepared_from(objs: Sequence[Model], kept: tuple[Any, ...]) -> Prepared:
    """The `Prepared` of `objs` whose rows `rows_of` kept: nothing converted again."""
    fields, rows, late, using = kept
    prepared = Prepared.__new__(Prepared)
    prepared.objs = objs
    prepared.using = using
    prepared.fields = fields
    prepared.rows = rows
    prepared.late = late
    return prepared


def events_blob(streams: Sequence[Sequence[EncodedEvent]]) -> bytes:
    """Planned events (no candidate yet, no recording time) as one marshalled value."""
    return marshal.dumps(
        [
            [
                (
                    e.kind,
                    e.happened_on.toordinal() if e.happened_on is not None else None,
                    e.payload,
                    e.payload_json,
                    e.recorded_by_id,
                )
                for e in stream
            ]
            for stream in streams
        ]
    )


def events_from(blob: bytes) -> list[list[EncodedEvent]]:
    days: dict[int | None, date | None] = {None: None}
    streams = []
    for stream in marshal.loads(blob):
        events = []
        for kind, ordinal, payload, text, by in stream:
            day = days.get(ordinal)
            if day is None and ordinal is not None:
                day = days[ordinal] = date.fromordinal(ordinal)
            events.append(EncodedEvent(kind, None, day, payload, text, by))
        streams.append(events)
    return streams
