"""Celery tasks of the reviews app: preread."""
