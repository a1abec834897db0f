"""The house plan's rules that the import contracts cannot see, and the schema's readiness to be sharded by tenant."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from partnerhub.core.models import TenantOwnedModel

ROOT = Path(__file__).resolve().parent.parent
APPS = ("partnerhub/core", "scorecards", "reviews", "remediation", "recognition", "partnerhub/executive")


def _service_modules() -> list[Path]:
    return sorted(path for app in APPS for path in (ROOT / app / "services").glob("*.py"))


def _module_level_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = []
    for node in tree.body:  # module level only: imports inside functions are lazy
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return names


@pytest.mark.parametrize("path", _service_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_service_imports_a_task_module_only_inside_a_function(path):
    assert [name for name in _module_level_imports(path) if ".tasks" in f".{name}"] == []


def test_there_are_service_modules_to_check():
    assert len(_service_modules()) >= 15


def _unique_column_sets(table: str) -> list[tuple[str, list[str]]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conname, array_agg(a.attname ORDER BY a.attname)
            FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(c.conkey)
            WHERE t.relname = %s AND c.contype = 'u'
            GROUP BY c.conname
            UNION ALL
            SELECT i.relname, array_agg(a.attname ORDER BY a.attname)
            FROM pg_index x
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey)
            WHERE t.relname = %s AND x.indisunique AND NOT x.indisprimary
                AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            GROUP BY i.relname
            """,
            [table, table],
        )
        return [(name, list(columns)) for name, columns in cursor.fetchall()]


TENANT_OWNED_TABLES = sorted(model._meta.db_table for model in apps.get_models() if issubclass(model, TenantOwnedModel))


# One-to-one links still carry a unique key without the tenant (Django's OneToOneField): each becomes a foreign key
# with a (tenant, link) unique constraint before the tables are distributed. This list only shrinks
# (docs/architecture.md, "What remains").
ONE_TO_ONE_LEFT = {
    "reviews_selfassessment": {"reviews_selfassessment_review_id_key"},
    "reviews_forecast": {"reviews_forecast_review_id_key"},
    "scorecards_dealreview": {"scorecards_dealreview_deal_id_key"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("table", TENANT_OWNED_TABLES)
def test_every_unique_constraint_of_a_tenant_owned_table_includes_the_tenant(table):
    # Citus distributes a table by tenant_id only if every unique constraint holds it (docs/architecture.md).
    without_tenant = {name for name, columns in _unique_column_sets(table) if "tenant_id" not in columns}
    assert without_tenant == ONE_TO_ONE_LEFT.get(table, set())


def test_the_tenant_owned_tables_are_found():
    assert len(TENANT_OWNED_TABLES) >= 20


def test_every_advisory_lock_namespace_is_its_own_number() -> None:
    """Two LOCK_* namespaces with one number would serialise unrelated work (or deadlock it) without a word."""
    from partnerhub.core.tenancy import sql

    locks = {name: value for name, value in vars(sql).items() if name.startswith("LOCK_")}
    assert len(locks) >= 5
    assert len(set(locks.values())) == len(locks), locks


def test_every_task_module_is_imported_by_its_package_so_the_worker_registers_it() -> None:
    """Celery's autodiscovery imports ``<app>.tasks`` only: a task module its package does not import is unknown to
    the worker, and a task queued from the web process would wait forever. Checked in a fresh interpreter, where
    nothing else has imported the modules yet."""
    import subprocess
    import sys

    script = """
import importlib, pkgutil, sys
import django
django.setup()
missing = []
apps = ["scorecards", "reviews", "remediation", "recognition", "partnerhub.executive"]
for name in [f"{app}.tasks" for app in apps]:
    package = importlib.import_module(name)
    found = [f"{name}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
    missing += [module for module in found if module not in sys.modules]
print(",".join(missing))
"""
    env = {**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "partnerhub.settings.test"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == ""
