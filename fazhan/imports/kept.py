"""The plan a preview keeps for its confirmation (docs/import.md, "The kept plan").

A roster or candidate-file batch is planned once, after its preview (`actions.keep_plan`): the
people with their ID numbers encrypted and indexed, the files with the engine's projections, the
chain events checked and encoded. The plan is stored with the batch (`ImportPlan`) under a key,
the digest of everything it was made from; the confirmation computes the key again and uses the
plan only when it is the same, so that then only the write transaction runs. What the key cannot
hold, because it moves all the time, `_write` checks under the chain head's lock as for any plan:
the head (a plan that names no event by its seq is moved along, otherwise made again), the
rosters of the branches, the ID numbers on file, the user's right to write.

The stored plan is pickled, then encrypted and authenticated with the field-encryption keys
(Fernet, as the ID numbers): nothing in the row is readable without the keys (DESIGN principle
8), and a row not sealed by this server is never unpickled. It holds no ID number in clear even
once opened: the items to plan again from are rebuilt from the batch's rows.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import zlib
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, TextField
from django.db.models.functions import Cast

from fazhan.holidays.models import HolidayYear
from fazhan.imports.models import BatchStatus, ImportBatch, ImportPlan, ImportRow
from fazhan.orgs.models import Organization

log = logging.getLogger(__name__)

# Bumped whenever the plan's shape changes: a plan kept by an older version is made again.
PLAN_FORMAT = 5
_POLICY_DIRS = ("policy", "policies")


@lru_cache(maxsize=1)
def policy_version() -> str:
    """A digest of the rules the engine applies: its code (fazhan/policy) and the policies'
    data (fazhan/policies/*.json). A deployment between preview and confirmation changes it."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for folder in _POLICY_DIRS:
        for path in sorted((root / folder).glob("*.*")):
            if path.suffix in (".py", ".json"):
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _holidays_version() -> list[Any]:
    row = HolidayYear.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return [row["n"], row["last"].isoformat() if row["last"] else None]


def _orgs_version(ids: set[int]) -> list[Any]:
    """Every stored value of the branches the rows go to (a rename, a move, a new level)."""
    names = [field.attname for field in Organization._meta.concrete_fields]
    rows = Organization.objects.filter(pk__in=ids).order_by("pk").values_list(*names)
    return [list(row) for row in rows]


def batch_rows(batch: ImportBatch) -> list[ImportRow]:
    """The batch's rows in order, each with its data as the database holds it (`stored`, the
    JSON text) and only what a confirmation with a kept plan reads besides (`pk`, `number`,
    `label`): no JSON decoded, no other column read."""
    rows = ImportRow.objects.filter(batch_id=batch.pk).order_by("number")
    return list(
        rows.only("pk", "number", "label").annotate(stored=Cast("data", output_field=TextField()))
    )


def inputs_key(
    user_id: int | None, batch: ImportBatch, rows: Sequence[ImportRow], today: date
) -> str:
    """The digest of what a batch's plan is made from: the rows as stored (`batch_rows`: their
    data's text, read and hashed as it is), the user, the day (the projections' "as of"), the
    policy and the holiday table. The branches' records are checked by `take`."""
    digest = hashlib.sha256()
    head = [
        PLAN_FORMAT,
        user_id,
        batch.pk,
        str(batch.kind),
        today.isoformat(),
        policy_version(),
        _holidays_version(),
    ]
    digest.update(json.dumps(head, default=str).encode())
    for row in rows:
        stored: str = getattr(row, "stored")  # noqa: B009 (an annotation)
        digest.update(f"\x1e{row.pk}\x1f{row.number}\x1f".encode())
        digest.update(stored.encode())
    return digest.hexdigest()


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


def seal(plan: Any) -> bytes:
    return _fernet().encrypt(zlib.compress(pickle.dumps(plan, pickle.HIGHEST_PROTOCOL), 1))


def unseal(sealed: bytes | memoryview) -> Any | None:
    """The plan, or None when the row was not sealed by these keys (never unpickled then)."""
    try:
        opened = _fernet().decrypt(bytes(sealed))
    except InvalidToken:
        log.warning("a kept import plan could not be opened; planning again")
        return None
    # Authenticated above: only what this server sealed is unpickled.
    return pickle.loads(zlib.decompress(opened))


def keep(batch_pk: int, key: str, head_seq: int, plan: Any, org_ids: set[int]) -> bool:
    """Store the plan of a draft batch, made for the branches `org_ids`; False (nothing stored)
    once it is no longer a draft. The batch is locked here as by the confirmation's write,
    which drops the plan: none outlives its batch's draft."""
    ids = sorted(org_ids)
    sealed = seal((ids, _orgs_version(set(ids)), plan))
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_pk).first()
        if batch is None or batch.status != BatchStatus.DRAFT:
            return False
        ImportPlan.objects.update_or_create(
            batch=batch, defaults={"key": key, "head_seq": head_seq, "sealed": sealed}
        )
    return True


def take(batch_pk: int, key: str) -> Any | None:
    """The batch's kept plan if it was made from the same inputs (`inputs_key`) and every
    stored value of its branches is still the same (a rename, a move, a new level), else
    None."""
    found = ImportPlan.objects.filter(batch_id=batch_pk, key=key).first()
    if found is None:
        return None
    opened = unseal(found.sealed)
    if not isinstance(opened, tuple) or len(opened) != 3:
        return None
    ids, version, plan = opened
    if _orgs_version(set(ids)) != version:
        return None
    return plan


def drop(batch_pk: int) -> None:
    """Forget the batch's plan (applied, discarded, or a row refused)."""
    ImportPlan.objects.filter(batch_id=batch_pk).delete()
