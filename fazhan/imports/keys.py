"""The import rows' part of `fazhan keys rotate` (fazhan.people.keys, docs/privacy.md)."""

from __future__ import annotations

from fazhan.imports.models import ImportRow
from fazhan.people import crypto


def rotate_rows(after: int, size: int) -> list[ImportRow]:
    """Re-encrypt under the newest key the Fernet token a draft row keeps until it is applied
    (fazhan.imports.preview); the rows after pk `after`, `size` of them."""
    batch = list(ImportRow.objects.filter(pk__gt=after).order_by("pk").only("pk", "data")[:size])
    changed = []
    for row in batch:
        number = row.data.get("id") if isinstance(row.data, dict) else None
        if isinstance(number, dict) and number.get("token"):
            number["token"] = crypto.rotate(number["token"])
            changed.append(row)
    ImportRow.objects.bulk_update(changed, ["data"])
    return batch
