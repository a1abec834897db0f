"""A real Celery worker for tests: a subprocess on Redis, connected to the test database as the app role."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connections

from partnerhub.celery import app


@contextmanager
def running_worker(
    *, pool: str = "solo", concurrency: int = 1, env: dict[str, str] | None = None, purge: bool = True
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a worker on this test database and Redis database (``env`` overrides); stop it on exit.

    ``purge=False`` keeps what is queued (a fault test's redelivered task)."""
    db = connections["default"].settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partnerhub.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        **(env or {}),
    }
    if purge:
        app.control.purge()
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "partnerhub",
        "worker",
        "-P",
        pool,
        "-c",
        str(concurrency),
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "warning",
    ]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60  # a loaded machine (the whole suite on two cores) starts it slowly
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            break
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "worker died")
    else:
        proc.kill()
        raise RuntimeError("celery worker did not start")
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def celery_worker_process(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    with running_worker() as proc:
        yield proc
