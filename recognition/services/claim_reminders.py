"""Claim deadline reminders: once per approved request, before its claim deadline lapses.

Run once a day per tenant (Celery beat; running more often is harmless). An approved request whose claim deadline is
within ``REMINDER_DAYS`` (today included) and whose approved amount is not yet fully claimed reminds its partner's
users and its partner's owner manager, once (dedupe key ``fund_request:<id>:claim_due``: a second run, or a second
worker at the same time, sends nothing). One query, whatever the number of requests.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.domain.numbers import format_money
from partnerhub.core.models import Membership, Role, Tenant
from partnerhub.core.services.notifications import NotificationItem, notify_many
from recognition.domain.funds import REMINDER_DAYS, deadline_phrase
from recognition.models import Claim, FundRequest
from recognition.selectors.budgets import COUNTED_CLAIM


def claim_reminders_send(*, tenant: Tenant, today: date | None = None, email: bool = True) -> int:
    """Remind of the claim deadlines due within ``REMINDER_DAYS`` of ``today`` (default: the local date); returns how
    many notifications were created (0 on a second run). Runs inside the tenant's context; e-mails leave after
    commit."""
    today = today or timezone.localdate()
    claimed = (
        Claim.objects.for_tenant(tenant)
        .filter(request_id=OuterRef("pk"), status__in=COUNTED_CLAIM)
        .values("request_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    partner_users = (
        Membership.objects.for_tenant(tenant)
        .filter(partner_id=OuterRef("partner_id"), role=Role.PARTNER, is_active=True)
        .values("pk")
    )
    requests = (
        FundRequest.objects.for_tenant(tenant)
        .filter(
            status=FundRequest.Status.APPROVED,
            claim_deadline__gte=today,
            claim_deadline__lte=today + timedelta(days=REMINDER_DAYS),
        )
        .select_related("partner")
        .annotate(
            claimed=Coalesce(Subquery(claimed), Value(Decimal(0)), output_field=DecimalField()),
            recipient_ids=ArraySubquery(partner_users),
        )
    )
    portal = reverse("portal_funds", kwargs={"tenant_slug": tenant.slug})
    items: list[NotificationItem] = []
    for request in requests:
        if request.approved_amount is None or request.claim_deadline is None:  # approved: the CHECK requires both
            continue
        left = request.approved_amount - request.claimed
        if left <= 0:
            continue
        when = deadline_phrase(request.claim_deadline, today)
        body = (
            f"{format_money(left, request.currency)} approved for “{request.title}” is not claimed yet. "
            "The claim, with "
            f"proof of performance (invoices, attendee lists, screenshots), is {when}; after it, claims are closed."
        )
        internal = reverse("fund_request_detail", kwargs={"tenant_slug": tenant.slug, "request_id": request.pk})
        recipients = [(pk, portal) for pk in request.recipient_ids]
        if request.partner.owner_id is not None:
            recipients.append((request.partner.owner_id, internal))
        items.extend(
            NotificationItem(
                recipient_id=recipient,
                kind="funds.claim_due",
                title=f"Claim for “{request.title[:100]}” {when}",
                body=body,
                url=url,
                dedupe_key=f"fund_request:{request.pk}:claim_due",
            )
            for recipient, url in recipients
        )
    return notify_many(tenant, items, email=email).created
