from typing import Any

from celery.schedules import crontab
from django.apps import AppConfig

from partnerhub.core.navigation import NavItem


class RecognitionConfig(AppConfig):
    """Tiers (framework, quarterly recommendations, executive decisions, history), awards and the recognition wall,
    and investments (budgets, fund requests and claims, their measured impact): what a partner gets for what it
    delivers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "recognition"
    tenant_urls = "recognition.urls"
    tenant_api_urls = "recognition.api.urls"
    nav_items = (
        NavItem("Tiers", "recommendation_list", "recognition.view", order=35),
        NavItem("Awards", "award_list", "awards.view", order=37),
        NavItem("Your tier", "portal_tier", "portal.tier", order=73),
        # Partner users find the wall in their menu; the program's people reach it from the awards page.
        NavItem("Recognition wall", "recognition_wall", "portal.view", order=75),
        NavItem("Investments", "budget_list", "investments.view", order=85),
        NavItem("Our funds", "portal_funds", "portal.funds", order=74),
    )
    # Sections of the core's pages (rendered by its {% page_panels %} tag): the partner page's tier (in its summary)
    # and funds (with the work under way), the portal home's tier card.
    page_panels: dict[str, str] = {
        "partner_summary": "recognition.views.sections.partner_panel",
        "partner_detail": "recognition.views.sections.partner_funds_panel",
        "portal_home": "recognition.views.sections.portal_panel",
    }
    # The figures the executive dashboard and memo read (partnerhub/executive/selectors/seams.py).
    executive_figures = {
        "tier_moves_pending": "recognition.selectors.executive.tier_moves_pending",
        "investment_spend": "recognition.selectors.executive.investment_spend",
        "investment_impact": "recognition.selectors.executive.investment_impact",
        "awards_given": "recognition.selectors.executive.awards_given",
    }
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

        from partnerhub.core.signals import snapshots_refreshed, tenant_created
        from recognition import models, receivers

        tenant_created.connect(receivers.seed_tiers_and_awards, dispatch_uid="recognition_seed_tiers")
        snapshots_refreshed.connect(receivers.recommend_after_refresh, dispatch_uid="recognition_recommend")
        # Every change a person makes is audited; the framework's own quarterly runs write one entry per run.
        auditlog.register(models.Tier, exclude_fields=["updated_at"])
        auditlog.register(models.FrameworkVersion, exclude_fields=["updated_at"])
        auditlog.register(models.TierCriteria, exclude_fields=["updated_at"])
        auditlog.register(models.TierMetricRequirement, exclude_fields=["updated_at"])
        auditlog.register(models.TierRecommendation, exclude_fields=["updated_at", "evidence", "fingerprint"])
        auditlog.register(models.TierChange, exclude_fields=["updated_at", "evidence"])
        auditlog.register(models.AwardCategory, exclude_fields=["updated_at"])
        auditlog.register(models.Nomination, exclude_fields=["updated_at", "figures"])
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
