from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from partnerhub.core.tenancy.context import tenant_context
from scorecards.domain.glossary_defaults import DEFAULT_METRICS_BY_KEY
from scorecards.models import MetricDefinition
from scorecards.services.glossary import glossary_seed

pytestmark = pytest.mark.django_db

migration = importlib.import_module("scorecards.migrations.0004_derived_metric_definitions_match_engine")
# A later rewording (the money metrics name their currency conversion): 0004's new text is its old one.
later = importlib.import_module("scorecards.migrations.0009_deal_definitions_name_the_currency")


def definitions(tenant):
    with tenant_context(tenant):
        return dict(MetricDefinition.objects.for_tenant(tenant).values_list("key", "definition"))


def run(step):
    with connection.schema_editor() as editor:
        step(apps, editor)


def test_the_migration_changes_exactly_the_derived_metrics_whose_default_changed():
    assert {key: new for key, (_, new) in migration.DEFINITIONS.items()} == {
        key: later.DEFINITIONS[key][0] if key in later.DEFINITIONS else DEFAULT_METRICS_BY_KEY[key].definition
        for key in migration.DEFINITIONS
    }
    assert {key: new for key, (_, new) in later.DEFINITIONS.items()} == {
        key: DEFAULT_METRICS_BY_KEY[key].definition for key in later.DEFINITIONS
    }
    assert all(DEFAULT_METRICS_BY_KEY[key].derived_from_deals for key in migration.DEFINITIONS)
    assert "sales_cycle_days" in migration.DEFINITIONS


def test_stored_old_defaults_are_reworded_in_every_program_and_an_admins_text_is_left_alone(tenant, other_tenant):
    for program in (tenant, other_tenant):
        glossary_seed(tenant=program)
        with tenant_context(program):
            for key, (old, _) in migration.DEFINITIONS.items():
                MetricDefinition.objects.for_tenant(program).filter(key=key).update(definition=old)
    with tenant_context(tenant):
        MetricDefinition.objects.for_tenant(tenant).filter(key="win_rate").update(definition="Our own words.")
    untouched = {k: v for k, v in definitions(tenant).items() if k not in migration.DEFINITIONS}

    run(migration.reword)

    for program in (tenant, other_tenant):
        after = definitions(program)
        for key, (_, new) in migration.DEFINITIONS.items():
            if (program, key) != (tenant, "win_rate"):
                assert after[key] == new
    assert definitions(tenant)["win_rate"] == "Our own words."
    assert {k: v for k, v in definitions(tenant).items() if k not in migration.DEFINITIONS} == untouched


def test_the_migration_reverses_to_the_old_defaults(tenant):
    glossary_seed(tenant=tenant)
    run(later.restore)  # migrations reverse newest first
    run(migration.restore)
    assert {key: definitions(tenant)[key] for key in migration.DEFINITIONS} == {
        key: old for key, (old, _) in migration.DEFINITIONS.items()
    }
