"""The scoped manager: a tenant-owned queryset refuses to run unless a tenant is active (or named explicitly)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.db import models

from partnerhub.core.errors import TenantScopeError
from partnerhub.core.tenancy.context import app_wall_is_off, current_tenant

if TYPE_CHECKING:
    from partnerhub.core.models import Tenant

M = TypeVar("M", bound=models.Model)


class TenantScopedQuerySet(models.QuerySet[M]):
    """Scoped lazily, at evaluation: a queryset built at import time (a form field) is scoped when it runs."""

    _scoped_tenant_id: int | None = None

    def _clone(self) -> Self:
        # QuerySet._clone is real (every chained call goes through it) but private, so django-stubs leaves it out.
        clone: Self = super()._clone()  # type: ignore[misc]
        clone._scoped_tenant_id = self._scoped_tenant_id
        return clone

    def _enforce_scope(self) -> None:
        if app_wall_is_off():
            return
        active = current_tenant()
        if self._scoped_tenant_id is not None:
            # for_tenant(t) works without a context, but never against a different active tenant.
            if active is not None and active.pk != self._scoped_tenant_id:
                raise TenantScopeError("queryset scoped to another tenant than the active one")
            return
        if active is None:
            raise TenantScopeError(f"{self.model.__name__} queried without an active tenant")
        self.query.add_q(models.Q(tenant_id=active.pk))
        self._scoped_tenant_id = active.pk

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._enforce_scope()
        super()._fetch_all()

    def iterator(self, chunk_size: int | None = None) -> Iterator[M]:
        self._enforce_scope()
        return super().iterator(chunk_size=chunk_size)

    def count(self) -> int:
        if self._result_cache is None:
            self._enforce_scope()
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._enforce_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._enforce_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._enforce_scope()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._enforce_scope()
        return super().delete()

    def explain(self, *, format: str | None = None, **options: Any) -> str:
        self._enforce_scope()
        return super().explain(format=format, **options)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[M]:
        objs = list(objs)
        active = current_tenant()
        if not app_wall_is_off():
            if active is None:
                raise TenantScopeError("bulk_create without an active tenant")
            if any(obj.tenant_id != active.pk for obj in objs):
                raise TenantScopeError("bulk_create of rows owned by another tenant")
        return super().bulk_create(objs, *args, **kwargs)

    def resolve_expression(self, *args: Any, **kwargs: Any) -> Any:
        # Used as a subquery (``__in=qs``): scope it too, so no inner query runs unfiltered.
        self._enforce_scope()
        return super().resolve_expression(*args, **kwargs)

    def for_tenant(self, tenant: Tenant) -> Self:
        if tenant is None or getattr(tenant, "pk", None) is None:
            raise TenantScopeError("for_tenant() needs a saved tenant, not None")
        active = current_tenant()
        if active is not None and active.pk != tenant.pk and not app_wall_is_off():
            raise TenantScopeError("for_tenant() names another tenant than the active one")
        if self._scoped_tenant_id is not None and self._scoped_tenant_id != tenant.pk:
            raise TenantScopeError("queryset already scoped to another tenant")
        # With the application wall switched off (tests proving row-level security alone), the explicit filter goes
        # too: otherwise it, not the database, would be what keeps the other tenant's rows out.
        clone = self.all() if app_wall_is_off() else self.filter(tenant_id=tenant.pk)
        clone._scoped_tenant_id = tenant.pk
        return clone


class TenantScopedManager(models.Manager[M]):
    """The default manager of every tenant-owned model.

    Written out rather than built with ``Manager.from_queryset``: mypy cannot see through the generated class, so
    every ``for_tenant()`` queryset would be ``Any``. The methods below are the ones ``from_queryset`` generated
    (each calls the same method on ``get_queryset()``); the rest come from ``Manager`` as before.
    """

    _queryset_class = TenantScopedQuerySet

    def get_queryset(self) -> TenantScopedQuerySet[M]:
        # BaseManager._hints is real (set in __init__, used by Manager.get_queryset) but missing from django-stubs.
        return TenantScopedQuerySet(model=self.model, using=self._db, hints=self._hints)  # type: ignore[attr-defined]

    def for_tenant(self, tenant: Tenant) -> TenantScopedQuerySet[M]:
        return self.get_queryset().for_tenant(tenant)

    # from_queryset also copied these two overrides onto the manager (an override does not carry QuerySet.delete's
    # queryset_only flag), so ``objects.delete()`` and ``__in=Model.objects`` worked, scoped; kept as they were.
    def delete(self) -> tuple[int, dict[str, int]]:
        return self.get_queryset().delete()

    def resolve_expression(self, *args: Any, **kwargs: Any) -> Any:
        return self.get_queryset().resolve_expression(*args, **kwargs)
