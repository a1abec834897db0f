"""Celery tasks of the reviews app, one module per area; imported here so the worker registers them all."""
