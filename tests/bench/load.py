"""`make bench`'s load section: the pages people open most, under load, beside the framework's own floor.

The demo is seeded into a database of its own (``partnerhub_load``, kept between runs; BENCH_LOAD_RESEED=1 seeds it
again), served by gunicorn with 3 workers on 127.0.0.1 with the production settings (DEBUG off, whitenoise's
compressed manifest, the Redis cache) and loaded by locust, headless, on loopback (tests/bench/locustfile.py):

1. 20 users, a second of thinking between clicks, each click a page at random (BENCH_LOAD_SECONDS, 40 s): each
   page's p50 and p95;
2. saturation, 8 users without thinking, one page after another for BENCH_LOAD_SLICE seconds each (6 s): each page's
   requests per second, and its cost as a multiple of the floor's (the floor: ``/healthz``, a view that touches no
   database, served in the same run by the same server);
3. the queries each page runs and the CPU time one request costs the Django process (through the test client on
   the same database, median of BENCH_LOAD_CPU_REPEAT, 15), beside the floor's.

The machine is shared: the load average is printed beside the figures, and only ratios measured in the same run are
worth comparing; the CPU times are the figures least moved by what else runs (wall times under contention are not).
"""

from __future__ import annotations

import csv
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from tests.bench.load_pages import FLOOR, MANAGER, ORDER, OWN_PARTNER, PARTNER, PASSWORD, SLUG

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DB = os.environ.get("BENCH_LOAD_DB", "partnerhub_load")
ADMIN_URL = os.environ.get("TEST_DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG = os.environ.get("BENCH_LOAD_PG", "127.0.0.1:5432")
REDIS = os.environ.get("BENCH_LOAD_REDIS", "redis://127.0.0.1:6379/14")
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "40"))
SLICE = float(os.environ.get("BENCH_LOAD_SLICE", "6"))
USERS = int(os.environ.get("BENCH_LOAD_USERS", "20"))
SATURATE_USERS = int(os.environ.get("BENCH_LOAD_SATURATE_USERS", "8"))
CPU_REPEAT = int(os.environ.get("BENCH_LOAD_CPU_REPEAT", "15"))
GOAL_RATIO, GOAL_P95_MS = 5.0, 150.0


def server_env(*, redis: bool = True) -> dict[str, str]:
    """The environment of every process serving or preparing the load database: production settings, plain HTTP on
    loopback (cookies not marked secure, no HSTS), mail kept in memory."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "DATABASE_OWNER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="partnerhub.settings.production",
        DJANGO_SECRET_KEY="bench-load-only",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DATABASE_URL=f"postgres://partnerhub_app@{PG}/{DB}",
        DATABASE_OWNER_URL=f"postgres://partnerhub_owner@{PG}/{DB}",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if redis:
        env["REDIS_URL"] = REDIS
    return env


def _manage(*args: str, redis: bool = False) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=server_env(redis=redis),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def prepare() -> None:
    """The load database, migrated and seeded with the demo (seeded once; kept), and the static files collected."""
    import psycopg

    from partnerhub.core.db.bootstrap import ensure_roles_and_database

    ensure_roles_and_database(ADMIN_URL, dbname=DB)
    _manage("migrate", "--no-input", "-v0")
    with psycopg.connect(f"postgres://partnerhub_owner@{PG}/{DB}") as conn:
        seeded = conn.execute("SELECT count(*) FROM partnerhub_tenant WHERE slug = 'northwind'").fetchone()
    if os.environ.get("BENCH_LOAD_RESEED") == "1" or not (seeded and seeded[0]):
        _manage("seed_demo")
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    newest = max(path.stat().st_mtime for path in (ROOT / "static").rglob("*") if path.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        _manage("collectstatic", "--no-input", "-v0")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting (see its log)")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own server on loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s")


def _sign_in(host: str, email: str) -> tuple[str, str]:
    """A session of ``email`` on the server, and the page it lands on."""
    import http.cookiejar
    import re

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{host}/accounts/login/", timeout=30) as page:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    assert token is not None, "no CSRF token on the sign-in page"
    form = urllib.parse.urlencode({"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token[1]}).encode()
    request = urllib.request.Request(  # noqa: S310 (our own server on loopback)
        f"{host}/accounts/login/", data=form, headers={"Referer": f"{host}/accounts/login/"}
    )
    with opener.open(request, timeout=60) as landed:
        text = landed.read().decode()
    session = next((cookie.value for cookie in jar if cookie.name == "sessionid"), None)
    assert session, f"{email} could not sign in"
    return session, text


def _sessions(host: str) -> dict[str, str]:
    """Sign the manager and the partner user in once; the manager lands on their portfolio, whose first partner is
    the one whose scorecard and page are loaded."""
    import re

    manager, landing = _sign_in(host, MANAGER)
    partner, _ = _sign_in(host, PARTNER)
    found = re.search(OWN_PARTNER, landing)
    assert found is not None, "the manager's landing page links to no partner scorecard"
    return {
        "BENCH_LOAD_MANAGER_SESSION": manager,
        "BENCH_LOAD_PARTNER_SESSION": partner,
        "BENCH_LOAD_PARTNER_ID": found[1],
    }


def _locust(
    host: str, out: Path, name: str, *, mode: str, users: int, seconds: float, sessions: dict[str, str]
) -> list[dict[str, str]]:
    env = {**os.environ, **sessions, "BENCH_LOAD_MODE": mode, "BENCH_LOAD_SLICE": str(SLICE)}
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "tests" / "bench" / "locustfile.py"),
        "--headless",
        "--only-summary",
        "--reset-stats",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{int(seconds)}s",
        "--stop-timeout",
        "5",
        "--host",
        host,
        "--csv",
        str(out / name),
        "--loglevel",
        "WARNING",
    ]
    with (out / f"{name}.log").open("w") as log:
        subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    with (out / f"{name}_stats.csv").open() as handle:
        return list(csv.DictReader(handle))


def count_queries() -> None:
    """Print, as JSON, the queries each page runs for one request (run in a process with ``server_env()``)."""
    import re

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from partnerhub.core.models import User
    from tests.bench.load_pages import BASE, PAGES

    manager, partner, anonymous = Client(), Client(), Client()
    manager.force_login(User.objects.get(email=MANAGER))
    partner.force_login(User.objects.get(email=PARTNER))
    portfolio = manager.get(f"{BASE}/scorecards/").content.decode()
    found = re.search(OWN_PARTNER, portfolio)
    assert found is not None
    counts: dict[str, dict[str, float]] = {}
    for name, (who, address) in PAGES.items():
        client = {"partner": partner, "manager": manager}.get(who, anonymous)
        url = address.format(partner=found[1])
        client.get(url)  # warm: the first request fills per-process and per-tenant caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured.captured_queries)  # now: the next request starts a new query log
        spent = []
        for _ in range(CPU_REPEAT):
            start = time.process_time()
            client.get(url)
            spent.append(time.process_time() - start)
        counts[name] = {"queries": queries, "cpu_ms": statistics.median(spent) * 1000}
    print(json.dumps(counts))


def _queries() -> dict[str, dict[str, float]]:
    done = subprocess.run(
        [sys.executable, "-c", "from tests.bench.load import count_queries; count_queries()"],
        cwd=ROOT,
        env=server_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"  (query counts failed: {done.stderr.strip()[-800:]})")
        return {}
    result: dict[str, dict[str, float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _flush_cache() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def bench_load() -> dict[str, Any]:
    """Seed, serve, load; the figures of one run."""
    prepare()
    _flush_cache()
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    out = Path(tempfile.mkdtemp(prefix="partnerhub-load-"))
    load_before = os.getloadavg()
    with (out / "gunicorn.log").open("w") as log:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "partnerhub.wsgi", "-w", "3", "-b", f"127.0.0.1:{port}", "--timeout", "60"],
            cwd=ROOT,
            env=server_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(f"{host}/healthz", server)
        sessions = _sessions(host)
        think = _locust(host, out, "think", mode="think", users=USERS, seconds=SECONDS, sessions=sessions)
        load_think = os.getloadavg()
        seconds = SLICE * len(ORDER)
        saturate = _locust(
            host, out, "saturate", mode="saturate", users=SATURATE_USERS, seconds=seconds, sessions=sessions
        )
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "think": {row["Name"]: row for row in think},
        "saturate": {row["Name"]: row for row in saturate},
        "queries": _queries(),
        "load": (load_before, load_think, load_after),
        "out": str(out),
    }


def print_load(figures: dict[str, Any]) -> None:
    think, saturate, queries = figures["think"], figures["saturate"], figures["queries"]
    before, during, after = figures["load"]
    print(
        f"\nload: the demo ({SLUG}) on gunicorn, 3 workers, 127.0.0.1; locust {USERS} users with ~1 s thinking "
        f"({SECONDS} s), then {SATURATE_USERS} users without, {SLICE:.0f} s a page"
    )
    print(
        "  load average (1 min) before {:.2f}, after the 20 users {:.2f}, after saturation {:.2f}; logs in {}".format(
            before[0], during[0], after[0], figures["out"]
        )
    )
    floor_name = FLOOR
    floor_rps = int(saturate.get(floor_name, {}).get("Request Count", 0) or 0) / SLICE
    floor_cpu = float(queries.get(floor_name, {}).get("cpu_ms", 0) or 0)
    print(
        f"  {'page':<24} {'p50 ms':>7} {'p95 ms':>7} {'fails':>6} {'req/s sat.':>11} {'x floor':>8} "
        f"{'queries':>8} {'CPU ms':>7} {'x floor':>8}"
    )
    for name, row in saturate.items():
        if name in {"Aggregated", "sign-in", "warm-up"}:
            continue
        seen = think.get(name, row)
        rps = int(row["Request Count"]) / SLICE
        fails = int(seen["Failure Count"]) + (int(row["Failure Count"]) if seen is not row else 0)
        ratio = floor_rps / rps if rps else float("inf")
        within = ratio <= GOAL_RATIO and float(seen["95%"]) <= GOAL_P95_MS
        flag = "" if name == floor_name or within else "  over goal"
        own = queries.get(name, {})
        cpu = float(own.get("cpu_ms", 0) or 0)
        cpu_ratio = f"{cpu / floor_cpu:7.1f}x" if floor_cpu and cpu else f"{'?':>8}"
        print(
            f"  {name:<24} {float(seen['50%']):7.0f} {float(seen['95%']):7.0f} {fails:6d} {rps:11.1f} "
            f"{ratio:7.1f}x {own.get('queries', '?'):>8} {cpu:7.1f} {cpu_ratio}{flag}"
        )
    print(
        f"  (p50/p95 at {USERS} users thinking, the floor's at saturation; goal: p95 <= {GOAL_P95_MS:.0f} ms, "
        f"cost <= {GOAL_RATIO:.0f}x the floor. CPU ms: the Django process's CPU time for one request, median of "
        f"{CPU_REPEAT}, through the test client (no HTTP, no database server's time): the cost least moved by what "
        "else the machine runs)"
    )


def load() -> None:
    print_load(bench_load())
