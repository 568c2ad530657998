"""The masked ID number kept with an import row reduced to its area code, as the people table's
(docs/privacy.md; fazhan.people.idnumber.mask)."""

from typing import Any

from django.db import migrations


def mask_area_only(apps: Any, schema_editor: Any) -> None:
    ImportRow = apps.get_model("imports", "ImportRow")
    for row in ImportRow.objects.order_by("pk").iterator(chunk_size=500):
        number = row.data.get("id") if isinstance(row.data, dict) else None
        if not isinstance(number, dict):
            continue
        masked = number.get("masked")
        if isinstance(masked, str) and masked[6:] != "*" * len(masked[6:]):
            number["masked"] = masked[:6] + "*" * (len(masked) - 6)
            ImportRow.objects.filter(pk=row.pk).update(data=row.data)


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0002_tree_and_member_batches"),
    ]

    operations = [
        migrations.RunPython(mask_area_only, migrations.RunPython.noop),
    ]
