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

# Sent by the snapshot refresh, inside its transaction, with the partners it covered (``partner_ids``; None: every
# partner of the tenant): apps that read snapshots queue their follow-up work with ``transaction.on_commit``.
snapshots_refreshed = Signal()

# Sent when partners enter a tier's grace period (``partner_ids``, ``tier``, ``period_start``): remediation may draft
# plans for them. The tier framework that decides it sends it.
tier_grace_started = Signal()


def secure_tenant_tables(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After every migrate, (re)apply row-level security to all tenant-owned tables, new ones included."""
    # Only the owner may alter tables; a flush by the app role (transactional tests) also sends post_migrate.
    if sender.label == "partnerhub" and connections[using].settings_dict["USER"] == settings.DATABASE_OWNER["USER"]:
        apply_row_level_security(using=using)
