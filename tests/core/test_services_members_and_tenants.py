"""membership_update, tenant_create and tenant_update_security."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from partnerhub.core.errors import CrossTenantReferenceError, InvalidStateError, PermissionDeniedError
from partnerhub.core.models import AuditEntry, Membership, Role, Tenant
from partnerhub.core.services import program as services
from partnerhub.core.tenancy.context import tenant_context
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


def update(tenant, actor, membership, *, role, partner=None, is_active=True):
    with tenant_context(tenant):
        return services.membership_update(
            tenant=tenant, actor=actor, membership=membership, role=role, partner=partner, is_active=is_active
        )


def stored(tenant, membership):
    with tenant_context(tenant):
        return Membership.objects.get(pk=membership.pk)


# --- membership_update ---


@pytest.mark.parametrize(("role", "is_active"), [(Role.MANAGER, True), (Role.EXECUTIVE, True), (Role.ADMIN, False)])
def test_an_admin_cannot_demote_or_deactivate_themself(tenant, admin, role, is_active):
    with pytest.raises(InvalidStateError, match="your own admin access"):
        update(tenant, admin, admin, role=role, is_active=is_active)
    assert (stored(tenant, admin).role, stored(tenant, admin).is_active) == (Role.ADMIN, True)


def test_an_admin_may_keep_their_own_admin_role(tenant, admin):
    update(tenant, admin, admin, role=Role.ADMIN)
    assert stored(tenant, admin).role == Role.ADMIN


def test_an_admin_changes_another_members_role(tenant, admin, manager):
    update(tenant, admin, manager, role=Role.EXECUTIVE)
    assert stored(tenant, manager).role == Role.EXECUTIVE


def test_an_admin_demotes_another_admin(tenant, admin):
    other_admin = member(tenant, Role.ADMIN, user__email="second.admin@alpha.test")
    update(tenant, admin, other_admin, role=Role.MANAGER)
    assert stored(tenant, other_admin).role == Role.MANAGER


def test_an_admin_deactivates_a_member(tenant, admin, manager):
    update(tenant, admin, manager, role=Role.MANAGER, is_active=False)
    assert stored(tenant, manager).is_active is False


def test_a_partner_user_needs_a_partner_company(tenant, admin, manager):
    with pytest.raises(InvalidStateError) as refused:
        update(tenant, admin, manager, role=Role.PARTNER, partner=None)
    assert "fields" in refused.value.extra
    assert stored(tenant, manager).role == Role.MANAGER


def test_turning_a_member_into_a_partner_user_links_the_company(tenant, admin, manager, owned_partner):
    update(tenant, admin, manager, role=Role.PARTNER, partner=owned_partner)
    assert (stored(tenant, manager).role, stored(tenant, manager).partner_id) == (Role.PARTNER, owned_partner.pk)


def test_an_internal_role_drops_the_partner_company(tenant, admin, manager, owned_partner):
    update(tenant, admin, manager, role=Role.EXECUTIVE, partner=owned_partner)
    assert stored(tenant, manager).partner_id is None


@pytest.mark.parametrize("actor_fixture", ["manager", "executive"])
def test_only_an_admin_may_change_members(tenant, other_manager, actor_fixture, request):
    actor = request.getfixturevalue(actor_fixture)
    with pytest.raises(PermissionDeniedError):
        update(tenant, actor, other_manager, role=Role.ADMIN)
    assert stored(tenant, other_manager).role == Role.MANAGER


def test_changing_another_tenants_member_is_refused(tenant, admin, foreign_manager):
    with pytest.raises(CrossTenantReferenceError):
        update(tenant, admin, foreign_manager, role=Role.EXECUTIVE)


# --- tenant_create ---


def test_tenant_create_makes_the_user_its_first_admin(db):
    founder = UserFactory(email="founder@example.test")
    tenant = services.tenant_create(name="  Gamma Partners ", slug=" Gamma-Partners ", admin_user=founder)
    with tenant_context(tenant):
        memberships = list(Membership.objects.values_list("user_id", "role", "is_active"))
    assert (tenant.name, tenant.slug) == ("Gamma Partners", "gamma-partners")
    assert memberships == [(founder.pk, Role.ADMIN, True)]


def test_tenant_create_records_the_founding_membership_in_the_new_tenants_audit_log(db):
    founder = UserFactory(email="founder@example.test")
    tenant = services.tenant_create(name="Gamma", slug="gamma", admin_user=founder)
    with tenant_context(tenant):
        assert AuditEntry.objects.filter(content_type__model="membership").count() == 1


def test_tenant_create_with_a_taken_slug_fails_and_writes_nothing(tenant):
    founder = UserFactory(email="founder@example.test")
    with pytest.raises((InvalidStateError, ValidationError)):
        services.tenant_create(name="Copycat", slug="alpha", admin_user=founder)
    assert list(Tenant.objects.values_list("name", flat=True)) == ["Alpha Alliances"]
    with tenant_context(tenant):
        assert not Membership.objects.filter(user=founder).exists()


def test_tenant_create_with_a_taken_slug_raises_the_friendly_domain_error(tenant):
    founder = UserFactory(email="founder@example.test")
    with pytest.raises(InvalidStateError, match="taken") as refused:
        services.tenant_create(name="Copycat", slug="alpha", admin_user=founder)
    assert refused.value.extra == {"fields": {"slug": ["taken"]}}


@pytest.mark.parametrize("slug", ["has space", "", "ünïcode"])
def test_tenant_create_refuses_an_invalid_slug(db, slug):
    founder = UserFactory(email="founder@example.test")
    with pytest.raises(ValidationError):
        services.tenant_create(name="Bad slug", slug=slug, admin_user=founder)
    assert not Tenant.objects.exists()


# --- tenant_update_security ---


def test_an_admin_turns_on_required_mfa_and_it_is_audited(tenant, admin):
    with tenant_context(tenant):
        services.tenant_update_security(tenant=tenant, actor=admin, require_mfa=True)
        notes = list(AuditEntry.objects.exclude(changes_text="").values_list("changes_text", flat=True))
    tenant.refresh_from_db()
    assert tenant.require_mfa is True
    assert notes == ["Tenant MFA requirement set to True"]


def test_a_manager_cannot_change_security_settings(tenant, manager):
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        services.tenant_update_security(tenant=tenant, actor=manager, require_mfa=True)
    tenant.refresh_from_db()
    assert tenant.require_mfa is False
