"""Celery entry points of the scorecards app (autodiscovered through this package)."""

from scorecards.tasks.data_quality import data_quality_nightly_task, data_quality_task
from scorecards.tasks.deal_reviews import deal_reviews_refresh_nightly_task, deal_reviews_refresh_task
from scorecards.tasks.imports import import_commit_task
from scorecards.tasks.snapshots import snapshot_refresh_nightly_task, snapshot_refresh_task

__all__ = [
    "data_quality_nightly_task",
    "data_quality_task",
    "deal_reviews_refresh_nightly_task",
    "deal_reviews_refresh_task",
    "import_commit_task",
    "snapshot_refresh_nightly_task",
    "snapshot_refresh_task",
]
