"""On a real worker with two slots: the same month's digests sent twice at once reach each member once."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from partnerhub.core.models import Notification, Role
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.models import DigestDelivery
from partnerhub.executive.services.dashboard import dashboard_precompute
from partnerhub.executive.tasks.digest import digest_send_task
from tests.executive.world import TODAY, build_program
from tests.factories import member
from tests.worker import running_worker

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]


@pytest.fixture
def two_slot_worker(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    with running_worker(pool="threads", concurrency=2) as proc:
        yield proc


def test_two_runs_of_one_months_digest_at_once_send_each_member_one(tenant, two_slot_worker):
    program = build_program(tenant, partners=8)
    for role in (Role.ADMIN, Role.EXECUTIVE, Role.MANAGER):
        member(tenant, role)
    dashboard_precompute(tenant=tenant, today=TODAY)

    pending = [digest_send_task.delay(tenant_id=tenant.pk, month="2025-07-01") for _ in range(2)]
    results = [p.get(timeout=120) for p in pending]

    with tenant_context(tenant):
        members = DigestDelivery.objects.values_list("membership_id", flat=True)
        notified = Notification.objects.filter(kind="digest").values_list("recipient_id", flat=True)
        assert sorted(members) == sorted(set(members))
        assert sorted(notified) == sorted(members)
    assert sorted(r["created"] for r in results) == [0, len(members)]
    assert sum(r["emailed"] for r in results) == len(members) == len(program.managers) + 3
