from typing import Any

from celery.schedules import crontab
from django.apps import AppConfig

from partnerhub.core.navigation import NavItem


class RemediationConfig(AppConfig):
    """Improvement plans: findings, plans with checkpoints checked against snapshots, actions, progress updates, the
    escalation ladder, plans drafted by triggers, close-out and lessons learned."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "remediation"
    tenant_urls = "remediation.urls"
    tenant_api_urls = "remediation.api.urls"
    nav_items = (
        NavItem("Plans", "plan_list", "remediation.view", order=40),
        NavItem("Findings", "finding_list", "remediation.view", order=45, pages=("finding_*",), working=True),
        NavItem("Our plan", "portal_plan", "portal.plan", order=72),
    )
    # Sections other apps' pages render for the partner they show (the wiring collects them; see registry.py): the
    # partner's open plan and its checkpoints on the partner page, the review page, the pre-read and the partner's
    # scorecard.
    page_panels = {
        "partner_detail": "remediation.views.panels.open_plan_panel",
        "review_detail": "remediation.views.panels.open_plan_panel",
        "review_preread": "remediation.views.panels.open_plan_panel",
        "partner_scorecard": "remediation.views.panels.open_plan_panel",
    }
    # The figures the executive dashboard and memo read (partnerhub/executive/selectors/seams.py).
    executive_figures = {
        "open_plans": "remediation.selectors.executive.open_plans_count",
        "missed_checkpoints": "remediation.selectors.executive.missed_checkpoints_count",
    }
    # CELERY_TIMEZONE is UTC.
    beat_schedule: dict[str, dict[str, Any]] = {
        "remediation-evaluate-nightly": {
            "task": "remediation.tasks.evaluation.remediation_evaluate_nightly_task",
            "schedule": crontab(hour=3, minute=45),  # after the nightly snapshot refresh (03:00)
        },
        "remediation-ladder-daily": {
            "task": "remediation.tasks.escalation.escalations_climb_daily_task",
            "schedule": crontab(hour=6, minute=30),  # after the nightly evaluation, before the working day
        },
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from partnerhub.core.signals import snapshots_refreshed, tier_grace_started
        from remediation import models, receivers

        # Every write is audited: findings, plans (state moves and close-out included), checkpoints (evaluations and
        # waivers), actions, updates, escalations, lessons, settings and the categories admins add.
        for model in (
            models.CauseCategory,
            models.RemediationSettings,
            models.Finding,
            models.Plan,
            models.Checkpoint,
            models.CheckpointComment,
            models.PlanAction,
            models.ProgressUpdate,
            models.Escalation,
            models.Lesson,
        ):
            auditlog.register(model, exclude_fields=["updated_at"])
        snapshots_refreshed.connect(receivers.evaluate_after_refresh, dispatch_uid="remediation_evaluate_after_refresh")
        tier_grace_started.connect(receivers.draft_on_tier_grace, dispatch_uid="remediation_draft_on_tier_grace")
