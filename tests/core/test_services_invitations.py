"""Invitations: emailed one-time links that expire; accepting one creates the membership it promised."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from partnerhub.core.errors import CrossTenantReferenceError, InvalidStateError, NotFoundError, PermissionDeniedError
from partnerhub.core.models import Invitation, Membership, Role
from partnerhub.core.services import program as services
from partnerhub.core.tenancy.context import tenant_context
from tests.factories import UserFactory, token_hash
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitee():
    return UserFactory(email="newcomer@example.test")


@pytest.fixture
def issued(tenant, admin, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), tenant_context(tenant):
        return services.invitation_create(
            tenant=tenant, actor=admin, email="Newcomer@Example.test ", role=Role.EXECUTIVE
        )


def accept(tenant, token, user):
    with tenant_context(tenant):
        return services.invitation_accept(tenant=tenant, token=token, user=user)


def set_invitation(tenant, invitation, **values):
    with tenant_context(tenant):
        Invitation.objects.filter(pk=invitation.pk).update(**values)


# --- invitation_create ---


def test_invitation_create_emails_the_one_time_link(tenant, admin, issued, mailoutbox):
    link = f"{settings.SITE_URL}{tenant_url('invitation_accept', tenant, token=issued.token)}"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["newcomer@example.test"]
    assert "Alpha Alliances" in mailoutbox[0].subject
    assert link in mailoutbox[0].body
    assert "Executive" in mailoutbox[0].body
    assert issued.path == tenant_url("invitation_accept", tenant, token=issued.token)


def test_invitation_create_stores_only_a_hash_of_the_token_and_the_normalised_email(tenant, admin, issued):
    with tenant_context(tenant):
        stored = Invitation.objects.get(pk=issued.invitation.pk)
    assert stored.token_hash == token_hash(issued.token)
    assert issued.token not in stored.token_hash
    assert stored.email == "newcomer@example.test"
    assert stored.invited_by_id == admin.pk
    assert stored.tenant_id == tenant.pk


def test_invitation_expires_after_the_configured_number_of_days(tenant, admin, settings, mailoutbox):
    settings.INVITATION_TTL_DAYS = 3
    before = timezone.now()
    with tenant_context(tenant):
        issued = services.invitation_create(tenant=tenant, actor=admin, email="x@example.test", role=Role.MANAGER)
    assert before + timedelta(days=3) <= issued.invitation.expires_at <= timezone.now() + timedelta(days=3)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EXECUTIVE, Role.PARTNER])
def test_only_an_admin_may_invite(actor, tenant, role, mailoutbox):
    someone = actor(role)
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        services.invitation_create(tenant=tenant, actor=someone, email="x@example.test", role=Role.MANAGER)
    with tenant_context(tenant):
        assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_inviting_an_existing_member_is_refused(tenant, admin, manager, mailoutbox):
    with tenant_context(tenant), pytest.raises(InvalidStateError, match="already a member"):
        services.invitation_create(tenant=tenant, actor=admin, email="MANAGER@alpha.test", role=Role.ADMIN)
    assert mailoutbox == []


def test_a_partner_user_invitation_needs_a_partner_company(tenant, admin, mailoutbox):
    with tenant_context(tenant), pytest.raises(InvalidStateError) as refused:
        services.invitation_create(tenant=tenant, actor=admin, email="p@example.test", role=Role.PARTNER)
    assert refused.value.extra == {"fields": {"partner": ["required"]}}


def test_an_unknown_role_is_refused(tenant, admin, mailoutbox):
    with tenant_context(tenant), pytest.raises(InvalidStateError, match="Unknown role"):
        services.invitation_create(tenant=tenant, actor=admin, email="p@example.test", role="superuser")


def test_an_internal_invitation_drops_a_partner_company(tenant, admin, owned_partner, mailoutbox):
    with tenant_context(tenant):
        issued = services.invitation_create(
            tenant=tenant, actor=admin, email="m@example.test", role=Role.MANAGER, partner=owned_partner
        )
    assert issued.invitation.partner is None


def test_inviting_for_another_tenants_partner_is_refused(tenant, admin, foreign_partner, mailoutbox):
    with tenant_context(tenant), pytest.raises(CrossTenantReferenceError):
        services.invitation_create(
            tenant=tenant, actor=admin, email="p@example.test", role=Role.PARTNER, partner=foreign_partner
        )
    assert mailoutbox == []


# --- invitation_accept ---


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.EXECUTIVE])
def test_accepting_creates_a_membership_with_the_invited_role(tenant, admin, invitee, role, mailoutbox):
    with tenant_context(tenant):
        issued = services.invitation_create(tenant=tenant, actor=admin, email=invitee.email, role=role)
    membership = accept(tenant, issued.token, invitee)
    with tenant_context(tenant):
        stored = Membership.objects.get(user=invitee)
        invitation = Invitation.objects.get(pk=issued.invitation.pk)
    assert membership.pk == stored.pk
    assert (stored.role, stored.partner_id, stored.is_active, stored.tenant_id) == (role, None, True, tenant.pk)
    assert invitation.accepted_by_id == invitee.pk
    assert invitation.accepted_at is not None


def test_accepting_a_partner_user_invitation_links_the_partner_company(
    tenant, admin, invitee, owned_partner, mailoutbox
):
    with tenant_context(tenant):
        issued = services.invitation_create(
            tenant=tenant, actor=admin, email=invitee.email, role=Role.PARTNER, partner=owned_partner
        )
    membership = accept(tenant, issued.token, invitee)
    assert (membership.role, membership.partner_id) == (Role.PARTNER, owned_partner.pk)


def test_a_second_use_of_the_link_is_refused(tenant, issued, invitee):
    accept(tenant, issued.token, invitee)
    with pytest.raises(InvalidStateError, match="already been used") as refused:
        accept(tenant, issued.token, invitee)
    assert refused.value.code == "invitation_unusable"


def test_a_second_use_by_someone_else_is_refused_too(tenant, issued, invitee):
    accept(tenant, issued.token, invitee)
    other = UserFactory(email="someone.else@example.test")
    with pytest.raises(InvalidStateError, match="already been used"):
        accept(tenant, issued.token, other)
    with tenant_context(tenant):
        assert not Membership.objects.filter(user=other).exists()


def test_an_expired_invitation_is_refused(tenant, issued, invitee):
    set_invitation(tenant, issued.invitation, expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(InvalidStateError, match="expired"):
        accept(tenant, issued.token, invitee)
    with tenant_context(tenant):
        assert not Membership.objects.filter(user=invitee).exists()


def test_an_invitation_for_another_email_is_refused(tenant, issued):
    stranger = UserFactory(email="stranger@example.test")
    with pytest.raises(InvalidStateError, match=r"newcomer@example\.test") as refused:
        accept(tenant, issued.token, stranger)
    assert refused.value.code == "invitation_wrong_user"
    with tenant_context(tenant):
        assert not Membership.objects.filter(user=stranger).exists()
        assert Invitation.objects.get(pk=issued.invitation.pk).accepted_at is None


def test_the_invitee_email_is_matched_case_insensitively(tenant, admin, mailoutbox):
    user = UserFactory(email="Mixed.Case@Example.test")
    with tenant_context(tenant):
        issued = services.invitation_create(
            tenant=tenant, actor=admin, email="mixed.case@example.test", role=Role.MANAGER
        )
    assert accept(tenant, issued.token, user).user_id == user.pk


def test_a_revoked_invitation_is_refused(tenant, admin, issued, invitee):
    with tenant_context(tenant):
        services.invitation_revoke(tenant=tenant, actor=admin, invitation=issued.invitation)
    with pytest.raises(InvalidStateError, match="withdrawn"):
        accept(tenant, issued.token, invitee)


def test_an_accepted_invitation_cannot_be_revoked(tenant, admin, issued, invitee):
    accept(tenant, issued.token, invitee)
    with tenant_context(tenant):
        invitation = Invitation.objects.get(pk=issued.invitation.pk)
    with tenant_context(tenant), pytest.raises(InvalidStateError):
        services.invitation_revoke(tenant=tenant, actor=admin, invitation=invitation)


def test_an_unknown_token_is_not_found(tenant, invitee):
    with pytest.raises(NotFoundError):
        accept(tenant, "not-a-real-token", invitee)


def test_a_token_of_one_tenant_is_not_found_in_another(tenant, other_tenant, issued, invitee):
    with pytest.raises(NotFoundError):
        accept(other_tenant, issued.token, invitee)
    with tenant_context(other_tenant):
        assert not Membership.objects.filter(user=invitee).exists()


def test_an_existing_member_cannot_accept_a_second_membership(tenant, admin, invitee, mailoutbox, actor):
    with tenant_context(tenant):
        issued = services.invitation_create(tenant=tenant, actor=admin, email=invitee.email, role=Role.MANAGER)
    actor(Role.EXECUTIVE, user=invitee)
    with pytest.raises(InvalidStateError, match="already a member"):
        accept(tenant, issued.token, invitee)
