"""The Celery application; tasks enter their tenant through partnerhub.core.tenancy.tasks.tenant_task."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerhub.settings.local")

# ResilientTask: a task whose queue cannot be reached runs in-process, never lost (partnerhub/core/resilience.py).
app = Celery("partnerhub", task_cls="partnerhub.core.resilience:ResilientTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
