"""The pages of `make bench`'s load section, shared by the locust users and the query count (no locust import here:
locust patches the standard library with gevent when imported)."""

from __future__ import annotations

import os

SLUG = os.environ.get("BENCH_LOAD_TENANT", "northwind")
MANAGER = os.environ.get("BENCH_LOAD_MANAGER", f"manager@{SLUG}.example")
PARTNER = os.environ.get("BENCH_LOAD_PARTNER", f"partner1@{SLUG}.example")
PASSWORD = os.environ.get("BENCH_LOAD_PASSWORD", "partnerhub-demo-2026")
BASE = f"/t/{SLUG}"
FLOOR = "floor (healthz)"

# Page name -> (who opens it, address; {partner} is the manager's first own partner, found on their portfolio).
PAGES: dict[str, tuple[str, str]] = {
    FLOOR: ("anonymous", "/healthz"),  # no session either: nothing but the framework
    "scorecards (all)": ("manager", f"{BASE}/scorecards/?scope=all"),
    "landing: my portfolio": ("manager", f"{BASE}/scorecards/"),
    "partner scorecard": ("manager", BASE + "/partners/{partner}/scorecard/"),
    "partner list": ("manager", f"{BASE}/partners/"),
    "reviews list": ("manager", f"{BASE}/reviews/"),
    "partner 360": ("manager", BASE + "/partners/{partner}/"),
    "portal home": ("partner", f"{BASE}/portal/"),
}
OWN_PARTNER = rf"{BASE}/partners/(\d+)/scorecard/"
# Saturation: a first slice warms the workers up (and lets every user sign in) and is not reported.
WARMUP = "warm-up"
ORDER = [WARMUP, *PAGES]
