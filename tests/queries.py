"""How many statements a page runs once the caches a first request fills are warm: the per-user memberships of the
tenant switcher and the per-program values that change only with a refresh (partnerhub/core/tenancy). A test that
compares counts (few rows against many) compares settled pages; writing rows between the two (a membership, a
refresh) drops those caches, and the page's first request after it would count their refill."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def settled_queries(client: Any, url: str, status: int = 200, **params: Any) -> int:
    """Request ``url`` once to warm the caches, then count the statements of a second request."""
    client.get(url, params or None)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or None)
    assert response.status_code == status
    return len(captured)
