"""Celery tasks of the reviews app: reminders."""
