"""The Celery application; tasks enter their tenant through partnerhub.core.tenancy.tasks.tenant_task."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerhub.settings.local")

app = Celery("partnerhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
