"""Tellers and the monitor are members of the branch chosen for the meeting (MeetingOfficer); a
count records the teller (a member) and the account that entered it; the roll call records why a
member is not present (leave or absent, with the reason)."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def accounts_entered_them(apps: Any, schema_editor: Any) -> None:
    TellerCount = apps.get_model("meetings", "TellerCount")
    TellerCount.objects.update(entered_by=models.F("teller"))


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_ballot_box"),
        ("orgs", "0005_member_record_link"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="tellercount", name="meeting_teller_once_per_round"
        ),
        # The account that used to be the teller is, from now on, the account that entered it.
        # Copied, not renamed: PostgreSQL keeps a renamed column's index under its old name, which
        # the new `teller` column's index would then take again.
        migrations.AddField(
            model_name="tellercount",
            name="entered_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(accounts_entered_them, migrations.RunPython.noop),
        migrations.RemoveField(model_name="tellercount", name="teller"),
        migrations.AlterField(
            model_name="tellercount",
            name="entered_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="tellercount",
            name="teller",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.member",
            ),
        ),
        migrations.AddConstraint(
            model_name="tellercount",
            constraint=models.UniqueConstraint(
                fields=("item", "round", "teller"), name="meeting_teller_once_per_round"
            ),
        ),
        migrations.AddField(
            model_name="agendaitem",
            name="confirmed_monitor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.member",
            ),
        ),
        migrations.AddField(
            model_name="attendance",
            name="absence",
            field=models.CharField(
                blank=True,
                choices=[("leave", "请假"), ("absent", "缺席")],
                max_length=8,
                verbose_name="未到会",
            ),
        ),
        migrations.AddField(
            model_name="attendance",
            name="absence_note",
            field=models.CharField(blank=True, max_length=200, verbose_name="未到会原因"),
        ),
        migrations.CreateModel(
            name="MeetingOfficer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("teller", "计票人"), ("monitor", "监票人")],
                        max_length=8,
                        verbose_name="职责",
                    ),
                ),
                (
                    "chosen_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="officers",
                        to="meetings.meeting",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.member",
                    ),
                ),
            ],
            options={
                "verbose_name": "计票人、监票人",
                "verbose_name_plural": "计票人、监票人",
                "ordering": ("role", "pk"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("meeting", "member"), name="meeting_officer_once"
                    )
                ],
            },
        ),
    ]
