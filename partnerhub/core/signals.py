"""Signal receivers of the core app."""

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db import connections
from django.dispatch import Signal

from partnerhub.core.tenancy.rls import apply_row_level_security

# Sent after a tenant is created (inside its transaction and tenant context): apps seed their defaults.
tenant_created = Signal()

# Sent when partner data changed (an import committed, a partner's segment or tier edited, a forecast scored):
# the partners concerned. The data-quality check and the snapshot refresh listen here.
partner_data_changed = Signal()

# Sent by a snapshot refresh once it has written, inside its tenant's transaction (receivers queue their own work with
# ``transaction.on_commit``): ``tenant``, ``partner_ids`` (None: every partner), ``reference_month`` (the last complete
# month with data, or None) and ``changed`` (rows written, updated or deleted). Work that reads the snapshots (tier
# recommendations, remediation triggers) follows it.
snapshots_refreshed = Signal()


def secure_tenant_tables(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After every migrate, (re)apply row-level security to all tenant-owned tables, new ones included."""
    # Only the owner may alter tables; a flush by the app role (transactional tests) also sends post_migrate.
    if sender.label == "partnerhub" and connections[using].settings_dict["USER"] == settings.DATABASE_OWNER["USER"]:
        apply_row_level_security(using=using)
