from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import Deal, ImportBatch
from tests.factories import PartnerFactory, member

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]


def _state(tenant):
    with tenant_context(tenant):
        batch = ImportBatch.objects.order_by("-id").first()
        return batch, Deal.objects.count()


def test_a_large_import_is_committed_by_a_real_worker(celery_worker_process, tenant, client, settings):
    settings.IMPORT_SYNC_MAX_ROWS = 10
    PartnerFactory(tenant=tenant, name="Acme Digital")
    manager = member(tenant, Role.MANAGER)
    rows = "".join(f"OPP-{i},Acme Digital,{100 + i},2026-01-{1 + i % 28:02d}\n" for i in range(300))
    file = SimpleUploadedFile("big.csv", ("Opportunity ID,Partner,Amount,Created Date\n" + rows).encode())
    client.force_login(manager.user)
    client.post(
        reverse("import_upload", kwargs={"tenant_slug": tenant.slug}), {"kind": "deals", "source": "crm", "file": file}
    )
    batch, _ = _state(tenant)
    client.post(reverse("import_commit", kwargs={"tenant_slug": tenant.slug, "batch_id": batch.pk}))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _state(tenant)[0].status != ImportBatch.Status.COMMITTED:
        time.sleep(0.2)
    batch, deals = _state(tenant)
    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.counts["new"] == 300
    assert deals == 300
