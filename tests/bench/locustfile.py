"""Locust users for `make bench`'s load section (tests/bench/load.py starts it; not imported by Django).

Every simulated person opens the pages people open most, as the demo program's manager (the portal home as its first
partner user), with sessions signed in once by tests/bench/load.py. Two modes, chosen by BENCH_LOAD_MODE:

- ``think``: every user waits a second between clicks and picks a page at random (the latency figures at 20 users);
- ``saturate``: no waiting; every user opens the same page for a slice of the run, page after page (``floor`` first),
  so each page's requests per second is counted over its own slice (its throughput at saturation).
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, constant, events, task

sys.path.insert(0, str(Path(__file__).parent))
from load_pages import FLOOR, ORDER, PAGES, WARMUP

MODE = os.environ.get("BENCH_LOAD_MODE", "think")
SLICE = float(os.environ.get("BENCH_LOAD_SLICE", "6"))
started: dict[str, float] = {}


@events.test_start.add_listener
def _start(**_: Any) -> None:
    started["at"] = time.monotonic()


# Signed in once by tests/bench/load.py before the run (a password check costs the server a CPU-second by design,
# which is not what this bench measures): every user reuses the two sessions.
COOKIES = {
    "anonymous": "",
    "manager": f"sessionid={os.environ.get('BENCH_LOAD_MANAGER_SESSION', '')}",
    "partner": f"sessionid={os.environ.get('BENCH_LOAD_PARTNER_SESSION', '')}",
}


class Person(FastHttpUser):
    wait_time = constant(0) if MODE == "saturate" else between(0.9, 1.1)
    partner_id = os.environ.get("BENCH_LOAD_PARTNER_ID", "")

    def _open(self, name: str, label: str | None = None) -> None:
        who, address = PAGES[name]
        url = address.format(partner=self.partner_id)
        headers = {"Cookie": COOKIES[who]} if COOKIES[who] else {}
        with self.client.get(url, name=label or name, headers=headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")

    @task
    def click(self) -> None:
        if MODE != "saturate":
            self._open(random.choice([name for name in PAGES if name != FLOOR]))
            return
        index = int((time.monotonic() - started["at"]) // SLICE)
        name = ORDER[min(index, len(ORDER) - 1)]
        if name == WARMUP:
            self._open(random.choice(list(PAGES)), label=WARMUP)
        else:
            self._open(name)
