from typing import Any

from celery.schedules import crontab
from django.apps import AppConfig

from partnerhub.core.navigation import NavItem


class RecognitionConfig(AppConfig):
    """Tiers, awards and investments: what a partner gets for what it delivers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "recognition"
    tenant_urls = "recognition.urls"
    tenant_api_urls = "recognition.api.urls"
    nav_items = (
        # investments (issue 15)
        NavItem("Investments", "budget_list", "investments.view", order=85),
        NavItem("Our funds", "portal_funds", "portal.funds", order=75),
    )
    # CELERY_TIMEZONE is UTC.
    beat_schedule: dict[str, dict[str, Any]] = {
        # investments (issue 15)
        "investment-claim-reminders-daily": {
            "task": "recognition.tasks.funds.claim_reminders_daily_task",
            "schedule": crontab(hour=6, minute=20),  # each reminder is sent once (dedupe key)
        },
        "investment-impact-nightly": {
            "task": "recognition.tasks.impact.impact_refresh_nightly_task",
            "schedule": crontab(hour=4, minute=30),  # after the snapshot refresh (03:00) it reads
        },
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from recognition import models

        # investments (issue 15): every write to money, a request, a claim, a proof or an investment is audited.
        for model in (
            models.Budget,
            models.Allocation,
            models.FundRequest,
            models.Claim,
            models.ProofFile,
            models.Investment,
            models.InvestmentActivity,
        ):
            auditlog.register(model, exclude_fields=["updated_at"])
