"""The demo and development: DEBUG on, emails to the console, embedded PostgreSQL unless DATABASE_URL is set."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from partnerhub.settings.base import *

SECRET_KEY = SECRET_KEY or "demo-only-insecure-key-do-not-deploy"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
