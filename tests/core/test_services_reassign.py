"""partner_bulk_reassign: round-robin by name, history and audit rows, refusals, and a flat query count."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.core.errors import CrossTenantReferenceError, InvalidStateError, PermissionDeniedError
from partnerhub.core.models import AuditEntry, Partner, PartnerOwnerChange, Role
from partnerhub.core.services import program as services
from partnerhub.core.tenancy.context import tenant_context
from tests.factories import PartnerFactory, member

pytestmark = pytest.mark.django_db

# Created out of alphabetical order on purpose: the hand-out follows the names, not the ids.
NAMES = ["Echo Labs", "Alpha Soft", "Delta Cloud", "Bravo Systems", "Charlie Data"]


@pytest.fixture
def leaver(tenant):
    return member(tenant, Role.MANAGER, user__email="leaver@alpha.test")


@pytest.fixture
def leavers_partners(tenant, leaver):
    return [PartnerFactory(tenant=tenant, name=name, owner=leaver) for name in NAMES]


def owners_by_name(tenant):
    with tenant_context(tenant):
        return dict(Partner.objects.values_list("name", "owner_id"))


def write_counts(tenant):
    with tenant_context(tenant):
        return (PartnerOwnerChange.objects.count(), AuditEntry.objects.count())


def test_partners_are_handed_out_round_robin_in_name_order(
    tenant, admin, leaver, leavers_partners, manager, other_manager
):
    with tenant_context(tenant):
        result = services.partner_bulk_reassign(
            tenant=tenant, actor=admin, from_owner=leaver, to_owners=[manager, other_manager]
        )
    assert owners_by_name(tenant) == {
        "Alpha Soft": manager.pk,
        "Bravo Systems": other_manager.pk,
        "Charlie Data": manager.pk,
        "Delta Cloud": other_manager.pk,
        "Echo Labs": manager.pk,
    }
    assert result.moved == 5
    assert result.per_owner == {manager.pk: 3, other_manager.pk: 2}


def test_reassignment_only_moves_the_leavers_partners(tenant, admin, leaver, leavers_partners, manager, other_manager):
    kept = PartnerFactory(tenant=tenant, name="Kept By Other", owner=other_manager)
    with tenant_context(tenant):
        services.partner_bulk_reassign(tenant=tenant, actor=admin, from_owner=leaver, to_owners=[manager])
        assert Partner.objects.get(pk=kept.pk).owner_id == other_manager.pk
        assert not Partner.objects.filter(owner=leaver).exists()


def test_every_move_is_kept_in_the_owner_history_with_the_reason(
    tenant, admin, leaver, leavers_partners, manager, other_manager
):
    with tenant_context(tenant):
        services.partner_bulk_reassign(
            tenant=tenant,
            actor=admin,
            from_owner=leaver,
            to_owners=[manager, other_manager],
            reason="Leaver: moved to Berlin",
        )
        rows = set(
            PartnerOwnerChange.objects.filter(reason="Leaver: moved to Berlin").values_list(
                "partner__name", "previous_owner", "new_owner", "changed_by", "tenant"
            )
        )
    assert rows == {(name, leaver.pk, owner, admin.pk, tenant.pk) for name, owner in owners_by_name(tenant).items()}


def test_the_history_reason_defaults_to_bulk_reassignment(tenant, admin, leaver, leavers_partners, manager):
    with tenant_context(tenant):
        services.partner_bulk_reassign(tenant=tenant, actor=admin, from_owner=leaver, to_owners=[manager])
        reasons = set(PartnerOwnerChange.objects.values_list("reason", flat=True))
    assert reasons == {"Bulk reassignment"}


def test_every_move_is_in_the_audit_log_of_the_tenant(tenant, other_tenant, admin, leaver, leavers_partners, manager):
    with tenant_context(tenant):
        services.partner_bulk_reassign(
            tenant=tenant, actor=admin, from_owner=leaver, to_owners=[manager], reason="Reorg"
        )
        entries = list(
            AuditEntry.objects.filter(
                action=LogEntry.Action.UPDATE, content_type=ContentType.objects.get_for_model(Partner)
            )
        )
    with tenant_context(other_tenant):
        foreign_view = AuditEntry.objects.count()
    assert sorted(e.object_repr for e in entries) == sorted(NAMES)
    assert {e.tenant_id for e in entries} == {tenant.pk}
    assert {e.actor_id for e in entries} == {admin.user_id}
    assert {e.actor_email for e in entries} == {"admin@alpha.test"}
    assert {tuple(e.changes["owner"]) for e in entries} == {(str(leaver.pk), str(manager.pk))}
    assert {e.additional_data["reason"] for e in entries} == {"Reorg"}
    assert foreign_view == 0


def test_the_leaving_manager_cannot_also_receive_partners(tenant, admin, leaver, leavers_partners, manager):
    before = write_counts(tenant)
    with tenant_context(tenant), pytest.raises(InvalidStateError) as refused:
        services.partner_bulk_reassign(tenant=tenant, actor=admin, from_owner=leaver, to_owners=[manager, leaver])
    assert refused.value.extra == {"fields": {"to_owners": ["same"]}}
    assert set(owners_by_name(tenant).values()) == {leaver.pk}
    assert write_counts(tenant) == before


def test_at_least_one_new_owner_is_required(tenant, admin, leaver, leavers_partners):
    with tenant_context(tenant), pytest.raises(InvalidStateError) as refused:
        services.partner_bulk_reassign(tenant=tenant, actor=admin, from_owner=leaver, to_owners=[])
    assert refused.value.extra == {"fields": {"to_owners": ["required"]}}


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.PARTNER])
def test_new_owners_must_be_managers_or_admins(tenant, admin, leaver, leavers_partners, role, actor):
    candidate = actor(role)
    with tenant_context(tenant), pytest.raises(InvalidStateError) as refused:
        services.partner_bulk_reassign(tenant=tenant, actor=admin, from_owner=leaver, to_owners=[candidate])
    assert refused.value.extra == {"fields": {"to_owners": ["role"]}}


def test_new_owners_must_be_active(tenant, admin, leaver, leavers_partners):
    inactive = member(tenant, Role.MANAGER, is_active=False)
    with tenant_context(tenant), pytest.raises(InvalidStateError):
        services.partner_bulk_reassign(tenant=tenant, actor=admin, from_owner=leaver, to_owners=[inactive])


def test_a_manager_who_owns_nothing_is_refused(tenant, admin, leaver, manager):
    with tenant_context(tenant), pytest.raises(InvalidStateError, match="owns no partners"):
        services.partner_bulk_reassign(tenant=tenant, actor=admin, from_owner=leaver, to_owners=[manager])


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EXECUTIVE, Role.PARTNER])
def test_only_an_admin_may_reassign(actor, tenant, leaver, leavers_partners, manager, role):
    someone = actor(role)
    before = write_counts(tenant)
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        services.partner_bulk_reassign(tenant=tenant, actor=someone, from_owner=leaver, to_owners=[manager])
    assert set(owners_by_name(tenant).values()) - {None} == {leaver.pk}
    assert write_counts(tenant) == before


def test_a_foreign_tenants_member_as_new_owner_is_refused_and_nothing_moves(
    tenant, admin, leaver, leavers_partners, manager, foreign_manager
):
    before = write_counts(tenant)
    with tenant_context(tenant), pytest.raises(CrossTenantReferenceError):
        services.partner_bulk_reassign(
            tenant=tenant, actor=admin, from_owner=leaver, to_owners=[manager, foreign_manager]
        )
    assert set(owners_by_name(tenant).values()) == {leaver.pk}
    assert write_counts(tenant) == before


def test_a_foreign_tenants_member_as_leaving_manager_is_refused(
    tenant, admin, manager, foreign_manager, foreign_partner
):
    with tenant_context(tenant), pytest.raises(CrossTenantReferenceError):
        services.partner_bulk_reassign(tenant=tenant, actor=admin, from_owner=foreign_manager, to_owners=[manager])


def test_a_foreign_tenants_admin_cannot_reassign_here(tenant, leaver, leavers_partners, manager, foreign_admin):
    with tenant_context(tenant), pytest.raises(CrossTenantReferenceError):
        services.partner_bulk_reassign(tenant=tenant, actor=foreign_admin, from_owner=leaver, to_owners=[manager])
    assert set(owners_by_name(tenant).values()) == {leaver.pk}


def reassign_queries(tenant, admin, size):
    leaving = member(tenant, Role.MANAGER)
    receivers = [member(tenant, Role.MANAGER), member(tenant, Role.ADMIN)]
    PartnerFactory.create_batch(size, tenant=tenant, owner=leaving)
    with tenant_context(tenant), CaptureQueriesContext(connection) as captured:
        result = services.partner_bulk_reassign(tenant=tenant, actor=admin, from_owner=leaving, to_owners=receivers)
    assert result.moved == size
    return len(captured.captured_queries)


def test_reassignment_query_count_does_not_grow_with_the_number_of_partners(tenant, admin):
    ContentType.objects.get_for_model(Partner)  # warm the content-type cache so neither run pays for it
    few = reassign_queries(tenant, admin, 3)
    many = reassign_queries(tenant, admin, 30)
    assert many == few
    assert few <= 8


def test_reassigning_thirty_partners_fits_a_fixed_query_budget(tenant, admin, django_assert_max_num_queries):
    leaving = member(tenant, Role.MANAGER)
    receivers = [member(tenant, Role.MANAGER), member(tenant, Role.MANAGER), member(tenant, Role.ADMIN)]
    PartnerFactory.create_batch(30, tenant=tenant, owner=leaving)
    ContentType.objects.get_for_model(Partner)
    with tenant_context(tenant), django_assert_max_num_queries(8):
        services.partner_bulk_reassign(tenant=tenant, actor=admin, from_owner=leaving, to_owners=receivers)
    with tenant_context(tenant):
        assert PartnerOwnerChange.objects.filter(previous_owner=leaving).count() == 30
        assert AuditEntry.objects.filter(changes__owner__0=str(leaving.pk)).count() == 30
