"""Checked by mypy, never imported: ``for_tenant()`` keeps its model's type and never falls back to ``Any``.

``assert_type`` fails on ``Any`` as well as on a wrong type, so if the scoped manager loses its generic typing
(say, built again with ``Manager.from_queryset``), ``make lint`` fails here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, assert_type

if TYPE_CHECKING:
    from partnerhub.core.models import AuditEntry, Membership, Partner, Tenant
    from partnerhub.core.tenancy.managers import TenantScopedManager, TenantScopedQuerySet
    from reviews.models import Review
    from scorecards.models import Observation

    def _for_tenant_is_typed(tenant: Tenant) -> None:
        assert_type(Partner.objects, TenantScopedManager[Partner])
        assert_type(Partner.objects.for_tenant(tenant), TenantScopedQuerySet[Partner])
        assert_type(Membership.objects.for_tenant(tenant), TenantScopedQuerySet[Membership])
        assert_type(Review.objects.for_tenant(tenant), TenantScopedQuerySet[Review])
        assert_type(Observation.objects.for_tenant(tenant), TenantScopedQuerySet[Observation])
        assert_type(AuditEntry.objects.for_tenant(tenant), TenantScopedQuerySet[AuditEntry])
        # Chained: the queryset keeps its class and its model, down to the row.
        partners = Partner.objects.for_tenant(tenant).filter(is_strategic=True).order_by("name")
        assert_type(partners, TenantScopedQuerySet[Partner])
        assert_type(partners.for_tenant(tenant), TenantScopedQuerySet[Partner])
        assert_type(partners.get(), Partner)
        assert_type(partners.first(), Partner | None)
