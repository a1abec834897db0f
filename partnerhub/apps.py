from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PartnerhubConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerhub"
    verbose_name = "PartnerHub core"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from partnerhub import models, signals

        post_migrate.connect(signals.secure_tenant_tables, dispatch_uid="partnerhub_rls")
        auditlog.register(models.Partner, exclude_fields=["updated_at"])
        auditlog.register(models.Membership, exclude_fields=["updated_at"])
        auditlog.register(models.Invitation, exclude_fields=["updated_at", "token_hash"])
