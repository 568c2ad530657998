"""The birth date encrypted, and the masked ID number reduced to its area code (docs/privacy.md).

The clear birth date and a masked copy showing the last four characters rebuilt every number; the
new column is filled from the old one here, and the masked copies are cut to their first six
characters, which needs no key.
"""

from typing import Any

from django.db import migrations

import fazhan.people.fields

BATCH = 500


def seal_birth_dates(apps: Any, schema_editor: Any) -> None:
    Person = apps.get_model("people", "Person")
    people = Person.objects.order_by("pk").only("pk", "birth_date")
    batch = []
    for person in people.iterator(chunk_size=BATCH):
        person.birth_date_sealed = person.birth_date  # encrypted by the field on the way in
        batch.append(person)
        if len(batch) == BATCH:
            Person.objects.bulk_update(batch, ["birth_date_sealed"])
            batch = []
    if batch:
        Person.objects.bulk_update(batch, ["birth_date_sealed"])


def mask_area_only(apps: Any, schema_editor: Any) -> None:
    Person = apps.get_model("people", "Person")
    for pk, masked in Person.objects.exclude(id_number_masked="").values_list(
        "pk", "id_number_masked"
    ):
        short = masked[:6] + "*" * (len(masked) - 6)
        if short != masked:
            Person.objects.filter(pk=pk).update(id_number_masked=short)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_candidate_lates_candidate_le25_at_admission_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="birth_date_sealed",
            field=fazhan.people.fields.EncryptedDateField(null=True),
        ),
        migrations.RunPython(seal_birth_dates, migrations.RunPython.noop),
        migrations.RemoveField(model_name="person", name="birth_date"),
        migrations.RenameField(
            model_name="person", old_name="birth_date_sealed", new_name="birth_date"
        ),
        migrations.AlterField(
            model_name="person",
            name="birth_date",
            field=fazhan.people.fields.EncryptedDateField(verbose_name="出生日期"),
        ),
        migrations.RunPython(mask_area_only, migrations.RunPython.noop),
    ]
