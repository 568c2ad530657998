"""Key rotation (`fazhan keys rotate`): every encrypted field under the newest field-encryption key,
every blind index under the current blind-index key (docs/privacy.md).

The operator prepends a new key to FIELD_ENCRYPTION_KEYS (the old one stays, second, so that what
is not yet rotated still opens) and, to change the blind-index key, sets the new BLIND_INDEX_KEY
and the previous one as BLIND_INDEX_KEY_OLD (lookups try both until the run has finished). The run
goes table by table in primary-key order, one transaction per batch, and records after each batch
how far it got, under a fingerprint of the target keys: a rerun with the same keys continues after
the last finished batch, new keys start a new run. Every step is idempotent (re-encrypting a token
already under the newest key, or re-indexing an indexed number, gives an equivalent row), so a
batch interrupted mid-way is simply done again. When all tables are done the old keys may be
dropped from the environment.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fazhan.audit.chain import append_event
from fazhan.core import dates
from fazhan.people import crypto
from fazhan.people.models import KeyRotation, Person

DEFAULT_BATCH = 500
ROTATED_KIND = "keys.rotated"


class Writer(Protocol):
    def write(self, text: str) -> Any: ...


def fingerprint() -> str:
    """Names the target keys without revealing them: an HMAC under the keys themselves."""
    newest = str(settings.FIELD_ENCRYPTION_KEYS[0]).encode("utf-8")
    index = str(settings.BLIND_INDEX_KEY).encode("utf-8")
    digest = hmac.new(newest + b"\x00" + index, b"fazhan.keys.rotate", hashlib.sha256)
    return digest.hexdigest()[:32]


def _people(after: int, size: int) -> list[Any]:
    """Re-encrypt the ID number and the birth date, re-index the number; the rows done."""
    batch = list(
        Person.objects.filter(pk__gt=after)
        .order_by("pk")
        .only("pk", "birth_date", "id_number_encrypted", "id_number_index")[:size]
    )
    for person in batch:
        # birth_date is re-encrypted under the newest key by its field when saved.
        if person.id_number_encrypted:
            person.id_number_encrypted = crypto.rotate(person.id_number_encrypted)
            person.id_number_index = crypto.blind_index(crypto.decrypt(person.id_number_encrypted))
    Person.objects.bulk_update(batch, ["birth_date", "id_number_encrypted", "id_number_index"])
    return batch


# Every table holding a Fernet token or a blind index, in the order rotated. A step takes the last
# pk done and a batch size, rotates the next rows in pk order and returns them. Other apps add
# theirs with `register` when they are ready (fazhan.imports.apps), so people imports no app.
Step = Callable[[int, int], list[Any]]
TABLES: dict[str, Step] = {"people.person": _people}


def register(table: str, step: Step) -> None:
    TABLES[table] = step


@dataclass
class Outcome:
    rows: dict[str, int]
    resumed: bool
    already_done: bool


def rotate(
    *, batch: int = DEFAULT_BATCH, stdout: Writer | None = None, limit: int | None = None
) -> Outcome:
    """Rotate every table, resuming a run with the same target keys; `limit` stops after that
    many batches (an interruption, for the test), leaving the run to be continued."""
    key = fingerprint()
    outcome = Outcome(rows={}, resumed=False, already_done=False)
    progress = {p.table: p for p in KeyRotation.objects.filter(fingerprint=key)}
    if progress and all(p.finished_at for p in progress.values()) and set(progress) == set(TABLES):
        outcome.already_done = True
        return outcome
    outcome.resumed = bool(progress)
    batches = 0
    for table, step in TABLES.items():
        state = progress.get(table) or KeyRotation.objects.create(fingerprint=key, table=table)
        outcome.rows[table] = 0
        while state.finished_at is None:
            if limit is not None and batches >= limit:
                return outcome
            with transaction.atomic():
                done = step(state.last_pk, batch)
                if done:
                    state.last_pk = done[-1].pk
                    state.rows += len(done)
                    outcome.rows[table] += len(done)
                else:
                    state.finished_at = timezone.now()
                state.save()
            batches += 1
        if stdout is not None:
            stdout.write(f"{table}: {state.rows}\n")
    _record(key, {t: p.rows for t, p in _states(key)})
    return outcome


def _states(key: str) -> Iterator[tuple[str, KeyRotation]]:
    for state in KeyRotation.objects.filter(fingerprint=key).order_by("table"):
        yield state.table, state


def _record(key: str, rows: dict[str, int]) -> None:
    """One chain event per finished run, for the auditor: which run (the fingerprint, not a key)
    and how many rows of each table."""
    with transaction.atomic():
        append_event(
            kind=ROTATED_KIND,
            candidate_id=None,
            happened_on=dates.today(),
            payload={"fingerprint": key, "rows": rows},
        )
