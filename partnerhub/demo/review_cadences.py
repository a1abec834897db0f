"""Demo data for the cadences: the default cadences, with a year of cycles behind them and the next ones scheduled.

``seed_cadences`` is what ``seed_demo`` calls for each program, after the partners' scorecards exist (the cycles
rank partners by their snapshots). Running it twice adds nothing: cycle generation is idempotent.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from partnerhub.core.domain.periods import period_bounds, shift_period
from partnerhub.core.models import Membership, Tenant
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import Cadence, ReviewCycle
from reviews.services.cadences import cadence_defaults_seed
from reviews.services.cycles import cycle_generate

# Per kind: how many periods back from the current one (the current one included), and how many ahead.
HISTORY = {
    Cadence.Kind.QBR: (4, 1),  # the last four quarters, and the next one
    Cadence.Kind.HEALTH_CHECK: (6, 1),  # the last six months, and the next one
    Cadence.Kind.DEEP_DIVE: (2, 1),  # the last two half-years, and the next one
}


def seed_cadences(tenant: Tenant, *, today: date | None = None, actor: Membership | None = None) -> list[ReviewCycle]:
    """Ensure the default cadences exist and generate their past and upcoming cycles; return the cycles, oldest first.

    ``actor`` (optional) is recorded as who generated the cycles; it needs ``cycles.generate``.
    """
    day = today or timezone.localdate()
    cadence_defaults_seed(tenant=tenant)
    with tenant_context(tenant):
        cadences = list(Cadence.objects.for_tenant(tenant).filter(is_active=True, kind__in=HISTORY).order_by("id"))
    cycles = []
    for cadence in cadences:
        back, ahead = HISTORY[Cadence.Kind(cadence.kind)]
        current, _ = period_bounds(cadence.frequency, day)
        for offset in range(1 - back, ahead + 1):
            start = shift_period(cadence.frequency, current, offset)
            cycles.append(cycle_generate(tenant=tenant, cadence=cadence, period_start=start, actor=actor).cycle)
    return sorted(cycles, key=lambda c: (c.period_start, c.cadence_id))
