"""The partner tier field's values become tier records in every existing program (rank, name, benefits), and every
program gets the default award categories. New programs get the same when they are created (recognition.receivers).

The values are copied here rather than imported, so that this migration means the same whatever the code becomes.
"""

from django.db import migrations

# key, name, rank, MDF share %, discount %, enablement, support, beta access, executive sponsor
DEFAULT_TIERS = [
    ("registered", "Registered", 1, 0, 10, "Self-paced online training", "Community and e-mail support", False, False),
    ("silver", "Silver", 2, 2, 20, "Instructor-led training, two seats a quarter", "Business-hours partner support", False, False),
    ("gold", "Gold", 3, 4, 30, "Instructor-led training and certification vouchers", "Priority support, named engineer", True, False),
    ("platinum", "Platinum", 4, 6, 40, "A dedicated enablement plan and solution architect", "24x7 priority support", True, True),
]
# name, description, rule, metric key (top_metric only)
DEFAULT_AWARDS = [
    ("Partner of the quarter", "The highest scorecard in its segment for the quarter.", "top_score_in_segment", None),
    ("Most improved", "The largest sustained improvement: a quarterly trend verdict of improving, not one good month.", "most_improved", None),
    ("Best joint initiative", "The most joint engagement activities (webinars, co-sell campaigns, integrations) in the quarter.", "top_metric", "joint_activities"),
    ("Highest customer satisfaction", "The best customer satisfaction of the quarter, among partners with enough survey responses.", "best_csat", None),
]


def _enter(connection, tenant_id):
    # Row-level security is forced on tenant tables for the owner that migrates too (see scorecards 0004).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])


def seed(apps, schema_editor):
    Tenant = apps.get_model("partnerhub", "Tenant")
    Partner = apps.get_model("partnerhub", "Partner")
    Tier = apps.get_model("recognition", "Tier")
    AwardCategory = apps.get_model("recognition", "AwardCategory")
    MetricDefinition = apps.get_model("scorecards", "MetricDefinition")
    connection = schema_editor.connection
    for tenant_id in Tenant.objects.values_list("pk", flat=True):
        _enter(connection, tenant_id)
        existing = set(Tier.unscoped.filter(tenant_id=tenant_id).values_list("key", flat=True))
        rows = [
            Tier(
                tenant_id=tenant_id, key=key, name=name, rank=rank, mdf_share_pct=mdf, discount_pct=discount,
                enablement=enablement, support=support, beta_access=beta, executive_sponsor=sponsor,
            )
            for key, name, rank, mdf, discount, enablement, support, beta, sponsor in DEFAULT_TIERS
            if key not in existing
        ]
        # A value some partner holds that is not one of the four (none today) becomes a tier above them.
        known = existing | {row.key for row in rows}
        top = max([r[2] for r in DEFAULT_TIERS] + list(Tier.unscoped.filter(tenant_id=tenant_id).values_list("rank", flat=True)))
        for value in sorted(set(Partner.unscoped.filter(tenant_id=tenant_id).values_list("tier", flat=True)) - known):
            top += 1
            rows.append(Tier(tenant_id=tenant_id, key=value, name=value.replace("_", " ").title(), rank=top))
        Tier.unscoped.bulk_create(rows)
        names = set(AwardCategory.unscoped.filter(tenant_id=tenant_id).values_list("name", flat=True))
        for name, description, rule, metric_key in DEFAULT_AWARDS:
            if name in names:
                continue
            metric_id = None
            if metric_key is not None:
                metric_id = (
                    MetricDefinition.unscoped.filter(tenant_id=tenant_id, key=metric_key).values_list("pk", flat=True).first()
                )
                if metric_id is None:
                    rule = "none"
            AwardCategory.unscoped.create(
                tenant_id=tenant_id, name=name, description=description, rule=rule, metric_id=metric_id
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.tenant_id', '', true)")


class Migration(migrations.Migration):
    dependencies = [
        ("recognition", "0001_initial"),
        ("partnerhub", "0005_program_currency_and_fiscal_year"),
        ("scorecards", "0005_snapshot_months_covered"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
