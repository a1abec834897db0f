"""Celery entry points of the executive layer (autodiscovered through this package)."""

from partnerhub.executive.tasks.dashboard import dashboard_precompute_nightly_task, dashboard_precompute_task
from partnerhub.executive.tasks.digest import digest_send_monthly_task, digest_send_task
from partnerhub.executive.tasks.feedback import feedback_invite_daily_task, feedback_invite_task
from partnerhub.executive.tasks.framework import framework_review_due_monthly_task, framework_review_due_task
from partnerhub.executive.tasks.memo import memo_for_closed_quarter_task

__all__ = [
    "dashboard_precompute_nightly_task",
    "dashboard_precompute_task",
    "digest_send_monthly_task",
    "digest_send_task",
    "feedback_invite_daily_task",
    "feedback_invite_task",
    "framework_review_due_monthly_task",
    "framework_review_due_task",
    "memo_for_closed_quarter_task",
]
