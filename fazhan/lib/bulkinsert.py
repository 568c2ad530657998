"""Inserting many model rows with their values converted beforehand (an import's write phase).

`bulk_create` converts every value of every row (`get_db_prep_save`) while it inserts; for an
import that runs inside the transaction holding the database's write lock, and costs more than
the insert itself. `Prepared` does the conversion when it is built (outside the transaction) and
`insert` only sends the rows: one multi-row `INSERT ... RETURNING` per batch, the primary keys set
on the objects as `bulk_create` sets them. Values that are known only at insert time (the id of a
row inserted just before) are given as `late` columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import AutoField, BigAutoField, Field, Model, SmallAutoField

Late = Callable[[Any], Any]


class Prepared:
    """The rows of `objs` (unsaved instances of one model, no primary key set) ready to insert;
    `late` maps a field name to the function giving its value from the object at insert time."""

    def __init__(
        self,
        objs: Sequence[Model],
        late: Mapping[str, Late] | None = None,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        self.objs = objs
        self.using = using
        connection = connections[using]
        if not objs:
            self.fields: list[Field[Any, Any]] = []
            self.rows: list[list[Any]] = []
            self.late: list[tuple[int, Field[Any, Any], Late]] = []
            return
        meta = type(objs[0])._meta
        auto = (AutoField, BigAutoField, SmallAutoField)
        self.fields = [f for f in meta.concrete_fields if not isinstance(f, auto)]
        late = late or {}
        self.late = [
            (index, field, late[field.name])
            for index, field in enumerate(self.fields)
            if field.name in late
        ]
        skip = {field.name for field in self.fields if field.name in late}
        self.rows = [
            [
                None
                if field.name in skip
                else field.get_db_prep_save(field.pre_save(obj, True), connection)
                for field in self.fields
            ]
            for obj in objs
        ]

    def insert(self) -> None:
        """Insert the rows (inside the caller's transaction) and set each object's primary key."""
        if not self.objs:
            return
        connection = connections[self.using]
        if not connection.features.can_return_rows_from_bulk_insert:
            type(self.objs[0])._default_manager.using(self.using).bulk_create(self.objs)
            return
        meta = type(self.objs[0])._meta
        pk = meta.pk
        if pk is None:
            raise TypeError(f"{meta.label} has no primary key")
        ops = connection.ops
        for index, field, value in self.late:
            for row, obj in zip(self.rows, self.objs, strict=True):
                given = value(obj)
                setattr(obj, field.attname, given)
                row[index] = field.get_db_prep_save(given, connection)
        quote = ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.fields)
        size = max(1, min(500, ops.bulk_batch_size(self.fields, self.objs)))
        one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        returning = f" RETURNING {quote(meta.db_table)}.{quote(pk.column)}"
        with connection.cursor() as cursor:
            for start in range(0, len(self.objs), size):
                rows = self.rows[start : start + size]
                sql = (
                    f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
                    + ", ".join([one] * len(rows))
                    + returning
                )
                cursor.execute(sql, [value for row in rows for value in row])
                for obj, (key,) in zip(
                    self.objs[start : start + size], cursor.fetchall(), strict=True
                ):
                    setattr(obj, pk.attname, key)
                    obj._state.adding = False
                    obj._state.db = self.using
