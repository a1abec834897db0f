"""Reads of the confidential concerns channel. Only the program's admins and each concern's sender see a concern:
everyone else gets a NotFoundError, as if it did not exist."""

from __future__ import annotations

from django.db.models import QuerySet

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Membership, Role, Tenant
from partnerhub.executive.models import Concern, ConcernMessage


def concern_list_for(*, tenant: Tenant, member: Membership) -> QuerySet[Concern]:
    """Every concern for an admin; one's own for anyone else; latest first, sender and partner joined."""
    qs = Concern.objects.for_tenant(tenant).select_related("raised_by__user", "partner", "partner__owner")
    if member.role != Role.ADMIN:
        qs = qs.filter(raised_by=member)
    return qs.order_by("-created_at", "-pk")


def concern_get_for(*, tenant: Tenant, member: Membership, concern_id: int) -> Concern:
    """A concern the member may see (an admin, or its sender); NotFoundError otherwise (or another program's)."""
    concern = concern_list_for(tenant=tenant, member=member).filter(pk=concern_id).first()
    if concern is None:
        raise NotFoundError("Concern not found.")
    return concern


def concern_messages(*, tenant: Tenant, concern: Concern) -> QuerySet[ConcernMessage]:
    return (
        ConcernMessage.objects.for_tenant(tenant)
        .filter(concern=concern)
        .select_related("author__user")
        .order_by("created_at", "pk")
    )


def concern_sender_shown_to(concern: Concern, viewer: Membership) -> bool:
    """Whether ``viewer`` may see who raised the concern: the sender, and admins unless the sender asked not to be
    named to the partner's owner manager and the viewer is that manager."""
    if viewer.pk == concern.raised_by_id:
        return True
    owner_id = concern.partner.owner_id if concern.partner is not None else None
    return not (concern.anonymous_to_owner and owner_id == viewer.pk)
