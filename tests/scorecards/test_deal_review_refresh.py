"""The deal-review queue sees imported deals: refreshed after every committed import (chained after its commit) and
nightly, idempotent, one refresh per program at a time; proven on a real worker."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnerhub.core.models import Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import Deal, DealReview, ImportBatch
from scorecards.services.deal_reviews import deal_review_transition, deal_reviews_refresh
from scorecards.tasks import deal_reviews as deal_review_tasks
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import DealFactory
from tests.worker import running_worker

HEADER = "Opportunity ID,Partner,Amount,Created Date\n"


def _reviews(tenant):
    with tenant_context(tenant):
        return dict(DealReview.objects.values_list("deal__external_id", "status"))


# --- the service and the tasks, in process ---


@pytest.mark.django_db
def test_a_queued_review_whose_deal_fell_below_the_threshold_leaves_the_queue_and_a_started_one_stays(tenant):
    partner = PartnerFactory(tenant=tenant)
    manager = member(tenant, Role.MANAGER)
    big = [DealFactory(partner=partner, external_id=f"BIG-{i}", amount=Decimal(90000)) for i in range(2)]
    with tenant_context(tenant):
        deal_reviews_refresh(tenant=tenant)
        started = DealReview.objects.get(deal=big[1])
        deal_review_transition(tenant=tenant, actor=manager, review=started, action="start")
        Deal.objects.filter(pk__in=[d.pk for d in big]).update(amount=Decimal(900))  # a corrected re-import
        result = deal_reviews_refresh(tenant=tenant)
    assert (result.queued, result.dropped) == (0, 1)
    assert _reviews(tenant) == {"BIG-1": DealReview.Status.IN_REVIEW}


@pytest.mark.django_db
def test_the_task_refreshes_its_programs_queue_and_a_second_run_changes_nothing(tenant):
    DealFactory(partner=PartnerFactory(tenant=tenant), external_id="BIG", amount=Decimal(75000))
    first = deal_review_tasks.deal_reviews_refresh_task(tenant_id=tenant.pk)
    second = deal_review_tasks.deal_reviews_refresh_task(tenant_id=tenant.pk)
    assert first == {"queued": 1, "rescored": 0, "dropped": 0}
    assert second == {"queued": 0, "rescored": 0, "dropped": 0}


@pytest.mark.django_db
def test_the_nightly_task_queues_one_refresh_per_program(tenant, other_tenant, monkeypatch):
    queued: list[int] = []
    monkeypatch.setattr(
        deal_review_tasks.deal_reviews_refresh_task, "delay", lambda tenant_id: queued.append(tenant_id)
    )
    count = deal_review_tasks.deal_reviews_refresh_nightly_task()
    assert sorted(queued) == sorted(Tenant.objects.values_list("pk", flat=True))
    assert count == len(queued) >= 2


def test_the_nightly_refresh_runs_after_the_quality_run_and_before_the_snapshot_refresh():
    entry = settings.CELERY_BEAT_SCHEDULE["deal-reviews-nightly"]
    assert entry["task"] == "scorecards.tasks.deal_reviews.deal_reviews_refresh_nightly_task"
    assert entry["schedule"] == crontab(hour=2, minute=45)
    assert settings.CELERY_BEAT_SCHEDULE["snapshot-refresh-nightly"]["schedule"] == crontab(hour=3, minute=0)


# --- on a real worker ---


@pytest.fixture
def two_slot_worker(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    """A real worker with a pool of two threads, so two refreshes run at once."""
    with running_worker(pool="threads", concurrency=2) as proc:
        yield proc


@pytest.mark.worker
@pytest.mark.xdist_group("worker")
def test_a_committed_imports_deal_above_the_threshold_appears_in_the_queue(celery_worker_process, tenant, client):
    PartnerFactory(tenant=tenant, name="Acme Digital")
    client.force_login(member(tenant, Role.MANAGER).user)
    rows = "BIG-1,Acme Digital,120000,2026-01-05\nSMALL-1,Acme Digital,900,2026-01-06\n"
    file = SimpleUploadedFile("crm.csv", (HEADER + rows).encode())
    client.post(
        reverse("import_upload", kwargs={"tenant_slug": tenant.slug}), {"kind": "deals", "source": "crm", "file": file}
    )
    with tenant_context(tenant):
        batch = ImportBatch.objects.get()
    client.post(reverse("import_commit", kwargs={"tenant_slug": tenant.slug, "batch_id": batch.pk}))
    with tenant_context(tenant):
        assert ImportBatch.objects.get().status == ImportBatch.Status.COMMITTED

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _reviews(tenant):
        time.sleep(0.2)

    assert _reviews(tenant) == {"BIG-1": DealReview.Status.QUEUED}
    page = client.get(reverse("deal_review_list", kwargs={"tenant_slug": tenant.slug})).content.decode()
    assert "BIG-1" in page
    assert "SMALL-1" not in page


@pytest.mark.worker
@pytest.mark.xdist_group("worker")
def test_two_refreshes_of_one_program_at_once_queue_each_deal_once(two_slot_worker, tenant):
    partner = PartnerFactory(tenant=tenant)
    with tenant_context(tenant):
        Deal.objects.bulk_create(
            Deal(
                tenant=tenant,
                partner=partner,
                external_id=f"BIG-{i:04d}",
                amount=Decimal(60000 + i),
                created_on=date(2026, 1, 1),
            )
            for i in range(3000)
        )

    pending = [deal_review_tasks.deal_reviews_refresh_task.delay(tenant_id=tenant.pk) for _ in range(2)]
    results = sorted((p.get(timeout=120) for p in pending), key=lambda r: r["queued"])

    # The second waited for the first's lock, then found every deal queued: no duplicate, no failure.
    assert [r["queued"] for r in results] == [0, 3000]
    assert len(_reviews(tenant)) == 3000
