"""Import reads: history, one batch (never another program's), the rows a batch touched, cached preview rows."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from partnerhub.core.errors import NotFoundError
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import ImportBatch, ImportChange
from scorecards.selectors.imports import (
    import_batch_changes,
    import_batch_get,
    import_batch_list,
    import_file_headers,
    import_preview_rows,
)
from scorecards.services.imports import import_commit, import_preview
from tests.factories import PartnerFactory
from tests.scorecards.factories import DEAL_HEADER, ImportBatchFactory, csv_bytes, deal_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(tenant):
    return PartnerFactory(tenant=tenant, name="Acme Cloud", external_id="P-ACME")


def test_the_history_lists_the_programs_batches_newest_first_in_one_query(
    tenant, other_tenant, manager, django_assert_num_queries
):
    older = ImportBatchFactory(tenant=tenant, uploaded_by=manager, kind="deals")
    middle = ImportBatchFactory(tenant=tenant, uploaded_by=manager, kind="surveys")
    newest = ImportBatchFactory(tenant=tenant, uploaded_by=manager, kind="deals")
    ImportBatchFactory(tenant=other_tenant)

    with tenant_context(tenant), django_assert_num_queries(1):
        batches = list(import_batch_list(tenant=tenant))
        uploaders = [b.uploaded_by.user.email for b in batches]

    assert batches == [newest, middle, older]
    assert uploaders == [manager.user.email] * 3


def test_the_history_can_be_filtered_by_kind(tenant, manager):
    deals = ImportBatchFactory(tenant=tenant, uploaded_by=manager, kind="deals")
    ImportBatchFactory(tenant=tenant, uploaded_by=manager, kind="surveys")

    with tenant_context(tenant):
        assert list(import_batch_list(tenant=tenant, kind="deals")) == [deals]


def test_the_history_does_not_load_file_contents(tenant, manager):
    ImportBatchFactory(tenant=tenant, uploaded_by=manager, content=b"x" * 1000)

    with tenant_context(tenant):
        (batch,) = import_batch_list(tenant=tenant)

    assert "content" in batch.get_deferred_fields()


def test_another_programs_batch_is_not_found_like_a_missing_one(tenant, other_tenant):
    foreign = ImportBatchFactory(tenant=other_tenant)

    with tenant_context(tenant):
        with pytest.raises(NotFoundError) as foreign_error:
            import_batch_get(tenant=tenant, batch_id=foreign.pk)
        with pytest.raises(NotFoundError) as missing_error:
            import_batch_get(tenant=tenant, batch_id=foreign.pk + 1000)

    assert foreign_error.value.message == missing_error.value.message


def test_a_batch_lists_the_rows_it_created_and_updated(tenant, manager, acme):
    content = csv_bytes(DEAL_HEADER, deal_rows("P-ACME", 3))
    with tenant_context(tenant):
        batch = import_preview(tenant=tenant, actor=manager, kind="deals", file_name="d.csv", content=content)
        batch = import_commit(tenant=tenant, actor=manager, batch=batch)
        changes = list(import_batch_changes(tenant=tenant, batch=batch))

    assert [(c.model, c.action) for c in changes] == [("scorecards.Deal", ImportChange.Action.CREATED)] * 3


def test_preview_rows_come_from_the_cache_and_are_rebuilt_when_it_is_empty(tenant, manager, acme):
    content = csv_bytes(DEAL_HEADER, deal_rows("P-ACME", 3))
    with tenant_context(tenant):
        batch = import_preview(tenant=tenant, actor=manager, kind="deals", file_name="d.csv", content=content)
        cached = import_preview_rows(tenant=tenant, batch=batch, limit=3)
        cache.clear()
        rebuilt = import_preview_rows(tenant=tenant, batch=batch, limit=3)

    assert cached == rebuilt
    assert [r["external_id"] for r in rebuilt] == ["D-000000", "D-000001", "D-000002"]


def test_an_unreadable_file_has_no_headers_and_no_preview_rows(tenant, manager):
    with tenant_context(tenant):
        batch = import_preview(tenant=tenant, actor=manager, kind="deals", file_name="x.pdf", content=b"%PDF-1.4")
        rows = import_preview_rows(tenant=tenant, batch=batch)

    assert import_file_headers(batch=batch) == []
    assert rows == []
    assert batch.status == ImportBatch.Status.PREVIEWED
