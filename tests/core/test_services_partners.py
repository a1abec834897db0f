"""partner_create and partner_update: who may write, owner history, people checks, cross-tenant refusals, audit."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from partnerhub.core.errors import CrossTenantReferenceError, InvalidStateError, PermissionDeniedError
from partnerhub.core.models import AuditEntry, Partner, PartnerOwnerChange, Role
from partnerhub.core.services import program as services
from partnerhub.core.tenancy.context import tenant_context
from tests.factories import PartnerFactory, member

pytestmark = pytest.mark.django_db

PEOPLE_FIELDS = ("owner", "executive_sponsor", "data_steward")


def new_partner_data(**overrides):
    return {
        "name": "Nimbus Networks",
        "partner_type": Partner.Type.SI,
        "tier": Partner.Tier.GOLD,
        "stage": Partner.Stage.ONBOARDING,
        "region": Partner.Region.NORTH_AMERICA,
        "market": "USA",
        "product_lines": ["Cloud", "Security"],
        **overrides,
    }


def counts(tenant):
    with tenant_context(tenant):
        return (Partner.objects.count(), PartnerOwnerChange.objects.count(), AuditEntry.objects.count())


# --- partner_create ---


def test_manager_creating_a_partner_without_owner_becomes_its_owner_with_a_created_history_row(tenant, manager):
    with tenant_context(tenant):
        partner = services.partner_create(tenant=tenant, actor=manager, data=new_partner_data())
        history = list(
            PartnerOwnerChange.objects.filter(partner=partner).values_list(
                "previous_owner", "new_owner", "changed_by", "reason"
            )
        )
        stored = Partner.objects.get(pk=partner.pk)
    assert stored.owner_id == manager.pk
    assert stored.tenant_id == tenant.pk
    assert stored.product_lines == ["Cloud", "Security"]
    assert history == [(None, manager.pk, manager.pk, "Created")]


def test_admin_creating_a_partner_without_owner_leaves_it_unassigned_with_no_history(tenant, admin):
    with tenant_context(tenant):
        partner = services.partner_create(tenant=tenant, actor=admin, data=new_partner_data())
        assert Partner.objects.get(pk=partner.pk).owner_id is None
        assert not PartnerOwnerChange.objects.filter(partner=partner).exists()


def test_admin_can_create_a_partner_owned_by_a_manager_and_the_history_names_the_admin(tenant, admin, manager):
    with tenant_context(tenant):
        partner = services.partner_create(tenant=tenant, actor=admin, data=new_partner_data(owner=manager))
        change = PartnerOwnerChange.objects.get(partner=partner)
    assert (change.new_owner_id, change.changed_by_id, change.previous_owner_id) == (manager.pk, admin.pk, None)


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.PARTNER])
def test_members_who_may_not_create_partners_are_refused_and_nothing_is_written(actor, tenant, role):
    someone = actor(role)
    before = counts(tenant)
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        services.partner_create(tenant=tenant, actor=someone, data=new_partner_data())
    assert counts(tenant) == before


@pytest.mark.parametrize("field", PEOPLE_FIELDS)
def test_partner_create_naming_another_tenants_member_is_refused_and_writes_nothing(
    tenant, admin, foreign_manager, field
):
    before = counts(tenant)
    with tenant_context(tenant), pytest.raises(CrossTenantReferenceError) as refused:
        services.partner_create(tenant=tenant, actor=admin, data=new_partner_data(**{field: foreign_manager}))
    assert refused.value.code == "cross_tenant_reference"
    assert refused.value.http_status == 400
    assert counts(tenant) == before


def test_partner_create_by_another_tenants_member_is_refused(tenant, foreign_manager):
    with tenant_context(tenant), pytest.raises(CrossTenantReferenceError):
        services.partner_create(tenant=tenant, actor=foreign_manager, data=new_partner_data())
    assert counts(tenant) == (0, 0, 0)


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.PARTNER])
def test_the_owner_must_be_a_manager_or_admin(tenant, admin, role, actor):
    candidate = actor(role)
    before = counts(tenant)
    with tenant_context(tenant), pytest.raises(InvalidStateError) as refused:
        services.partner_create(tenant=tenant, actor=admin, data=new_partner_data(owner=candidate))
    assert refused.value.extra == {"fields": {"owner": ["role"]}}
    assert counts(tenant) == before


@pytest.mark.parametrize("field", ["executive_sponsor", "data_steward"])
def test_sponsor_and_steward_must_be_internal_members(tenant, admin, field):
    partner_user = member(tenant, Role.PARTNER, partner=PartnerFactory(tenant=tenant))
    with tenant_context(tenant), pytest.raises(InvalidStateError) as refused:
        services.partner_create(tenant=tenant, actor=admin, data=new_partner_data(**{field: partner_user}))
    assert refused.value.extra == {"fields": {field: ["role"]}}


def test_a_deactivated_manager_cannot_become_an_owner(tenant, admin):
    leaver = member(tenant, Role.MANAGER, is_active=False)
    with tenant_context(tenant), pytest.raises(InvalidStateError):
        services.partner_create(tenant=tenant, actor=admin, data=new_partner_data(owner=leaver))


def test_a_duplicate_name_in_the_same_tenant_is_refused_but_another_tenant_may_reuse_it(
    tenant, other_tenant, admin, foreign_admin
):
    with tenant_context(tenant):
        services.partner_create(tenant=tenant, actor=admin, data=new_partner_data())
        with pytest.raises(ValidationError):
            services.partner_create(tenant=tenant, actor=admin, data=new_partner_data())
    with tenant_context(other_tenant):
        services.partner_create(tenant=other_tenant, actor=foreign_admin, data=new_partner_data())
    assert counts(tenant)[0] == 1
    assert counts(other_tenant)[0] == 1


# --- partner_update ---


def test_a_manager_edits_a_partner_they_own(tenant, manager, owned_partner):
    with tenant_context(tenant):
        services.partner_update(
            tenant=tenant,
            actor=manager,
            partner=owned_partner,
            data={"tier": Partner.Tier.PLATINUM, "market": "Austria"},
        )
        stored = Partner.objects.get(pk=owned_partner.pk)
    assert (stored.tier, stored.market, stored.owner_id) == (Partner.Tier.PLATINUM, "Austria", manager.pk)


def test_a_manager_cannot_edit_a_partner_someone_else_owns_and_nothing_changes(tenant, other_manager, owned_partner):
    before = counts(tenant)
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        services.partner_update(
            tenant=tenant, actor=other_manager, partner=owned_partner, data={"tier": Partner.Tier.PLATINUM}
        )
    with tenant_context(tenant):
        assert Partner.objects.get(pk=owned_partner.pk).tier == Partner.Tier.SILVER
    assert counts(tenant) == before


def test_a_manager_cannot_edit_an_unassigned_partner(tenant, manager):
    unassigned = PartnerFactory(tenant=tenant, owner=None)
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        services.partner_update(tenant=tenant, actor=manager, partner=unassigned, data={"market": "Spain"})


def test_an_admin_edits_any_partner(tenant, admin, owned_partner):
    with tenant_context(tenant):
        services.partner_update(tenant=tenant, actor=admin, partner=owned_partner, data={"stage": Partner.Stage.MATURE})
        assert Partner.objects.get(pk=owned_partner.pk).stage == Partner.Stage.MATURE


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.PARTNER])
def test_executives_and_partner_users_cannot_edit_partners(actor, tenant, owned_partner, role):
    someone = actor(role)
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        services.partner_update(tenant=tenant, actor=someone, partner=owned_partner, data={"market": "Spain"})


def test_an_owner_change_is_recorded_in_the_owner_history(tenant, manager, other_manager, owned_partner):
    with tenant_context(tenant):
        services.partner_update(tenant=tenant, actor=manager, partner=owned_partner, data={"owner": other_manager})
        change = PartnerOwnerChange.objects.filter(partner=owned_partner).order_by("-id").first()
        stored_owner = Partner.objects.get(pk=owned_partner.pk).owner_id
    assert stored_owner == other_manager.pk
    assert (change.previous_owner_id, change.new_owner_id, change.changed_by_id, change.reason) == (
        manager.pk,
        other_manager.pk,
        manager.pk,
        "Edited",
    )


def test_an_edit_that_keeps_the_owner_adds_no_history_row(tenant, admin, manager, owned_partner):
    with tenant_context(tenant):
        services.partner_update(
            tenant=tenant, actor=admin, partner=owned_partner, data={"owner": manager, "market": "Italy"}
        )
        assert not PartnerOwnerChange.objects.filter(partner=owned_partner).exists()


def test_clearing_the_owner_is_recorded_as_a_change_to_nobody(tenant, admin, manager, owned_partner):
    with tenant_context(tenant):
        services.partner_update(tenant=tenant, actor=admin, partner=owned_partner, data={"owner": None})
        change = PartnerOwnerChange.objects.get(partner=owned_partner)
    assert (change.previous_owner_id, change.new_owner_id) == (manager.pk, None)


def test_the_new_owner_must_be_a_manager_or_admin_on_update_too(tenant, admin, executive, owned_partner):
    with tenant_context(tenant), pytest.raises(InvalidStateError):
        services.partner_update(tenant=tenant, actor=admin, partner=owned_partner, data={"owner": executive})
    with tenant_context(tenant):
        assert Partner.objects.get(pk=owned_partner.pk).owner_id != executive.pk


@pytest.mark.parametrize("field", PEOPLE_FIELDS)
def test_partner_update_naming_another_tenants_member_is_refused_and_writes_nothing(
    tenant, admin, manager, owned_partner, foreign_manager, field
):
    before = counts(tenant)
    with tenant_context(tenant), pytest.raises(CrossTenantReferenceError):
        services.partner_update(
            tenant=tenant, actor=admin, partner=owned_partner, data={field: foreign_manager, "market": "Poland"}
        )
    with tenant_context(tenant):
        stored = Partner.objects.get(pk=owned_partner.pk)
    assert (stored.owner_id, stored.executive_sponsor_id, stored.data_steward_id, stored.market) == (
        manager.pk,
        None,
        None,
        "Germany",
    )
    assert counts(tenant) == before


def test_partner_update_of_another_tenants_partner_is_refused(tenant, admin, foreign_partner):
    with tenant_context(tenant), pytest.raises(CrossTenantReferenceError):
        services.partner_update(tenant=tenant, actor=admin, partner=foreign_partner, data={"market": "Poland"})


# --- audit log ---


def test_creating_a_partner_writes_a_create_audit_entry_in_its_tenant(tenant, other_tenant, manager):
    with tenant_context(tenant):
        partner = services.partner_create(tenant=tenant, actor=manager, data=new_partner_data())
        entries = list(
            AuditEntry.objects.filter(
                object_id=partner.pk, action=LogEntry.Action.CREATE, content_type__model="partner"
            )
        )
    with tenant_context(other_tenant):
        foreign_view = AuditEntry.objects.count()
    assert len(entries) == 1
    assert entries[0].tenant_id == tenant.pk
    assert entries[0].object_repr == "Nimbus Networks"
    assert foreign_view == 0


def test_updating_a_partner_writes_an_update_audit_entry_with_the_changed_fields(tenant, manager, owned_partner):
    with tenant_context(tenant):
        services.partner_update(tenant=tenant, actor=manager, partner=owned_partner, data={"tier": Partner.Tier.GOLD})
        entry = AuditEntry.objects.filter(object_id=owned_partner.pk, action=LogEntry.Action.UPDATE).get()
    assert entry.tenant_id == tenant.pk
    assert set(entry.changes_dict) == {"tier"}
    assert entry.changes_dict["tier"] == ["silver", "gold"]
