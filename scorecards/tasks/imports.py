"""Import tasks: a large file is committed by a worker, reporting progress through the cache."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from partnerhub.core.errors import DomainError
from partnerhub.core.models import Membership, Tenant
from partnerhub.core.tenancy.tasks import tenant_task
from scorecards.selectors.imports import import_progress_key


@tenant_task(max_retries=0)
def import_commit_task(tenant: Tenant, batch_id: int, actor_id: int) -> dict[str, Any]:
    """Commit a previewed batch; progress goes to the cache because the rows commit only at the end."""
    from scorecards.selectors.imports import import_batch_get
    from scorecards.services.imports import import_commit

    batch = import_batch_get(tenant=tenant, batch_id=batch_id)
    actor = Membership.objects.for_tenant(tenant).select_related("user").get(pk=actor_id)
    key = import_progress_key(tenant.pk, batch.pk)

    def progress(done: int, total: int) -> None:
        cache.set(key, {"done": done, "total": total}, timeout=3600)

    try:
        batch = import_commit(tenant=tenant, actor=actor, batch=batch, progress=progress)
    except DomainError as exc:
        # The service recorded the failure on the batch; the task itself succeeded in reporting it.
        return {"batch": batch_id, "status": "failed", "detail": exc.message}
    finally:
        cache.delete(key)
    return {"batch": batch.pk, "status": batch.status, "counts": batch.counts}
