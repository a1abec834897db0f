"""API endpoints of the core (mounted under /api/v1/t/<tenant_slug>/)."""

from django.urls import URLPattern, path

from partnerhub.core.api import notifications, program

urlpatterns: list[URLPattern] = [
    path("partners/", program.PartnerListApi.as_view(), name="api_partner_list"),
    path("partners/<int:partner_id>/", program.PartnerDetailApi.as_view(), name="api_partner_detail"),
    path("members/", program.MemberListApi.as_view(), name="api_member_list"),
    path("notifications/", notifications.NotificationListApi.as_view(), name="api_notification_list"),
    path("notifications/read/", notifications.NotificationReadApi.as_view(), name="api_notification_read"),
]
