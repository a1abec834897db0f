from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from partnerhub import views, views_notifications

tenant_patterns: list[URLPattern | URLResolver] = [
    path("", views.tenant_home_view, name="tenant_home"),
    path("partners/", views.partner_list_view, name="partner_list"),
    path("partners/new/", views.partner_create_view, name="partner_create"),
    path("partners/reassign/", views.partner_reassign_view, name="partner_reassign"),
    path("partners/<int:partner_id>/", views.partner_detail_view, name="partner_detail"),
    path("partners/<int:partner_id>/edit/", views.partner_edit_view, name="partner_edit"),
    path("members/", views.member_list_view, name="member_list"),
    path("members/<int:membership_id>/", views.member_edit_view, name="member_edit"),
    path("invitations/<int:invitation_id>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("invitations/accept/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    path("audit/", views.audit_list_view, name="audit_list"),
    path("settings/", views.tenant_settings_view, name="tenant_settings"),
    path("portal/", views.portal_home_view, name="portal_home"),
    path("notifications/", views_notifications.notification_list_view, name="notification_list"),
    path("notifications/read/", views_notifications.notification_read_view, name="notification_read"),
    path("", include("scorecards.urls")),
    path("", include("reviews.urls")),
]

urlpatterns = [
    path("", views.home_view, name="home"),
    path("signup/program/", views.tenant_signup_view, name="tenant_signup"),
    path("healthz", views.healthz_view, name="healthz"),
    path("t/<slug:tenant_slug>/", include(tenant_patterns)),
    path("api/v1/", include("partnerhub.api.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
