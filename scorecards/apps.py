from typing import Any

from celery.schedules import crontab
from django.apps import AppConfig
from django.db.models import F

from partnerhub.core.navigation import ListColumns, NavItem


class ScorecardsConfig(AppConfig):
    """Partner data (glossary, imports, data quality) and the scorecards computed from it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "scorecards"
    tenant_urls = "scorecards.urls"
    tenant_api_urls = "scorecards.api.urls"
    nav_items = (
        NavItem(
            "Scorecards",
            "portfolio",
            "partners.view",
            order=10,
            pages=("portfolio_*", "partner_scorecard", "scorecard_help"),
        ),
        NavItem(
            "Deals",
            "deal_list",
            "deals.view",
            order=45,
            pages=("deal_detail", "deal_export_*", "partner_deal_list", "activity_list", "survey_list"),
        ),
        NavItem("Our scorecard", "portal_scorecard", "portal.view", order=60),
        NavItem(
            "Deal reviews", "deal_review_list", "deals.view_reviews", order=80, pages=("deal_review_*",), working=True
        ),
        NavItem("Imports", "import_list", "imports.view", order=90, pages=("import_*",), working=True),
        NavItem("Data quality", "quality_list", "quality.view", order=100, pages=("quality_*",), working=True),
        NavItem(
            "Templates", "template_list", "templates.view", order=110, pages=("template_*", "version_*"), working=True
        ),
        NavItem("Glossary", "metric_list", "metrics.view", order=130),
    )
    # Managers land on their own portfolio (the core's home asks every app; see ``role_landing`` there).
    role_landing = {"manager": "portfolio"}
    # Sections of the core's pages (rendered by its {% page_panels %} tag): the portal home's "your score"; the
    # partner page's latest score in its summary, and data-quality findings, deals, activities and surveys among its
    # records.
    page_panels: dict[str, str | tuple[str, ...]] = {
        "portal_home_score": "scorecards.views.panels.portal_standing_panel",
        "partner_summary": "scorecards.views.panels.score_panel",
        "partner_records": (
            "scorecards.views.panels.quality_panel",
            "scorecards.views.panels.deals_panel",
            "scorecards.views.panels.activities_panel",
            "scorecards.views.panels.surveys_panel",
        ),
    }
    # The partner list's health columns: each partner's latest monthly score, RAG and trend, sortable (the names
    # annotated by scorecards.selectors.health.partners_with_health). No score sorts last either way.
    list_columns = {
        "partner_list": ListColumns(
            annotate="scorecards.selectors.health.partners_with_health",
            sorts={
                "score": (F("health_score").desc(nulls_last=True), "name", "id"),
                "-score": (F("health_score").asc(nulls_last=True), "name", "id"),
                "rag": (F("health_rag_rank").asc(nulls_last=True), "health_score", "name", "id"),
                "-rag": (
                    F("health_rag_rank").desc(nulls_last=True),
                    F("health_score").desc(nulls_last=True),
                    "name",
                    "id",
                ),
                "trend": (F("health_trend_rank").asc(nulls_last=True), "name", "id"),
                "-trend": (F("health_trend_rank").desc(nulls_last=True), "name", "id"),
            },
            head="scorecards/partials/_health_head.html",
            cells="scorecards/partials/_health_cells.html",
            perm="partners.view",
        )
    }
    # CELERY_TIMEZONE is UTC.
    beat_schedule: dict[str, dict[str, Any]] = {
        "data-quality-nightly": {
            "task": "scorecards.tasks.data_quality.data_quality_nightly_task",
            "schedule": crontab(hour=2, minute=30),
        },
        "deal-reviews-nightly": {
            "task": "scorecards.tasks.deal_reviews.deal_reviews_refresh_nightly_task",
            "schedule": crontab(hour=2, minute=45),  # before the snapshot refresh, which reads the deal-quality scores
        },
        "snapshot-refresh-nightly": {
            "task": "scorecards.tasks.snapshots.snapshot_refresh_nightly_task",
            "schedule": crontab(hour=3, minute=0),  # after the data-quality run, so its findings flag the snapshots
        },
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from partnerhub.core.signals import partner_data_changed, tenant_created
        from scorecards import models, receivers

        tenant_created.connect(receivers.seed_glossary, dispatch_uid="scorecards_seed_glossary")
        partner_data_changed.connect(receivers.refresh_snapshots, dispatch_uid="scorecards_refresh_snapshots")
        auditlog.register(models.MetricDefinition, exclude_fields=["updated_at"])
        auditlog.register(models.DealAlias, exclude_fields=["updated_at"])
        auditlog.register(models.ExchangeRate, exclude_fields=["updated_at"])
