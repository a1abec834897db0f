"""Data-quality tasks: one tenant's run returns counts; the nightly fan-out queues one run per tenant at 02:30 UTC."""

from __future__ import annotations

import pytest
from celery.schedules import crontab
from django.conf import settings

from partnerhub.core.errors import TenantScopeError
from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import DataQualityFinding
from scorecards.tasks import data_quality as quality_tasks
from tests.scorecards.factories import build

pytestmark = pytest.mark.django_db


def test_the_task_runs_the_checks_for_its_tenant_and_returns_counts(tenant):
    build(tenant)
    result = quality_tasks.data_quality_task(tenant_id=tenant.pk)
    with tenant_context(tenant):
        stored = DataQualityFinding.objects.for_tenant(tenant).filter(status="open").count()
    assert result["created"] == result["open"] == stored > 0
    assert set(result) >= {"created", "updated", "reopened", "resolved", "open_by_kind", "reference_month"}


def test_the_task_refuses_to_run_without_a_tenant():
    with pytest.raises(TenantScopeError):
        quality_tasks.data_quality_task()


def test_the_nightly_task_queues_one_run_per_tenant(tenant, other_tenant, monkeypatch):
    queued: list[int] = []
    monkeypatch.setattr(quality_tasks.data_quality_task, "delay", lambda tenant_id: queued.append(tenant_id))
    count = quality_tasks.data_quality_nightly_task()
    assert sorted(queued) == sorted(Tenant.objects.values_list("pk", flat=True))
    assert count == len(queued) >= 2


def test_the_nightly_run_is_scheduled_at_half_past_two_utc():
    entry = settings.CELERY_BEAT_SCHEDULE["data-quality-nightly"]
    assert entry["task"] == "scorecards.tasks.data_quality.data_quality_nightly_task"
    assert entry["schedule"] == crontab(hour=2, minute=30)
    assert settings.CELERY_TIMEZONE == "UTC"
