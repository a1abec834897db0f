"""Celery tasks of the recognition app, one module per area; imported here so the worker registers them all."""

from recognition.tasks import funds, impact, tiers  # noqa: F401
