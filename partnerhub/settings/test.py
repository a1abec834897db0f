"""Tests: real PostgreSQL (as the app role) and Redis; fast hashing; in-memory email."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://partnerhub_app@127.0.0.1:5432/partnerhub")
os.environ.setdefault("DATABASE_OWNER_URL", "postgres://partnerhub_owner@127.0.0.1:5432/partnerhub")
# Real Redis for the broker; one database number per xdist worker so parallel workers never share a queue.
# (Not setdefault: xdist workers inherit the controller's environment, which would give them all one database.)
_xdist = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_redis_base = os.environ.get("PARTNERHUB_TEST_REDIS", "redis://127.0.0.1:6379")
os.environ["REDIS_URL"] = f"{_redis_base}/{1 + int(_xdist[2:] or 0)}"

from partnerhub.settings.base import *  # noqa: E402

SECRET_KEY = "test-only-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASE_APP_MAY_TRUNCATE = True
DATABASES["default"]["CONN_MAX_AGE"] = 0
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
AXES_FAILURE_LIMIT = 5
# Per-process cache: rate limits of one test must not leak into another (tests clear it between them).
# One local-memory cache per test process, lasting the whole run: never culled (its default of 300 entries would
# drop entries at random once thousands of tests have cached their users' memberships, and a page's query count
# would then depend on which tests ran before it).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 10_000_000}}
}
# Several checkouts (or people) testing against one server: PARTNERHUB_TEST_DB_SUFFIX keeps their databases apart.
if os.environ.get("PARTNERHUB_TEST_DB_SUFFIX"):
    DATABASES["default"]["TEST"] = {"NAME": f"test_partnerhub_{os.environ['PARTNERHUB_TEST_DB_SUFFIX']}"}
# One queue per test database: a worker started for one run (or checkout) never takes another run's tasks.
CELERY_TASK_DEFAULT_QUEUE = f"tests-{os.environ.get('PARTNERHUB_TEST_DB_SUFFIX', 'main')}-{_xdist}"
# Proof files of investment claims go to a folder per test database and xdist worker (a worker emptying its
# folder after a test must not take away a file another worker's test is about to read).
STORAGES["investment_proofs"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": str(
            BASE_DIR / "var" / f"test-proofs-{os.environ.get('PARTNERHUB_TEST_DB_SUFFIX', 'main')}-{_xdist}"
        )
    },
}
