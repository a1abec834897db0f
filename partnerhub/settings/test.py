"""Tests: real PostgreSQL (as the app role) and Redis; fast hashing; in-memory email."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://partnerhub_app@127.0.0.1:5432/partnerhub")
os.environ.setdefault("DATABASE_OWNER_URL", "postgres://partnerhub_owner@127.0.0.1:5432/partnerhub")

from partnerhub.settings.base import *  # noqa: E402

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASE_APP_MAY_TRUNCATE = True
DATABASES["default"]["CONN_MAX_AGE"] = 0
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
AXES_FAILURE_LIMIT = 5
