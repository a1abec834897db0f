from django.apps import AppConfig
from django.db.models.signals import post_migrate

from partnerhub.core.navigation import NavItem


class CoreConfig(AppConfig):
    """The bottom layer: tenancy, programs, members, invitations, partners, notifications, audit."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerhub.core"
    label = "partnerhub"  # the label the tables, migrations and AUTH_USER_MODEL were born with
    verbose_name = "PartnerHub core"
    tenant_urls = "partnerhub.core.urls"
    tenant_api_urls = "partnerhub.core.api.urls"
    nav_items = (
        NavItem("Partners", "partner_list", "partners.view", order=40),
        NavItem("Our partnership", "portal_home", "portal.view", order=50),
        NavItem("Members", "member_list", "members.view", order=140),
        NavItem("Audit log", "audit_list", "audit.view", order=150),
        NavItem("Settings", "tenant_settings", "tenant.settings", order=160),
    )

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.contrib.auth.signals import user_login_failed
        from django.db.models.signals import post_delete, post_save

        from partnerhub.core import models, signals
        from partnerhub.core.accounts import note_login_failure
        from partnerhub.core.tenancy.membership_index import memberships_of_user_forget
        from partnerhub.core.tenancy.refresh_cache import forget_after_refresh

        post_migrate.connect(signals.secure_tenant_tables, dispatch_uid="partnerhub_rls")
        user_login_failed.connect(note_login_failure, dispatch_uid="partnerhub_ip_failures")
        signals.snapshots_refreshed.connect(forget_after_refresh, dispatch_uid="partnerhub_refresh_cache")
        # The tenant switcher's cached lists (partnerhub/core/tenancy/membership_index.py) follow every change.
        for model in (models.Membership, models.Tenant):
            for name, signal in (("saved", post_save), ("deleted", post_delete)):
                uid = f"partnerhub_memberships_{model.__name__}_{name}"
                signal.connect(memberships_of_user_forget, sender=model, dispatch_uid=uid)
        auditlog.register(models.Partner, exclude_fields=["updated_at"])
        auditlog.register(models.Membership, exclude_fields=["updated_at"])
        auditlog.register(models.Invitation, exclude_fields=["updated_at", "token_hash"])
