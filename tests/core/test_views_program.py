"""Program pages: members, invitations, audit log, the program switcher, program signup and required MFA."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.models import AuditEntry, Invitation, Membership, Role, Tenant
from partnerhub.core.services import program as services
from partnerhub.core.tenancy.context import tenant_context
from tests.factories import InvitationFactory, PartnerFactory, UserFactory, member, token_hash
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db

TOKEN = "a-known-invitation-token"


# --- members ---


def test_the_members_page_lists_the_tenants_members_only(
    tenant, admin, manager, executive, foreign_manager, client_for
):
    response = client_for(admin).get(tenant_url("member_list", tenant))
    body = response.content.decode()
    assert response.status_code == 200
    assert {"admin@alpha.test", "manager@alpha.test", "exec@alpha.test"} <= set(re.findall(r"[\w.]+@alpha\.test", body))
    assert "manager@beta.test" not in body


def test_the_members_page_lists_pending_invitations(tenant, admin, client_for):
    InvitationFactory(tenant=tenant, email="pending@example.test", invited_by=admin)
    response = client_for(admin).get(tenant_url("member_list", tenant))
    assert "pending@example.test" in response.content.decode()


@pytest.mark.parametrize("fixture", ["manager", "executive"])
def test_the_members_page_is_for_admins_only(tenant, client_for, request, fixture):
    response = client_for(request.getfixturevalue(fixture)).get(tenant_url("member_list", tenant))
    assert response.status_code == 403


def test_an_admin_invites_from_the_members_page_and_the_email_carries_the_link(
    tenant, admin, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(
            tenant_url("member_list", tenant), {"email": "new@example.test", "role": "manager"}
        )
    with tenant_context(tenant):
        invitation = Invitation.objects.get(email="new@example.test")
    link = re.search(r"http://\S+/t/alpha/invitations/accept/(\S+)/", mailoutbox[0].body)
    assert response.status_code == 302
    assert invitation.role == Role.MANAGER
    assert token_hash(link.group(1)) == invitation.token_hash


def test_inviting_a_partner_user_without_a_company_is_a_400(tenant, admin, client_for, mailoutbox):
    response = client_for(admin).post(tenant_url("member_list", tenant), {"email": "p@example.test", "role": "partner"})
    assert response.status_code == 400
    assert "partner" in response.context["form"].errors
    assert mailoutbox == []


def test_an_admin_withdraws_an_invitation(tenant, admin, client_for):
    invitation = InvitationFactory(tenant=tenant, email="pending@example.test", invited_by=admin)
    response = client_for(admin).post(tenant_url("invitation_revoke", tenant, invitation_id=invitation.pk))
    with tenant_context(tenant):
        assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    assert response.status_code == 302


def test_the_member_edit_page_refuses_an_admin_demoting_themself(tenant, admin, client_for):
    response = client_for(admin).post(
        tenant_url("member_edit", tenant, membership_id=admin.pk), {"role": "manager", "is_active": "on"}
    )
    with tenant_context(tenant):
        assert Membership.objects.get(pk=admin.pk).role == Role.ADMIN
    assert response.status_code == 400
    assert "You cannot remove your own admin access." in response.content.decode()


def test_the_member_edit_page_of_another_tenants_member_is_a_404(tenant, admin, foreign_manager, client_for):
    response = client_for(admin).get(tenant_url("member_edit", tenant, membership_id=foreign_manager.pk))
    assert response.status_code == 404


# --- audit log ---


def test_the_audit_page_lists_the_tenants_entries(tenant, other_tenant, admin, foreign_admin, client_for):
    with tenant_context(tenant):
        services.partner_create(
            tenant=tenant, actor=admin, data={"name": "Audited Partner", "partner_type": "si", "region": "emea"}
        )
    with tenant_context(other_tenant):
        services.partner_create(
            tenant=other_tenant,
            actor=foreign_admin,
            data={"name": "Foreign Audited", "partner_type": "si", "region": "emea"},
        )
    response = client_for(admin).get(tenant_url("audit_list", tenant))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Audited Partner" in body
    assert "Foreign Audited" not in body


def test_the_audit_page_search_filters_entries(tenant, admin, client_for):
    PartnerFactory(tenant=tenant, name="Findable Partner")
    PartnerFactory(tenant=tenant, name="Hidden Partner")
    response = client_for(admin).get(tenant_url("audit_list", tenant), {"q": "findable"})
    assert "Findable Partner" in response.content.decode()
    assert "Hidden Partner" not in response.content.decode()


def test_the_audit_page_shows_web_edits_with_their_actor(tenant, admin, owned_partner, client_for):
    client = client_for(admin)
    client.post(
        tenant_url("partner_edit", tenant, partner_id=owned_partner.pk),
        {
            "name": "Acme Cloud",
            "partner_type": "reseller",
            "tier": "gold",
            "stage": "growth",
            "region": "emea",
            "market": "Germany",
            "product_lines": "Cloud",
        },
    )
    with tenant_context(tenant):
        entry = AuditEntry.objects.filter(object_id=owned_partner.pk).order_by("-id").first()
    response = client.get(tenant_url("audit_list", tenant))
    assert entry.actor_id == admin.user_id
    assert entry.tenant_id == tenant.pk
    assert "admin@alpha.test" in response.content.decode()


@pytest.mark.parametrize("fixture", ["manager", "executive"])
def test_the_audit_page_is_for_admins_only(tenant, client_for, request, fixture):
    assert client_for(request.getfixturevalue(fixture)).get(tenant_url("audit_list", tenant)).status_code == 403


# --- accepting an invitation ---


@pytest.fixture
def invitee():
    return UserFactory(email="invitee@example.test")


def invitation(tenant, **values):
    return InvitationFactory(
        tenant=tenant, email="invitee@example.test", role=Role.EXECUTIVE, token_hash=token_hash(TOKEN), **values
    )


def accept_url(tenant, token=TOKEN):
    return tenant_url("invitation_accept", tenant, token=token)


def test_an_anonymous_visitor_sees_the_invitation_and_how_to_log_in(tenant, client):
    invitation(tenant)
    response = client.get(accept_url(tenant))
    assert response.status_code == 200
    assert "Executive" in response.content.decode()
    assert "/accounts/login/?next=" in response.content.decode()


def test_the_invitee_accepts_and_lands_in_the_program(tenant, invitee, client_for):
    invitation(tenant)
    response = client_for(invitee).post(accept_url(tenant))
    with tenant_context(tenant):
        membership = Membership.objects.get(user=invitee)
    assert response.status_code == 302
    assert response["Location"] == tenant_url("tenant_home", tenant)
    assert membership.role == Role.EXECUTIVE


def test_accepting_anonymously_sends_to_login_first(tenant, client):
    invitation(tenant)
    response = client.post(accept_url(tenant))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={accept_url(tenant)}"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(days=1)}, "expired"),
        ({"accepted_at": timezone.now() - timedelta(hours=1)}, "already been used"),
        ({"revoked_at": timezone.now() - timedelta(hours=1)}, "withdrawn"),
    ],
)
def test_an_unusable_invitation_page_says_why(tenant, invitee, client_for, values, message):
    invitation(tenant, **values)
    response = client_for(invitee).get(accept_url(tenant))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Accept invitation" not in response.content.decode()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(days=1)}, "expired"),
        ({"accepted_at": timezone.now() - timedelta(hours=1)}, "already been used"),
    ],
)
def test_posting_to_an_unusable_invitation_creates_no_membership(tenant, invitee, client_for, values, message):
    invitation(tenant, **values)
    response = client_for(invitee).post(accept_url(tenant))
    with tenant_context(tenant):
        assert not Membership.objects.filter(user=invitee).exists()
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_used_link_shows_already_used_after_a_real_acceptance(tenant, invitee, client_for):
    invitation(tenant)
    client = client_for(invitee)
    client.post(accept_url(tenant))
    response = client.get(accept_url(tenant))
    assert response.status_code == 400
    assert "already been used" in response.content.decode()


def test_the_wrong_account_is_told_which_email_was_invited(tenant, client_for):
    invitation(tenant)
    response = client_for(UserFactory(email="wrong@example.test")).post(accept_url(tenant))
    assert response.status_code == 400
    assert "invitee@example.test" in response.content.decode()


def test_an_unknown_token_is_a_404_page(tenant, client):
    response = client.get(accept_url(tenant, "no-such-token"))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


# --- program switcher ---


def test_a_single_program_member_goes_straight_to_their_program(tenant, manager, client_for):
    response = client_for(manager).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == tenant_url("tenant_home", tenant)


def test_a_member_of_two_programs_chooses_between_them(tenant, other_tenant, manager, client_for):
    member(other_tenant, Role.EXECUTIVE, user=manager.user)
    response = client_for(manager).get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Alpha Alliances" in body
    assert "Beta Channel" in body
    assert tenant_url("tenant_home", tenant) in body
    assert tenant_url("tenant_home", other_tenant) in body


def test_a_user_without_programs_is_offered_to_start_one(db, client_for):
    response = client_for(UserFactory(email="lonely@example.test")).get(reverse("home"))
    assert response.status_code == 200
    assert reverse("tenant_signup") in response.content.decode()


def test_a_deactivated_membership_is_not_offered(tenant, other_tenant, manager, client_for):
    member(other_tenant, Role.EXECUTIVE, user=manager.user, is_active=False)
    response = client_for(manager).get(reverse("home"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("role", "target"),
    [
        (Role.MANAGER, "portfolio"),  # their own partners' scorecards, declared by the scorecards app
        (Role.EXECUTIVE, "executive_dashboard"),
        (Role.ADMIN, "partner_list"),
        (Role.PARTNER, "portal_home"),
    ],
)
def test_the_program_home_sends_each_role_to_its_start_page(tenant, client_for, role, target, actor):
    membership = actor(role)
    response = client_for(membership).get(tenant_url("tenant_home", tenant))
    assert response["Location"] == tenant_url(target, tenant)


# --- program signup ---


def test_signing_up_a_program_creates_it_with_the_user_as_admin(db, client_for):
    founder = UserFactory(email="founder@example.test")
    response = client_for(founder).post(reverse("tenant_signup"), {"name": "Gamma Partners", "slug": "gamma"})
    tenant = Tenant.objects.get(slug="gamma")
    with tenant_context(tenant):
        memberships = list(Membership.objects.values_list("user_id", "role"))
    assert response.status_code == 302
    assert response["Location"] == tenant_url("member_list", tenant)
    assert tenant.name == "Gamma Partners"
    assert memberships == [(founder.pk, Role.ADMIN)]


def test_the_new_admin_can_open_the_members_page_of_the_new_program(db, client_for):
    client = client_for(UserFactory(email="founder@example.test"))
    client.post(reverse("tenant_signup"), {"name": "Gamma Partners", "slug": "gamma"})
    response = client.get("/t/gamma/members/")
    assert response.status_code == 200
    assert "founder@example.test" in response.content.decode()


def test_signup_with_an_invalid_slug_is_a_400(db, client_for):
    response = client_for(UserFactory()).post(reverse("tenant_signup"), {"name": "X", "slug": "no spaces"})
    assert response.status_code == 400
    assert "slug" in response.context["form"].errors
    assert not Tenant.objects.exists()


def test_signup_with_a_taken_slug_is_a_400_that_says_so(tenant, client_for):
    response = client_for(UserFactory()).post(reverse("tenant_signup"), {"name": "Copycat", "slug": "alpha"})
    assert response.status_code == 400
    assert "taken" in response.content.decode()


def test_signup_requires_login(db, client):
    response = client.get(reverse("tenant_signup"))
    assert response.status_code == 302


# --- required MFA ---


def test_an_admin_requiring_mfa_sends_a_member_without_totp_to_the_setup_page(tenant, admin, manager, client_for):
    settings_response = client_for(admin).post(tenant_url("tenant_settings", tenant), {"require_mfa": "on"})
    response = client_for(manager).get(tenant_url("partner_list", tenant))
    tenant.refresh_from_db()
    assert settings_response.status_code == 302
    assert tenant.require_mfa is True
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_activate_totp')}?next={tenant_url('partner_list', tenant)}"


def test_before_mfa_is_required_the_member_gets_in(tenant, manager, client_for):
    assert client_for(manager).get(tenant_url("partner_list", tenant)).status_code == 200


def test_a_member_with_totp_gets_in_when_mfa_is_required(tenant, manager, client_for):
    Tenant.objects.filter(pk=tenant.pk).update(require_mfa=True)
    Authenticator.objects.create(user=manager.user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    assert client_for(manager).get(tenant_url("partner_list", tenant)).status_code == 200


def test_required_mfa_in_one_program_does_not_affect_another(tenant, other_tenant, manager, client_for):
    member(other_tenant, Role.MANAGER, user=manager.user)
    Tenant.objects.filter(pk=tenant.pk).update(require_mfa=True)
    client = client_for(manager)
    assert client.get(tenant_url("partner_list", tenant)).status_code == 302
    assert client.get(tenant_url("partner_list", other_tenant)).status_code == 200


def test_the_security_settings_are_for_admins_only(tenant, manager, client_for):
    response = client_for(manager).post(tenant_url("tenant_settings", tenant), {"require_mfa": "on"})
    tenant.refresh_from_db()
    assert response.status_code == 403
    assert tenant.require_mfa is False


def test_tenant_pages_of_a_two_program_member_offer_the_switcher(tenant, other_tenant, manager, client_for):
    member(other_tenant, Role.EXECUTIVE, user=manager.user)
    body = client_for(manager).get(tenant_url("partner_list", tenant)).content.decode()
    assert "Switch program" in body
    assert f'href="{tenant_url("tenant_home", other_tenant)}"' in body


def test_tenant_pages_of_a_single_program_member_have_no_switcher(tenant, manager, client_for):
    assert "Switch program" not in client_for(manager).get(tenant_url("partner_list", tenant)).content.decode()


def test_the_invitation_form_starts_on_the_least_privileged_role(tenant, admin, client_for):
    response = client_for(admin).get(tenant_url("member_list", tenant))
    form = response.context["form"]
    assert form["role"].value() == Role.PARTNER
    assert [value for value, _ in form.fields["role"].choices] == ["partner", "executive", "manager", "admin"]
    assert '<option value="partner" selected>' in response.content.decode()


def test_the_members_page_shows_last_login_and_two_factor(tenant, admin, manager, client_for):
    from allauth.mfa.models import Authenticator
    from django.utils import timezone

    type(manager.user).objects.filter(pk=manager.user.pk).update(last_login=timezone.now())
    Authenticator.objects.create(user=manager.user, type=Authenticator.Type.TOTP, data={})
    response = client_for(admin).get(tenant_url("member_list", tenant))
    rows = {m.user.email: m for m in response.context["members"]}
    assert rows["manager@alpha.test"].has_mfa is True
    assert rows["admin@alpha.test"].has_mfa is False
    body = response.content.decode()
    assert "Two-factor" in body
    assert "Last login" in body
    assert (
        body.count('<span class="muted">Never</span>') == len(rows) - 2
    )  # the manager has logged in; so has the admin


# --- currency and fiscal year ---


def test_an_admin_sets_the_programs_currency_and_fiscal_year_and_it_is_audited(tenant, admin, client_for):
    response = client_for(admin).post(
        tenant_url("tenant_settings", tenant), {"section": "program", "currency": "EUR", "fiscal_year_start": "4"}
    )

    tenant.refresh_from_db()
    assert response.status_code == 302
    assert (tenant.currency, tenant.fiscal_year_start) == ("EUR", 4)
    with tenant_context(tenant):
        entry = AuditEntry.objects.for_tenant(tenant).order_by("-id").first()
    assert entry.changes_text == "Program currency USD → EUR, fiscal year start month 1 → 4"


@pytest.mark.parametrize(
    "data", [{"currency": "EURO", "fiscal_year_start": "4"}, {"currency": "EUR", "fiscal_year_start": "13"}]
)
def test_an_unknown_currency_or_month_is_refused_and_nothing_changes(tenant, admin, client_for, data):
    response = client_for(admin).post(tenant_url("tenant_settings", tenant), {"section": "program", **data})

    tenant.refresh_from_db()
    assert response.status_code == 400
    assert (tenant.currency, tenant.fiscal_year_start) == ("USD", 1)


def test_the_program_settings_are_for_admins_only(tenant, manager, client_for):
    response = client_for(manager).post(
        tenant_url("tenant_settings", tenant), {"section": "program", "currency": "EUR", "fiscal_year_start": "4"}
    )

    tenant.refresh_from_db()
    assert response.status_code == 403
    assert tenant.currency == "USD"
