"""Celery tasks of the reviews app: forecasts."""
