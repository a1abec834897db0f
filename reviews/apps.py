from typing import Any

from celery.schedules import crontab
from django.apps import AppConfig

from partnerhub.core.navigation import NavItem


class ReviewsConfig(AppConfig):
    """The review cadence: cadences, cycles, reviews and what is recorded on them, the partner's side, the calendar."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    tenant_urls = "reviews.urls"
    tenant_api_urls = "reviews.api.urls"
    nav_items = (
        NavItem(
            "Reviews",
            "review_list",
            "reviews.view",
            order=20,
            pages=(
                "review_schedule",
                "review_detail",
                "review_transition",
                "review_preread*",
                "review_note_add",
                "review_rating_save",
                "review_decision_add",
                "review_action_add",
                "review_attendee_*",
                "action_update",
            ),
        ),
        NavItem("Calendar", "calendar_month", "calendar.view", order=30, pages=("calendar_*",)),
        NavItem(
            "Our reviews",
            "portal_review_list",
            "portal.reviews",
            order=70,
            pages=("portal_review_*", "portal_self_assessment", "portal_forecast", "portal_action_*"),
        ),
        NavItem("Cadences", "cadence_list", "cadences.view", order=120, pages=("cadence_*", "cycle_*"), working=True),
    )
    # Sections of lower apps' pages (rendered by the core's {% page_panels %} tag): the portfolio's "this week" and
    # "overdue actions" cards, the portal home's next review, what is due and the latest shared decisions, and the
    # partner page's reviews and actions.
    page_panels: dict[str, str | tuple[str, ...]] = {
        "portfolio_attention": "reviews.views.panels.portfolio_attention_panel",
        "portal_home_reviews": "reviews.views.panels.portal_home_panel",
        "partner_detail": "reviews.views.panels.partner_reviews_panel",
    }
    # CELERY_TIMEZONE is UTC.
    beat_schedule: dict[str, dict[str, Any]] = {
        "forecast-scoring-nightly": {
            "task": "reviews.tasks.forecasts.forecasts_score_nightly_task",
            "schedule": crontab(hour=2, minute=15),  # before the data-quality run and the snapshot refresh
        },
        "review-reminders-daily": {
            "task": "reviews.tasks.reminders.reminders_send_daily_task",
            "schedule": crontab(hour=6, minute=0),  # before the working day in Europe; each reminder is sent once
        },
        "review-cycles-ahead": {
            "task": "reviews.tasks.cycles.cycles_generate_upcoming_nightly_task",
            "schedule": crontab(hour=4, minute=0),  # after the snapshot refresh, whose trends rank the partners
            "kwargs": {"days_ahead": 35},  # cycles starting within this many days are generated (and completed)
        },
        "review-prereads-hourly": {
            "task": "reviews.tasks.preread.prereads_generate_due_all_task",
            "schedule": crontab(minute=40),  # hourly: due reviews start preparing; preparing pre-reads follow new data
        },
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from partnerhub.core.signals import tenant_created
        from reviews import models, receivers

        # Every change to a cadence, a review (its state transitions included) or an action item is audited.
        auditlog.register(models.Cadence, exclude_fields=["updated_at"])
        auditlog.register(models.Review, exclude_fields=["updated_at", "preread"])
        auditlog.register(models.ActionItem, exclude_fields=["updated_at"])
        auditlog.register(models.Decision, exclude_fields=["updated_at"])
        tenant_created.connect(receivers.seed_default_cadences, dispatch_uid="reviews_seed_cadences")
