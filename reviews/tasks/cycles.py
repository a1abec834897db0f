"""Celery tasks of the reviews app: cycles."""
