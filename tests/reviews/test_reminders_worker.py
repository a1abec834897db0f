"""Reminders on a real worker: sent once when the task runs twice, or twice at once; the daily fan-out per tenant.

E-mails sent by the worker process cannot be read here (its locmem outbox is its own): the proof is each
notification's ``emailed_at`` and the task's own count of the e-mails it claimed.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from partnerhub.core.models import Notification, Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import Attendee
from reviews.tasks.reminders import reminders_send_daily_task, reminders_send_task
from tests.factories import PartnerFactory, member
from tests.reviews.factories import ActionItemFactory, CadenceFactory, CycleFactory, ReviewFactory
from tests.worker import running_worker

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]
TODAY = date(2026, 10, 12)
NOTHING = {"upcoming": 0, "self_assessment": 0, "forecast": 0, "overdue": 0, "created": 0, "emailed": 0}


@pytest.fixture
def two_slot_worker(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    with running_worker(pool="threads", concurrency=2) as proc:
        yield proc


def program(tenant, today=TODAY):
    """One review three days away with a due self-assessment and forecast, and one overdue action: 7 reminders."""
    moderator = member(tenant, Role.MANAGER)
    attendee = member(tenant, Role.MANAGER)
    partner = PartnerFactory(tenant=tenant, owner=moderator)
    member(tenant, Role.PARTNER, partner=partner)
    member(tenant, Role.PARTNER, partner=partner)
    cycle = CycleFactory(cadence=CadenceFactory(tenant=tenant, asks_forecast=True))
    review = ReviewFactory(
        cycle=cycle,
        partner=partner,
        moderator=moderator,
        scheduled_for=datetime(today.year, today.month, today.day, 15, tzinfo=UTC) + timedelta(days=3),
        self_assessment_due=today + timedelta(days=1),
    )
    with tenant_context(tenant):
        Attendee.objects.create(tenant=tenant, review=review, membership=attendee)
    ActionItemFactory(review=review, owner=moderator, due_date=today - timedelta(days=2))


def notifications(tenant):
    with tenant_context(tenant):
        return list(Notification.objects.values_list("dedupe_key", "emailed_at"))


def test_the_task_run_twice_on_a_worker_sends_each_reminder_once(celery_worker_process, tenant):
    program(tenant)

    first = reminders_send_task.delay(tenant_id=tenant.pk, today=TODAY.isoformat()).get(timeout=60)
    second = reminders_send_task.delay(tenant_id=tenant.pk, today=TODAY.isoformat()).get(timeout=60)

    assert first == {"upcoming": 2, "self_assessment": 2, "forecast": 2, "overdue": 1, "created": 7, "emailed": 7}
    assert second == NOTHING
    rows = notifications(tenant)
    assert len(rows) == 7
    assert all(emailed_at is not None for _, emailed_at in rows)


def test_two_runs_at_once_still_send_and_email_each_reminder_once(two_slot_worker, tenant):
    program(tenant)

    pending = [reminders_send_task.delay(tenant_id=tenant.pk, today=TODAY.isoformat()) for _ in range(2)]
    results = [p.get(timeout=60) for p in pending]

    assert sum(r["created"] for r in results) == 7
    assert sum(r["emailed"] for r in results) == 7
    assert len(notifications(tenant)) == 7


def test_the_daily_fan_out_runs_each_tenant_in_its_own_task(celery_worker_process, tenant, other_tenant):
    today = timezone.localdate()
    program(tenant, today)
    program(other_tenant, today)

    assert reminders_send_daily_task.delay().get(timeout=60) >= 2
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (len(notifications(tenant)), len(notifications(other_tenant))) != (7, 7):
        time.sleep(0.5)

    assert (len(notifications(tenant)), len(notifications(other_tenant))) == (7, 7)
    with tenant_context(tenant):
        recipients = set(Notification.objects.values_list("recipient__tenant_id", flat=True))
    assert recipients == {tenant.pk}
