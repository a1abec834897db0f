"""Tasks on a real worker: each enters the tenant it is given, sees only that tenant, and refuses to run without."""

from __future__ import annotations

import pytest

from partnerhub.core.errors import TenantScopeError
from partnerhub.core.tenancy.tasks import tenancy_probe_task
from tests.factories import PartnerFactory, member

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]


def test_worker_tasks_for_two_tenants_see_only_their_own_rows(celery_worker_process, tenant, other_tenant):
    PartnerFactory.create_batch(2, tenant=tenant)
    member(tenant)
    PartnerFactory.create_batch(3, tenant=other_tenant)
    first = tenancy_probe_task.delay(tenant_id=tenant.pk).get(timeout=30)
    second = tenancy_probe_task.delay(tenant_id=other_tenant.pk).get(timeout=30)
    third = tenancy_probe_task.delay(tenant_id=tenant.pk).get(timeout=30)
    assert first["seen"]["partnerhub.Partner"] == [tenant.pk]
    assert first["seen"]["partnerhub.Membership"] == [tenant.pk]
    assert second["seen"]["partnerhub.Partner"] == [other_tenant.pk]
    assert second["seen"]["partnerhub.Membership"] == []
    assert all(ids in ([], [other_tenant.pk]) for ids in second["seen"].values())
    assert third == first


def test_worker_refuses_a_task_without_tenant(celery_worker_process, tenant):
    PartnerFactory(tenant=tenant)
    result = tenancy_probe_task.delay()
    with pytest.raises(TenantScopeError):
        result.get(timeout=30, propagate=True)
    result = tenancy_probe_task.delay(tenant_id=None)
    with pytest.raises(TenantScopeError):
        result.get(timeout=30)


def test_worker_task_runs_on_this_test_database_as_the_app_role(celery_worker_process, tenant, settings):
    from django.db import connection

    result = tenancy_probe_task.delay(tenant_id=tenant.pk).get(timeout=30)
    assert result["database"] == connection.settings_dict["NAME"]
    assert result["role"] == settings.DATABASE_APP_ROLE
