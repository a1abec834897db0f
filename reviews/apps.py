from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from reviews import models

        # Every change to a cadence, a review (its state transitions included) or an action item is audited.
        auditlog.register(models.Cadence, exclude_fields=["updated_at"])
        auditlog.register(models.Review, exclude_fields=["updated_at", "preread"])
        auditlog.register(models.ActionItem, exclude_fields=["updated_at"])
        auditlog.register(models.Decision, exclude_fields=["updated_at"])

        from partnerhub.signals import tenant_created
        from reviews import receivers

        tenant_created.connect(receivers.seed_default_cadences, dispatch_uid="reviews_seed_cadences")
