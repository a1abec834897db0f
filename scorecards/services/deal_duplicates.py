"""Linking likely duplicate deals already stored (the data-quality finding's action): one deal with two ids."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from partnerhub.core.errors import InvalidStateError
from partnerhub.core.models import AuditEntry, Membership, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from partnerhub.core.signals import partner_data_changed
from scorecards.models import DataQualityFinding, Deal, DealAlias, ImportBatch
from scorecards.selectors.deal_duplicates import deal_duplicate_pairs_for
from scorecards.services.imports import import_lock


@transaction.atomic
def deal_duplicates_link(*, tenant: Tenant, actor: Membership, finding: DataQualityFinding) -> int:
    """Make each pair a likely-duplicate finding names one deal: the later deal's id becomes another id of the
    earlier deal (a later import row with it updates that deal) and the later deal is removed. The pairs are read
    again from the deals as they are now; the finding is resolved. Returns how many pairs were linked.

    Raises InvalidStateError for a finding of another kind, PermissionDeniedError without ``imports.run``.
    """
    ensure_same_tenant(tenant, actor, finding)
    ensure_can(actor, "imports.run")
    if finding.kind != DataQualityFinding.Kind.DUPLICATE:
        raise InvalidStateError("Only a likely-duplicate finding can link deals.", code="finding_not_duplicate")
    import_lock(tenant, ImportBatch.Kind.DEALS)  # no import of deals runs while two deals become one
    pairs = deal_duplicate_pairs_for(tenant=tenant, partner_id=finding.partner_id, month=finding.month)
    now = timezone.now()
    for earlier, later in pairs:
        DealAlias.objects.create(tenant=tenant, deal_id=earlier.ref, external_id=later.external_id, source=later.source)
        Deal.objects.for_tenant(tenant).filter(pk=later.ref).delete()
        AuditEntry.objects.create(
            tenant=tenant,
            content_type=ContentType.objects.get_for_model(Deal),
            object_pk=str(earlier.ref),
            object_id=earlier.ref,
            object_repr=f"{earlier.external_id} · {earlier.account}"[:200],
            action=LogEntry.Action.UPDATE,
            actor=actor.user,
            actor_email=actor.user.email,
            timestamp=now,
            changes_text=(
                f"Deal {later.external_id} ({later.source or 'no source'}) linked to deal {earlier.external_id} "
                f"({earlier.source or 'no source'}) as one deal; {later.external_id} is kept as its other id"
            ),
            changes={"aliases": [None, later.external_id]},
        )
    finding.status, finding.resolved_at = DataQualityFinding.Status.RESOLVED, now
    finding.save(update_fields=["status", "resolved_at", "updated_at"])
    if pairs:
        partner_data_changed.send(sender=Deal, tenant=tenant, partner_ids=[finding.partner_id])
    return len(pairs)
