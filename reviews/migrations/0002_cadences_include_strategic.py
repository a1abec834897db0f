# A cadence may take in strategic partners whatever its type, tier and stage filters say (the biannual deep dive
# covers at-risk and strategic partners). Additive: existing cadences keep their meaning (default False).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="cadence",
            name="include_strategic",
            field=models.BooleanField(
                default=False, help_text="Strategic partners qualify whatever the filters above say."
            ),
        ),
    ]
