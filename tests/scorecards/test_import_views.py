from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import Deal, ImportBatch
from tests.factories import PartnerFactory, member
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db

CRM_HEADER = (
    "Opportunity ID,Opportunity Name,Account Name,Partner Account,Stage,Amount,Created Date,Close Date,Won/Lost\n"
)
GOOD_ROWS = (
    'OPP-1,Cloud move,Globex,Acme Digital,Closed Won,"$12,500.00",01/15/2026,03/31/2026,Won\n'
    'OPP-2,Security,Initech,Acme Digital,Negotiation,"$8,000.00",02/01/2026,,Open\n'
)


@pytest.fixture
def acme_digital(tenant):
    return PartnerFactory(tenant=tenant, name="Acme Digital")


def _upload(client, tenant, text, name="crm.csv"):
    file = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return client.post(tenant_url("import_upload", tenant), {"kind": "deals", "source": "salesforce", "file": file})


def _batch(tenant):
    with tenant_context(tenant):
        return ImportBatch.objects.order_by("-id").first()


def _deal_count(tenant):
    with tenant_context(tenant):
        return Deal.objects.count()


def test_a_manager_uploads_a_crm_export_previews_it_with_its_own_headers_then_commits(
    client, tenant, manager, acme_digital
):
    client.force_login(manager.user)
    response = _upload(client, tenant, CRM_HEADER + GOOD_ROWS)
    batch = _batch(tenant)
    assert response.status_code == 302
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.counts["new"] == 2
    page = client.get(tenant_url("import_detail", tenant, batch_id=batch.pk)).content.decode()
    assert "Opportunity ID" in page
    assert "Commit 2 rows" in page
    assert _deal_count(tenant) == 0
    response = client.post(tenant_url("import_commit", tenant, batch_id=batch.pk))
    assert response.status_code == 302
    assert _batch(tenant).status == ImportBatch.Status.COMMITTED
    assert _deal_count(tenant) == 2


def test_a_bad_row_is_reported_with_a_downloadable_report_and_nothing_is_written(client, tenant, manager, acme_digital):
    client.force_login(manager.user)
    bad = 'OPP-3,Typo,Hooli,No Such Partner,Open,"$1,000",01/20/2026,,Open\n'
    _upload(client, tenant, CRM_HEADER + GOOD_ROWS + bad)
    batch = _batch(tenant)
    page = client.get(tenant_url("import_detail", tenant, batch_id=batch.pk)).content.decode()
    report = client.get(tenant_url("import_errors_csv", tenant, batch_id=batch.pk))
    client.post(tenant_url("import_commit", tenant, batch_id=batch.pk))
    assert batch.counts["invalid"] == 1
    assert "No Such Partner" in page
    assert "Commit" not in page.split("Problems to fix")[0]
    assert report["Content-Disposition"].startswith(f'attachment; filename="{tenant.slug}-import-')
    assert "4,Partner Account,No Such Partner," in report.content.decode()
    assert _batch(tenant).status != ImportBatch.Status.COMMITTED
    assert _deal_count(tenant) == 0


def test_a_remapped_column_is_rechecked(client, tenant, manager, acme_digital):
    client.force_login(manager.user)
    text = "Deal Key,Reseller,Deal Size,Opened\nK-1,Acme Digital,100,2026-01-02\n"
    _upload(client, tenant, text)
    batch = _batch(tenant)
    mapping = {"external_id": "Deal Key", "partner": "Reseller", "amount": "Deal Size", "created_on": "Opened"}
    response = client.post(tenant_url("import_detail", tenant, batch_id=batch.pk), mapping)
    assert response.status_code == 302
    assert _batch(tenant).counts["invalid"] == 0
    assert _batch(tenant).mapping["amount"] == "Deal Size"


def test_a_committed_import_can_be_undone_from_its_page(client, tenant, manager, acme_digital):
    client.force_login(manager.user)
    _upload(client, tenant, CRM_HEADER + GOOD_ROWS)
    batch = _batch(tenant)
    client.post(tenant_url("import_commit", tenant, batch_id=batch.pk))
    response = client.post(tenant_url("import_rollback", tenant, batch_id=batch.pk))
    assert response.status_code == 302
    assert _batch(tenant).status == ImportBatch.Status.ROLLED_BACK
    assert _deal_count(tenant) == 0


def test_an_upload_over_the_size_limit_is_refused_with_a_message(client, tenant, manager, acme_digital, settings):
    settings.IMPORT_MAX_BYTES = 100
    client.force_login(manager.user)
    response = _upload(client, tenant, CRM_HEADER + GOOD_ROWS * 5)
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()
    assert _batch(tenant) is None


def test_an_executive_reads_the_import_history_but_cannot_upload(client, tenant, manager, acme_digital):
    executive = member(tenant, Role.EXECUTIVE)
    client.force_login(executive.user)
    assert client.get(tenant_url("import_list", tenant)).status_code == 200
    assert client.get(tenant_url("import_upload", tenant)).status_code == 403


def test_the_import_history_lists_batches_with_their_counts(client, tenant, manager, acme_digital):
    client.force_login(manager.user)
    _upload(client, tenant, CRM_HEADER + GOOD_ROWS, name="january.csv")
    page = client.get(tenant_url("import_list", tenant)).content.decode()
    assert "january.csv" in page
    assert "Previewed" in page


def test_a_large_file_goes_to_the_worker_and_the_page_polls_its_progress(
    client, tenant, manager, acme_digital, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_SYNC_MAX_ROWS = 1
    client.force_login(manager.user)
    _upload(client, tenant, CRM_HEADER + GOOD_ROWS)
    batch = _batch(tenant)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(tenant_url("import_commit", tenant, batch_id=batch.pk))
    page = client.get(tenant_url("import_detail", tenant, batch_id=batch.pk)).content.decode()
    progress = client.get(tenant_url("import_progress", tenant, batch_id=batch.pk))
    assert _batch(tenant).status == ImportBatch.Status.QUEUED
    assert len(callbacks) == 1
    assert 'hx-trigger="every 1s"' in page
    assert progress.status_code == 200
    assert b"waiting for a worker" in progress.content
