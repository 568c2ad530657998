from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_count_spans"),
    ]

    operations = [
        migrations.AddField(
            model_name="candidate",
            name="departed_on",
            field=models.DateField(blank=True, null=True, verbose_name="转出区外日期"),
        ),
    ]
