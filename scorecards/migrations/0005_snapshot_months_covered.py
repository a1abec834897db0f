"""Snapshots record how many of their period's months count: 1 for a month; for a quarter 3 when complete, fewer for a
"quarter to date (k of 3 months)" (SCORING.md, "Quarter to date").

Existing rows get 3 (every stored quarter was scored as complete); the engine's fingerprint version changed with
this field, so the next refresh rewrites every row once with its true value (1 for months).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partnerhub', '0004_unique_within_tenant'),
        ('scorecards', '0004_derived_metric_definitions_match_engine'),
    ]

    operations = [
        migrations.AddField(
            model_name='scorecardsnapshot',
            name='months_covered',
            field=models.PositiveSmallIntegerField(default=3),
        ),
        migrations.AddConstraint(
            model_name='scorecardsnapshot',
            constraint=models.CheckConstraint(condition=models.Q(('months_covered__gte', 1), ('months_covered__lte', 3)), name='snapshot_months_covered_1_to_3'),
        ),
    ]
