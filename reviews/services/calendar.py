"""Writes of the review calendar: a member's private iCalendar feed address (created, rotated, stopped).

The token is shown once; only its SHA-256 is kept (as for invitations), so a leaked database holds no feed address.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from partnerhub.core.domain.tokens import token_hash
from partnerhub.core.models import Membership, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from reviews.models import CalendarFeed


@dataclass(frozen=True)
class IssuedFeed:
    feed: CalendarFeed
    token: str
    path: str


@transaction.atomic
def calendar_feed_rotate(*, tenant: Tenant, actor: Membership) -> IssuedFeed:
    """Give the actor a new feed address; the previous one (if any) stops working at once."""
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "calendar.subscribe")
    token = secrets.token_urlsafe(32)
    feed, _ = CalendarFeed.objects.for_tenant(tenant).update_or_create(
        membership=actor, defaults={"tenant": tenant, "token_hash": token_hash(token)}
    )
    path = reverse("calendar_feed", kwargs={"tenant_slug": tenant.slug, "feed_token": token})
    return IssuedFeed(feed=feed, token=token, path=path)


@transaction.atomic
def calendar_feed_stop(*, tenant: Tenant, actor: Membership) -> bool:
    """Delete the actor's feed address (calendar apps subscribed to it get 404s); False when there was none."""
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "calendar.subscribe")
    deleted, _ = CalendarFeed.objects.for_tenant(tenant).filter(membership_id=actor.pk).delete()
    return deleted > 0
