"""Reads of imports: batch history, one batch, the fields a kind accepts, a file's headers, preview rows, changes."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Tenant
from scorecards.domain.import_fields import KINDS, FieldSpec
from scorecards.domain.import_mapping import check_mapping
from scorecards.domain.import_parsing import FileProblem, parse_table, read_headers
from scorecards.errors import ImportKindUnknownError
from scorecards.models import ImportBatch, ImportChange
from scorecards.selectors.import_rows import (
    PREVIEW_CACHE_SECONDS,
    display_rows,
    plan_changes,
    preview_cache_key,
    validate,
)

__all__ = [
    "FieldSpec",
    "import_batch_changes",
    "import_batch_get",
    "import_batch_list",
    "import_fields",
    "import_file_headers",
    "import_preview_rows",
]


def import_batch_list(*, tenant: Tenant, kind: str | None = None) -> QuerySet[ImportBatch]:
    """The tenant's import batches, newest first, with the uploader; the file content is not loaded."""
    qs = ImportBatch.objects.for_tenant(tenant).select_related("uploaded_by__user").defer("content")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def import_batch_get(*, tenant: Tenant, batch_id: int) -> ImportBatch:
    """One batch, or NotFoundError for a missing id and another tenant's id alike."""
    batch = import_batch_list(tenant=tenant).filter(pk=batch_id).first()
    if batch is None:
        raise NotFoundError("Import not found.")
    return batch


def import_fields(kind: str) -> list[FieldSpec]:
    """The fields an import of ``kind`` accepts, in display order; ImportKindUnknownError for an unknown kind."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ImportKindUnknownError(f'There is no "{kind}" import.')
    return list(spec.fields)


def import_file_headers(*, batch: ImportBatch) -> list[str]:
    """The headers of the batch's file as the mapping names them ([] when the file could not be read)."""
    content = bytes(batch.content or b"")
    return read_headers(content, batch.file_name) if content else []


def import_preview_rows(*, tenant: Tenant, batch: ImportBatch, limit: int = 20) -> list[dict[str, Any]]:
    """The first valid rows as they will be stored, keyed by field name (partner, metric and deal by name).

    Each row also has ``row_number`` (as in the file) and ``action`` (new, updated or unchanged). The rows are
    computed when the batch is previewed and cached; a miss reads the file again.
    """
    key = preview_cache_key(batch)
    cached = cache.get(key)
    if cached is not None and cached["limit"] >= limit:
        return list(cached["rows"][:limit])
    content = bytes(batch.content or b"")
    spec = KINDS.get(batch.kind)
    if not content or spec is None:
        return []
    try:
        table = parse_table(content, batch.file_name)
    except FileProblem:
        return []
    mapping, problems = check_mapping(spec, table.headers, dict(batch.mapping))
    if problems:
        return []
    validation = validate(tenant=tenant, spec=spec, table=table, mapping=mapping, today=timezone.localdate())
    rows = display_rows(validation, plan_changes(tenant=tenant, validation=validation), limit)
    cache.set(key, {"limit": limit, "rows": rows}, PREVIEW_CACHE_SECONDS)
    return rows


def import_batch_changes(*, tenant: Tenant, batch: ImportBatch) -> QuerySet[ImportChange]:
    """The rows the batch created or updated, in the order it wrote them."""
    return ImportChange.objects.for_tenant(tenant).filter(batch=batch).order_by("id")


def import_progress_key(tenant_id: int, batch_id: int) -> str:
    """Where a worker reports a batch's commit progress (the key carries the tenant, like every cache key)."""
    return f"t{tenant_id}:import-progress:{batch_id}"


def import_progress_get(*, tenant: Tenant, batch: ImportBatch) -> dict[str, int] | None:
    """A queued or running batch's progress as its worker last reported it ({"done", "total"}), else None."""
    if batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING):
        return None
    progress: dict[str, int] | None = cache.get(import_progress_key(tenant.pk, batch.pk))
    return progress
