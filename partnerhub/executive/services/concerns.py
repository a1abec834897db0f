"""Writes of the confidential concerns channel: raising a concern (to the program's admins), replying in its thread,
and an admin setting its status. Audited; admins are told in the app when a concern is raised, the sender when an
admin replies."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from partnerhub.core.errors import CrossTenantReferenceError
from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.notifications import NotificationItem, notify_many
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.errors import ConcernError
from partnerhub.executive.models import Concern, ConcernMessage


def _url(tenant: Tenant, concern: Concern) -> str:
    return reverse("concern_detail", kwargs={"tenant_slug": tenant.slug, "concern_id": concern.pk})


@transaction.atomic
def concern_raise(
    *,
    tenant: Tenant,
    actor: Membership,
    subject: str,
    body: str,
    partner_id: int | None = None,
    anonymous_to_owner: bool = False,
) -> Concern:
    """Raise a concern to the admins. A partner user's concern is about their own company (any partner named is
    refused); another program's partner is a CrossTenantReferenceError (400, nothing written)."""
    ensure_can(actor, "executive.concern.raise")
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise ConcernError("Say what the concern is about and what happened.")
    partner = None
    with tenant_context(tenant):
        if actor.role == Role.PARTNER:
            if partner_id not in (None, actor.partner_id):
                raise CrossTenantReferenceError("You may raise a concern about your own company only.")
            partner_id = actor.partner_id
        if partner_id is not None:
            partner = Partner.objects.for_tenant(tenant).filter(pk=partner_id).first()
            if partner is None:  # another program's, or none at all: the same answer
                raise CrossTenantReferenceError("That partner is not in this program.")
        concern = Concern.objects.create(
            tenant=tenant,
            raised_by=actor,
            partner=partner,
            subject=subject[:200],
            anonymous_to_owner=anonymous_to_owner,
        )
        ConcernMessage.objects.create(tenant=tenant, concern=concern, author=actor, body=body)
        admins = Membership.objects.for_tenant(tenant).filter(role=Role.ADMIN, is_active=True).exclude(pk=actor.pk)
        notify_many(
            tenant,
            [
                NotificationItem(
                    recipient_id=admin.pk,
                    kind="concern",
                    title="A confidential concern was raised",
                    body=f"“{concern.subject}”" + (f" about {partner.name}" if partner else "") + ".",
                    url=_url(tenant, concern),
                    dedupe_key=f"concern:{concern.pk}",
                )
                for admin in admins
            ],
        )
    return concern


@transaction.atomic
def concern_reply(*, tenant: Tenant, actor: Membership, concern: Concern, body: str) -> ConcernMessage:
    """Add a message to the thread (an admin, or the sender); the other side is told in the app."""
    ensure_can(actor, "executive.concern.raise")
    if concern.tenant_id != tenant.pk:
        raise CrossTenantReferenceError("That concern is not in this program.")
    if actor.role != Role.ADMIN and actor.pk != concern.raised_by_id:
        raise ConcernError("Only the program's admins and the sender write in this thread.")
    body = body.strip()
    if not body:
        raise ConcernError("Write a reply first.")
    with tenant_context(tenant):
        message = ConcernMessage.objects.create(tenant=tenant, concern=concern, author=actor, body=body)
        concern.save(update_fields=["updated_at"])
        if actor.pk != concern.raised_by_id:
            notify_many(
                tenant,
                [
                    NotificationItem(
                        recipient_id=concern.raised_by_id,
                        kind="concern",
                        title="A reply to your concern",
                        body=f"“{concern.subject}”: the program team replied.",
                        url=_url(tenant, concern),
                        dedupe_key=f"concern-reply:{message.pk}",
                    )
                ],
            )
    return message


@transaction.atomic
def concern_set_status(*, tenant: Tenant, actor: Membership, concern: Concern, status: str) -> Concern:
    """An admin moves the concern along (open, being looked into, resolved, closed)."""
    ensure_can(actor, "executive.concern.manage")
    if concern.tenant_id != tenant.pk:
        raise CrossTenantReferenceError("That concern is not in this program.")
    if status not in Concern.Status.values:
        raise ConcernError("Choose one of the statuses offered.")
    with tenant_context(tenant):
        concern.status = status
        concern.save(update_fields=["status", "updated_at"])
    return concern
