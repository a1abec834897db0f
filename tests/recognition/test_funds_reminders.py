"""Claim deadline reminders: sent before the deadline lapses, to the partner's users and its manager, once only;
on a real worker too, run twice or twice at once; the beat entry names the daily fan-out."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from partnerhub.core.models import Notification, Role
from partnerhub.core.tenancy.context import tenant_context
from recognition.models import FundRequest
from recognition.services.claim_reminders import claim_reminders_send
from recognition.tasks.funds import claim_reminders_daily_task, claim_reminders_send_task
from tests.factories import PartnerFactory, member
from tests.recognition.invest_factories import AllocationFactory, ClaimFactory, FundRequestFactory
from tests.worker import running_worker

TODAY = date(2026, 6, 1)


def _program(tenant):
    """Three approved requests: one due in 10 days (reminded), one in 40 days (not yet), one due in 5 days but fully
    claimed (nothing to remind); the partner has two users and an owner manager: 3 reminders."""
    manager = member(tenant, Role.MANAGER)
    partner = PartnerFactory(tenant=tenant, owner=manager)
    member(tenant, Role.PARTNER, partner=partner)
    member(tenant, Role.PARTNER, partner=partner)
    allocation = AllocationFactory(budget__tenant=tenant, partner=partner, amount=Decimal("9000"))
    approved = {"status": FundRequest.Status.APPROVED, "approved_amount": Decimal("2000")}
    due_soon = FundRequestFactory(allocation=allocation, claim_deadline=date(2026, 6, 11), **approved)
    FundRequestFactory(allocation=allocation, claim_deadline=date(2026, 7, 11), **approved)
    claimed = FundRequestFactory(allocation=allocation, claim_deadline=date(2026, 6, 6), **approved)
    ClaimFactory(request=claimed, amount=Decimal("2000"))
    return due_soon


def _keys(tenant):
    with tenant_context(tenant):
        return sorted(Notification.objects.values_list("dedupe_key", flat=True))


@pytest.mark.django_db
def test_a_deadline_within_two_weeks_reminds_the_partners_users_and_manager_once(tenant):
    due_soon = _program(tenant)

    with tenant_context(tenant):
        first = claim_reminders_send(tenant=tenant, today=TODAY, email=False)
        second = claim_reminders_send(tenant=tenant, today=TODAY, email=False)
        later = claim_reminders_send(tenant=tenant, today=date(2026, 6, 9), email=False)

    assert (first, second, later) == (3, 0, 0)
    assert _keys(tenant) == [f"fund_request:{due_soon.pk}:claim_due"] * 3


@pytest.mark.django_db
def test_the_reminder_says_what_is_left_to_claim_and_by_when(tenant):
    _program(tenant)

    with tenant_context(tenant):
        claim_reminders_send(tenant=tenant, today=TODAY, email=False)
        note = Notification.objects.filter(recipient__role=Role.PARTNER).first()

    assert note.title.endswith("due in 10 days (11 Jun 2026)")
    assert "2,000 USD approved" in note.body
    assert note.url == f"/t/{tenant.slug}/portal/funds/"


@pytest.mark.django_db
def test_a_lapsed_deadline_reminds_no_one(tenant):
    _program(tenant)

    with tenant_context(tenant):
        assert claim_reminders_send(tenant=tenant, today=date(2026, 7, 12), email=False) == 0


def test_the_daily_beat_entry_fans_out_the_reminders():
    entry = settings.CELERY_BEAT_SCHEDULE["investment-claim-reminders-daily"]

    assert entry["task"] == claim_reminders_daily_task.name


@pytest.fixture
def two_slot_worker(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    with running_worker(pool="threads", concurrency=2) as proc:
        yield proc


@pytest.mark.worker
@pytest.mark.xdist_group("worker")
def test_on_a_real_worker_the_task_run_twice_sends_each_reminder_once(celery_worker_process, tenant):
    _program(tenant)

    first = claim_reminders_send_task.delay(tenant_id=tenant.pk, today=TODAY.isoformat()).get(timeout=60)
    second = claim_reminders_send_task.delay(tenant_id=tenant.pk, today=TODAY.isoformat()).get(timeout=60)

    assert (first, second) == (3, 0)
    with tenant_context(tenant):
        assert Notification.objects.filter(emailed_at__isnull=False).count() == 3


@pytest.mark.worker
@pytest.mark.xdist_group("worker")
def test_on_a_real_worker_two_runs_at_once_still_send_each_reminder_once(two_slot_worker, tenant):
    _program(tenant)

    pending = [claim_reminders_send_task.delay(tenant_id=tenant.pk, today=TODAY.isoformat()) for _ in range(2)]

    assert sum(p.get(timeout=60) for p in pending) == 3
    assert len(_keys(tenant)) == 3
