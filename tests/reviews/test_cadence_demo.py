"""The demo's cadences: the defaults with a year of cycles behind them and the next ones ahead, seeded once."""

from __future__ import annotations

from datetime import date

import pytest

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.demo.review_cadences import seed_cadences
from reviews.models import Review, ReviewCycle
from tests.factories import PartnerFactory, member

pytestmark = pytest.mark.django_db


def rows(tenant, model):
    with tenant_context(tenant):
        return model.objects.for_tenant(tenant).count()


def test_the_demo_gets_past_and_upcoming_cycles_of_each_default_cadence_and_a_second_run_adds_nothing(tenant):
    owner = member(tenant, Role.MANAGER)
    PartnerFactory.create_batch(5, tenant=tenant, owner=owner)
    PartnerFactory(tenant=tenant, owner=owner, stage="at_risk")

    cycles = seed_cadences(tenant, today=date(2026, 11, 23))

    periods = {}
    for cycle in cycles:
        periods.setdefault(cycle.cadence.name, []).append(cycle.period_start)
    assert periods["Quarterly business review"] == [
        date(2026, 1, 1),
        date(2026, 4, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
        date(2027, 1, 1),
    ]
    assert periods["Monthly health check"] == [date(2026, m, 1) for m in range(6, 13)]
    assert periods["Biannual deep dive"] == [date(2026, 1, 1), date(2026, 7, 1), date(2027, 1, 1)]
    assert (rows(tenant, ReviewCycle), rows(tenant, Review)) == (15, 5 * 6 + 7 * 6 + 3 * 1)
    assert len(seed_cadences(tenant, today=date(2026, 11, 23))) == 15
    assert (rows(tenant, ReviewCycle), rows(tenant, Review)) == (15, 75)
