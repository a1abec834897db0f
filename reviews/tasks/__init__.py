"""Celery tasks of the reviews app, one module per area; imported here so the worker registers them all."""

from reviews.tasks import cycles, forecasts, preread, reminders  # noqa: F401
