"""The scheduler on a real worker: each program's cycles are generated in that program only, and twice is once."""

from __future__ import annotations

import time
from datetime import date

import pytest

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import Review, ReviewCycle
from reviews.tasks.cycles import cycles_generate_upcoming_nightly_task, cycles_generate_upcoming_task
from tests.factories import PartnerFactory, member
from tests.reviews.factories import CadenceFactory

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]


def program(tenant, partners):
    owner = member(tenant, Role.MANAGER)
    for n in range(partners):
        PartnerFactory(tenant=tenant, name=f"{tenant.slug} partner {n}", owner=owner)
    CadenceFactory(tenant=tenant, name="Monthly", frequency="monthly", detailed_cap=None)
    CadenceFactory(tenant=tenant, name="Quarterly", frequency="quarterly", detailed_cap=2)


def generated(tenant):
    with tenant_context(tenant):
        cycles = sorted(
            ReviewCycle.objects.for_tenant(tenant).values_list("cadence__name", "period_start", "qualifying_count")
        )
        partners = set(Review.objects.for_tenant(tenant).values_list("partner__name", flat=True))
    return cycles, partners


def test_each_programs_task_generates_its_own_cycles_and_running_it_twice_creates_nothing(
    tenant, other_tenant, celery_worker_process
):
    program(tenant, 3)
    program(other_tenant, 2)

    runs = [
        cycles_generate_upcoming_task.delay(tenant_id=t.pk, days_ahead=35, today="2026-12-01")
        for t in (tenant, other_tenant)
    ]
    first_a, first_b = (r.get(timeout=60) for r in runs)
    second_a = cycles_generate_upcoming_task.delay(tenant_id=tenant.pk, days_ahead=35, today="2026-12-01").get(
        timeout=60
    )

    assert [(r["period_start"], r["created"]) for r in first_a] == [
        ("2026-12-01", 3),
        ("2027-01-01", 3),
        ("2027-01-01", 3),
    ]
    assert [r["created"] for r in first_b] == [2, 2, 2]
    assert [(r["created"], r["existing"]) for r in second_a] == [(0, 3), (0, 3), (0, 3)]
    cycles_a, partners_a = generated(tenant)
    cycles_b, partners_b = generated(other_tenant)
    assert cycles_a == [
        ("Monthly", date(2026, 12, 1), 3),
        ("Monthly", date(2027, 1, 1), 3),
        ("Quarterly", date(2027, 1, 1), 3),
    ]
    assert partners_a == {"alpha partner 0", "alpha partner 1", "alpha partner 2"}
    assert [c[2] for c in cycles_b] == [2, 2, 2]
    assert partners_b == {"beta partner 0", "beta partner 1"}


def test_the_nightly_fan_out_runs_one_task_per_program(tenant, other_tenant, celery_worker_process):
    program(tenant, 2)
    program(other_tenant, 1)

    assert cycles_generate_upcoming_nightly_task.delay(days_ahead=40).get(timeout=60) == 2

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        (cycles_a, partners_a), (cycles_b, partners_b) = generated(tenant), generated(other_tenant)
        if cycles_a and cycles_b:
            break
        time.sleep(0.25)
    assert cycles_a
    assert cycles_b
    assert {c[2] for c in cycles_a} == {2}
    assert {c[2] for c in cycles_b} == {1}
    assert partners_a == {"alpha partner 0", "alpha partner 1"}
    assert partners_b == {"beta partner 0"}
