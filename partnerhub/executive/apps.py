from typing import Any

from celery.schedules import crontab
from django.apps import AppConfig

from partnerhub.core.navigation import NavItem


class ExecutiveConfig(AppConfig):
    """The executive layer: the dashboard precomputed on a schedule, the quarterly memo, the monthly digest and the
    program's own governance. It reads every feature app (through their selectors where they have them)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerhub.executive"
    label = "executive"
    tenant_urls = "partnerhub.executive.urls"
    nav_items = (
        NavItem("Dashboard", "executive_dashboard", "executive.dashboard", order=5),
        NavItem("Memos", "memo_list", "executive.memo.view", order=6),
        NavItem("Program memos", "portal_memo_list", "executive.memo.portal", order=77),
        NavItem("Review feedback", "feedback_list", "executive.feedback.give", order=78),
        NavItem("Notices", "portal_notice_list", "executive.changes.portal", order=76),
        NavItem("Concerns", "concern_list", "executive.concern.raise", order=140),
    )
    # Where a role lands when it opens the program (the core's home asks every app; the first answer wins).
    role_landing = {"executive": "executive_dashboard"}
    # CELERY_TIMEZONE is UTC.
    beat_schedule: dict[str, dict[str, Any]] = {
        "executive-dashboard-nightly": {
            "task": "partnerhub.executive.tasks.dashboard.dashboard_precompute_nightly_task",
            # After the nightly snapshot refresh (03:00), which also queues a precompute when it ends: this run is the
            # safety net for a refresh that failed or a program whose snapshots did not change.
            "schedule": crontab(hour=4, minute=30),
        },
        "executive-digest-monthly": {
            "task": "partnerhub.executive.tasks.digest.digest_send_monthly_task",
            # Every morning of the month's first three days; the task sends on the first working day only (a month
            # starting on a weekend sends on its Monday, the 2nd or 3rd), each member once.
            "schedule": crontab(hour=7, minute=0, day_of_month="1-3"),
        },
        "executive-framework-review-due": {
            "task": "partnerhub.executive.tasks.framework.framework_review_due_monthly_task",
            "schedule": crontab(hour=5, minute=0, day_of_month="1"),  # the framework review, when its period is up
        },
        "executive-feedback-invitations": {
            "task": "partnerhub.executive.tasks.feedback.feedback_invite_daily_task",
            "schedule": crontab(hour=6, minute=30),  # each attendee of a review signed off lately is asked once
        },
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from celery.signals import task_success

        from partnerhub.core.publication import register_publication_guard
        from partnerhub.executive import models, receivers
        from partnerhub.executive.selectors.changes import change_notice_gate

        # A template version, a tier framework version or a cadence change after the first is published only once
        # its change notice is (the feature apps ask the core's guards; they never import this app).
        register_publication_guard("executive.change_notices", change_notice_gate)
        task_success.connect(receivers.after_snapshot_refresh, dispatch_uid="executive_after_snapshot_refresh")
        auditlog.register(models.DashboardComputation, exclude_fields=["updated_at"])
        auditlog.register(models.Memo, exclude_fields=["updated_at"])
        auditlog.register(models.DigestSubscription, exclude_fields=["updated_at"])
        auditlog.register(models.Concern, exclude_fields=["updated_at"])
        auditlog.register(models.ReviewFeedback, exclude_fields=["updated_at"])
        auditlog.register(models.ChangeNotice, exclude_fields=["updated_at", "impact"])
        auditlog.register(models.GovernanceSettings, exclude_fields=["updated_at"])
        auditlog.register(models.FrameworkReview, exclude_fields=["updated_at", "checklist"])
        auditlog.register(models.FrameworkReviewComment, exclude_fields=["updated_at"])
        auditlog.register(models.ConcernMessage, exclude_fields=["updated_at"])
        auditlog.register(
            models.MemoVersion, exclude_fields=["updated_at", "html", "partner_html", "pdf", "partner_pdf"]
        )
