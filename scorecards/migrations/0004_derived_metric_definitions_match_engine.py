"""Reword the default definitions of the deal-derived metrics so each says exactly what the engine computes.

"Sales cycle (days)" told partners it averaged the deals *closed* in the month while the engine averages the deals
*won* (won deals is how sales velocity is usually measured: a lost deal's cycle ends whenever someone gives up on it);
the others now name the date a deal is counted by and what a month without deals gives. Only a definition still
equal to the old default is updated: a text an admin edited is theirs and stays as it is. The texts are frozen here
(not imported from the catalog) so the migration means the same thing whenever it runs.
"""

from django.db import migrations

# key -> (the old default definition, the new one)
DEFINITIONS = {
    "pipeline_created": (
        (
            'The total value of the new opportunities you opened with us in the month, whatever happens to '
            'them later. It shows how much future business you are building.'
        ),
        (
            'The total value of the opportunities you opened with us in the month (by the date each was '
            'opened), whatever happens to them later. It shows how much future business you are building. '
            'From the month of your first opportunity on, a month in which you opened none counts 0.'
        ),
    ),
    "sales_cycle_days": (
        (
            'The average number of days from opening an opportunity to closing it, for the deals closed in '
            'the month. Shorter is better: deals move faster.'
        ),
        (
            'The average number of days from opening an opportunity to winning it, for the deals you won in '
            'the month (by close date). Lost deals are left out: this is how fast business is won, and a '
            'quickly lost deal is no sign of speed. Shorter is better. A close date before the opening date '
            'counts as 0 days; a month with no deal won has no value, not 0.'
        ),
    ),
    "win_rate": (
        (
            'Of the deals closed in the month, the share you won. Lost deals count against it; open deals do '
            'not count yet.'
        ),
        (
            'Of the deals closed in the month (won or lost, by close date), the share you won. Lost deals '
            'count against it; open deals do not count yet. A month with no deal closed has no value, not 0.'
        ),
    ),
    "avg_deal_size": (
        (
            'The average value of the deals you won in the month.'
        ),
        (
            'The average value of the deals you won in the month (by close date). A month with no deal won '
            'has no value, not 0.'
        ),
    ),
    "discount_discipline": (
        (
            'Of the deals you won in the month, the share sold within the standard discount (15% or less). '
            'Higher means prices held up.'
        ),
        (
            'Of the deals you won in the month (by close date), the share sold within the standard discount '
            '(15% or less). Higher means prices held up. A month with no deal won has no value, not 0.'
        ),
    ),
    "deal_quality": (
        (
            'The average rubric score, from 1 to 5, of your large deals created in the month: pricing '
            'integrity, discount discipline, contract terms, renewal risk and technical risk, each scored 1 '
            '(weak) to 5 (sound).'
        ),
        (
            "The average rubric score, from 1 to 5, of your large deals (at or above the program's "
            'deal-review amount) opened in the month: each deal scores the mean of pricing integrity, '
            'discount discipline, contract terms, renewal risk and technical risk, each 1 (weak) to 5 '
            '(sound). A month in which you opened no large deal has no value.'
        ),
    ),
    "renewal_rate": (
        (
            'Of the renewals that came due and were decided in the month, the share your customers renewed.'
        ),
        (
            'Of the renewal deals closed in the month (renewed or lost, by close date), the share your '
            'customers renewed. A month with no renewal closed has no value, not 0.'
        ),
    ),
}


def _per_tenant(apps, schema_editor, pairs):
    # Row-level security is forced on the tenant tables, for the owner that migrates too: each tenant's rows are
    # visible only with app.tenant_id set to it (transaction-local, like the app's own tenant_context).
    Tenant = apps.get_model("partnerhub", "Tenant")
    MetricDefinition = apps.get_model("scorecards", "MetricDefinition")
    connection = schema_editor.connection
    for tenant_id in Tenant.objects.values_list("pk", flat=True):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
        for key, current, wanted in pairs:
            MetricDefinition.unscoped.filter(tenant_id=tenant_id, key=key, definition=current).update(
                definition=wanted
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.tenant_id', '', true)")


def reword(apps, schema_editor):
    _per_tenant(apps, schema_editor, [(key, old, new) for key, (old, new) in DEFINITIONS.items()])


def restore(apps, schema_editor):
    _per_tenant(apps, schema_editor, [(key, new, old) for key, (old, new) in DEFINITIONS.items()])


class Migration(migrations.Migration):
    dependencies = [
        ("scorecards", "0003_dealreview_scorecardsettings"),
    ]

    operations = [
        migrations.RunPython(reword, restore),
    ]
