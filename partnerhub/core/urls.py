"""Tenant pages of the core (mounted under /t/<tenant_slug>/): the program home and the portal home, partners, members,
invitations, audit, settings and notifications."""

from django.urls import URLPattern, path

from partnerhub.core.views import notifications, program

urlpatterns: list[URLPattern] = [
    path("", program.tenant_home_view, name="tenant_home"),
    path("partners/", program.partner_list_view, name="partner_list"),
    path("partners/new/", program.partner_create_view, name="partner_create"),
    path("partners/reassign/", program.partner_reassign_view, name="partner_reassign"),
    path("partners/<int:partner_id>/", program.partner_detail_view, name="partner_detail"),
    path("partners/<int:partner_id>/edit/", program.partner_edit_view, name="partner_edit"),
    path("members/", program.member_list_view, name="member_list"),
    path("members/<int:membership_id>/", program.member_edit_view, name="member_edit"),
    path("invitations/<int:invitation_id>/revoke/", program.invitation_revoke_view, name="invitation_revoke"),
    path("invitations/accept/<str:token>/", program.invitation_accept_view, name="invitation_accept"),
    path("audit/", program.audit_list_view, name="audit_list"),
    path("settings/", program.tenant_settings_view, name="tenant_settings"),
    path("portal/", program.portal_home_view, name="portal_home"),
    path("notifications/", notifications.notification_list_view, name="notification_list"),
    path("notifications/read/", notifications.notification_read_view, name="notification_read"),
]
