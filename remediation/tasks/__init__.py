"""Celery tasks of the remediation app, one module per area; imported here so the worker registers them all."""

from remediation.tasks import escalation, evaluation  # noqa: F401
