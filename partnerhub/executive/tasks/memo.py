"""Memo tasks: after each dashboard precompute, write the memo of the latest closed quarter if it has none."""

from __future__ import annotations

from typing import Any

from partnerhub.core.domain.periods import add_months, quarter_start
from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import tenant_task
from partnerhub.executive.selectors.cube import dashboard_computation
from partnerhub.executive.services.memo import memo_generate


@tenant_task()
def memo_for_closed_quarter_task(tenant: Tenant) -> dict[str, Any]:
    """Write the memo of the latest quarter whose scorecards are complete, once (a memo that exists is left as it
    is, edits included). Chained after the dashboard precompute, itself chained after each snapshot refresh."""
    computation = dashboard_computation(tenant=tenant)
    if computation is None or computation.latest_month is None:
        return {"memo": None, "created": False}
    latest = computation.latest_month
    # The quarter holding the latest scored month is closed when that month is its last; else the one before is.
    closed = quarter_start(latest) if latest.month % 3 == 0 else add_months(quarter_start(latest), -3)
    if computation.latest_quarter is None or closed > computation.latest_quarter:
        return {"memo": None, "created": False}
    result = memo_generate(tenant=tenant, quarter=closed)
    return {"memo": result.memo.pk, "quarter": closed.isoformat(), "created": result.created}
