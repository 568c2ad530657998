"""The one append-only, hash-chained event log (DESIGN principles 1, 2, 8) and its head.

Rows are only ever added by `fazhan.audit.chain`; database triggers (migration 0002) refuse UPDATE
and DELETE of events, so these models carry no business logic beyond refusing the same in Python,
where the error is clearer than the trigger's.
"""

from __future__ import annotations

from typing import Any

from django.db import models

# SHA-256 hex: the genesis event links to 64 zeros.
HASH_LENGTH = 64
GENESIS_HASH = "0" * HASH_LENGTH
HEAD_ID = 1


class AppendOnlyError(Exception):
    """An attempt to change or remove a chained row through the ORM."""


class Event(models.Model):
    """One fact of the record: a step, decision, notice, vote result, transfer or correction.

    `seq` is assigned by the appender, gapless from 1, never by the database: an autoincrement would
    leave gaps on rollback, and a gap is exactly what `verify_chain` reports as a deleted event.
    `candidate_id` and `recorded_by_id` are plain integers, not foreign keys, so that the chain does
    not depend on the people or accounts app and survives the erasure of a person (principle 8).
    """

    seq = models.BigIntegerField(primary_key=True)
    # No separate single-column index: the (candidate_id, seq) index below serves every lookup by
    # candidate (leftmost prefix) and a second index would only slow every append.
    candidate_id = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=64)
    happened_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by_id = models.BigIntegerField(null=True, blank=True)
    # Ids and counts only, never a name or an ID number (principle 8; enforced in chain.py).
    payload = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=HASH_LENGTH)
    hash = models.CharField(max_length=HASH_LENGTH)

    class Meta:
        db_table = "audit_event"
        ordering = ("seq",)
        indexes = (
            models.Index(fields=("candidate_id", "seq"), name="audit_event_candidate_seq"),
            # The year's arrivals from outside the district (the home page's 流动人员 block,
            # fazhan.mobility.picture.figures): a partial index holding those events only, so
            # that other appends never touch it.
            models.Index(
                fields=("happened_on",),
                condition=models.Q(kind="mobility.arrived"),
                name="audit_event_arrivals",
            ),
        )

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("审计事件只能追加，不能修改 (audit events are append-only)")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计事件只能追加，不能删除 (audit events are append-only)")


class ChainHead(models.Model):
    """The head of the chain, kept apart from the events: a cut or an added tail shows against it.

    A single row (id 1), moved in the same transaction as every append. Absent until the first
    append; an empty database with no head is intact.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=HEAD_ID)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=HASH_LENGTH, default=GENESIS_HASH)

    class Meta:
        db_table = "audit_chainhead"
        constraints = (
            models.CheckConstraint(condition=models.Q(id=HEAD_ID), name="audit_chainhead_single"),
        )

    def __str__(self) -> str:
        return f"head #{self.seq}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("链头不能删除 (the chain head cannot be deleted)")
