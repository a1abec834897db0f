"""The deal-derived money metrics now convert other currencies at the rate of the deal's date (issue 15): their
default definitions say so. Only a definition still equal to the previous default is updated (an admin's edit stays);
the texts are frozen here so the migration means the same thing whenever it runs."""

from django.db import migrations

PIPELINE_OLD = (
    "The total value of the opportunities you opened with us in the month (by the date each was opened), "
    "whatever happens to them later. It shows how much future business you are building. From the month "
    "of your first opportunity on, a month in which you opened none counts 0."
)
SIZE_OLD = (
    "The average value of the deals you won in the month (by close date). A month with no deal won has no "
    "value, not 0."
)
DEFINITIONS = {
    "pipeline_created": (
        PIPELINE_OLD,
        PIPELINE_OLD
        + " Amounts are in the program's currency: one in another currency converts at the rate in force on the "
        "day it was opened, and a month holding an amount with no rate for its day has no value.",
    ),
    "avg_deal_size": (
        SIZE_OLD,
        SIZE_OLD
        + " Amounts are in the program's currency: one in another currency converts at the rate in force on its "
        "close date, and a month holding an amount with no rate for its day has no value.",
    ),
}


def _per_tenant(apps, schema_editor, pairs):
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
        ("scorecards", "0008_exchange_rates"),
    ]

    operations = [
        migrations.RunPython(reword, restore),
    ]
