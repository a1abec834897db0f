from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scorecards"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from partnerhub.signals import partner_data_changed, tenant_created
        from scorecards import models, receivers

        tenant_created.connect(receivers.seed_metric_catalog, dispatch_uid="scorecards_seed_catalog")
        partner_data_changed.connect(receivers.refresh_snapshots, dispatch_uid="scorecards_refresh_snapshots")
        auditlog.register(models.MetricDefinition, exclude_fields=["updated_at"])
