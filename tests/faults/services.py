"""Private, throwaway services for fault tests: a PostgreSQL cluster and a Redis server of their own on free ports
(so that restarting or stopping them never touches the shared ones other tests use), and an application server.

PostgreSQL's binaries come from the system (the newest under /usr/lib/postgresql, as .ci/run installs them); the
server refuses to run as root, so it runs as the ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name.split(".")[0]))
    if not found or os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("a private PostgreSQL needs the system binaries and root (to run it as postgres)")
    return Path(found[-1])


@dataclass
class PrivatePostgres:
    data: Path
    port: int
    bin: Path

    @property
    def admin_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, user: str, dbname: str = "partnerhub") -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{dbname}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-l", str(self.data / "log"), "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "stop")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    binaries = pg_bin()
    base = Path(tempfile.mkdtemp(prefix="partnerhub-pg-", dir="/tmp"))
    base.chmod(0o755)
    data = base / "data"
    data.mkdir()
    shutil.chown(data, "postgres")
    subprocess.run(
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = PrivatePostgres(data=data, port=free_port(), bin=binaries)
    server.start()
    try:
        yield server
    finally:
        with suppress(subprocess.CalledProcessError):
            server.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)


def copy_schema(source_url: str, target: PrivatePostgres) -> None:
    """The migrated schema of ``source_url`` (tables, grants, row-level security) into the target's database."""
    from partnerhub.core.db.bootstrap import ensure_roles_and_database

    ensure_roles_and_database(target.admin_url)
    dump = subprocess.run(
        [str(target.bin / "pg_dump"), "--schema-only", "--no-comments", source_url], check=True, capture_output=True
    ).stdout
    subprocess.run(
        [str(target.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", target.url("postgres", "partnerhub")],
        input=dump,
        check=True,
        capture_output=True,
    )


@contextmanager
def private_redis() -> Iterator[int]:
    port = free_port()
    subprocess.run(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while (
        time.monotonic() < deadline
        and subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() != b"PONG"
    ):
        time.sleep(0.05)
    try:
        yield port
    finally:
        subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True)


def stop_redis(port: int) -> None:
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True)


def start_redis(port: int) -> None:
    subprocess.run(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while (
        time.monotonic() < deadline
        and subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() != b"PONG"
    ):
        time.sleep(0.05)


def app_env(database_url: str, redis_url: str = "", **extra: str) -> dict[str, str]:
    """The environment of a production-like process (settings.local without DEBUG) on the given services."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "REDIS_URL", "DATABASE"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "partnerhub.settings.local",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": database_url,
            "DATABASE_OWNER_URL": database_url.replace("partnerhub_app@", "partnerhub_owner@"),
            "REDIS_URL": redis_url,
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return env


def run_script(env: dict[str, str], code: str) -> str:
    """Run ``code`` in a Django process on ``env``; its stdout."""
    prelude = "import django; django.setup()\n"
    done = subprocess.run([sys.executable, "-c", prelude + code], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return done.stdout


@contextmanager
def app_server(env: dict[str, str]) -> Iterator[str]:
    """gunicorn on a free port (one worker, two threads), as production runs; its base URL."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="partnerhub-gunicorn-", suffix=".log")[1])
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "partnerhub.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--threads",
            "2",
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "wb"),  # noqa: SIM115 - closed with the process
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=10)  # noqa: S310 - our own server on loopback
            break
        except OSError:  # refused while it starts, or a first answer slower than the timeout
            if proc.poll() is not None:
                raise RuntimeError(log.read_text()[-3000:]) from None
            time.sleep(0.1)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class Answer:
    status: int
    body: str
    headers: dict[str, str]


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 30) -> Answer:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Answer(response.status, response.read().decode(errors="replace"), dict(response.headers))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read().decode(errors="replace"), dict(exc.headers))
