"""Reads of one member's own in-app notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from partnerhub.core.errors import NotificationNotYoursError
from partnerhub.core.models import Membership, Notification, Tenant

BADGE_CAP = 100  # the top-bar badge counts up to this many ("99+")


def notification_list_for_member(*, tenant: Tenant, member: Membership, unread: bool = False) -> QuerySet[Notification]:
    """The member's own notifications, newest first."""
    qs = Notification.objects.for_tenant(tenant).filter(recipient_id=member.pk)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notification_unread_count(*, tenant: Tenant, member: Membership, cap: int = BADGE_CAP) -> int:
    """How many of the member's notifications are unread, counted up to ``cap`` (one query)."""
    return notification_list_for_member(tenant=tenant, member=member, unread=True)[:cap].count()


def notification_get_for_member(*, tenant: Tenant, member: Membership, notification_id: int) -> Notification:
    """One of the member's own notifications (NotificationNotYoursError for any other id)."""
    found = notification_list_for_member(tenant=tenant, member=member).filter(pk=notification_id).first()
    if found is None:
        raise NotificationNotYoursError("This notification is not yours.", extra={"fields": {"id": [notification_id]}})
    return found
