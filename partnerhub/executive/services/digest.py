"""Writes of the monthly digest: sending it (once per member and month, in the app and by e-mail, each reader's own
scope), a member's frequency (monthly, quarterly or never), and the unsubscribe link that works without logging in.

``digest_send`` holds the tenant's digest lock, writes every reader's digest in one transaction, and claims each
(member, month) with ``INSERT ... ON CONFLICT DO NOTHING RETURNING``: a second run (or a second worker racing the
first) claims nothing and sends nothing. The e-mails (plain text and HTML) leave after the commit.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Final

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.models import Membership, Notification, Tenant
from partnerhub.core.services.notifications import NotificationItem, notify_many
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import LOCK_EXECUTIVE_DIGEST, ensure_active_tenant, tenant_xact_lock
from partnerhub.executive.domain.digest import DigestData, Reader, build_digest, digest_period, digest_text
from partnerhub.executive.errors import UnsubscribeLinkError
from partnerhub.executive.models import DigestDelivery, DigestSubscription
from partnerhub.executive.selectors.digest import digest_data, digest_recipients

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT: Final = "partnerhub.executive.digest.unsubscribe"
DELIVERY_TABLE: Final = DigestDelivery._meta.db_table


def unsubscribe_token(*, tenant: Tenant, member: Membership) -> str:
    """A signed token naming the member and their program: the unsubscribe link's credential (no login needed)."""
    return signing.dumps({"t": tenant.pk, "m": member.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_member(*, tenant: Tenant, token: str) -> Membership:
    """The member a token names, if it was signed by us for this program; UnsubscribeLinkError otherwise (altered,
    or another program's: the two are told apart by no one)."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise UnsubscribeLinkError("This unsubscribe link is not valid.") from exc
    if not isinstance(payload, dict) or payload.get("t") != tenant.pk or not isinstance(payload.get("m"), int):
        raise UnsubscribeLinkError("This unsubscribe link is not valid.")
    with tenant_context(tenant):
        member = Membership.objects.for_tenant(tenant).filter(pk=payload["m"]).select_related("user").first()
    if member is None:
        raise UnsubscribeLinkError("This unsubscribe link is not valid.")
    return member


def digest_set_frequency(*, tenant: Tenant, member: Membership, frequency: str) -> DigestSubscription:
    """Set a member's own digest frequency (``off``: unsubscribed). Idempotent."""
    if frequency not in DigestSubscription.Frequency.values:
        raise UnsubscribeLinkError("Choose every month, every quarter or never.")
    if member.tenant_id != tenant.pk:
        raise UnsubscribeLinkError("This unsubscribe link is not valid.")
    with tenant_context(tenant):
        subscription, _ = DigestSubscription.objects.for_tenant(tenant).update_or_create(
            tenant=tenant, membership=member, defaults={"frequency": frequency}
        )
    return subscription


@dataclass(frozen=True)
class DigestRun:
    tenant_id: int
    month: str
    readers: int = 0  # members with a digest due this month
    created: int = 0  # digests written by this run (0 when they were sent already)
    emailed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _reader(member: Membership) -> Reader:
    return Reader(role=member.role, membership_id=member.pk, partner_id=member.partner_id)


def digest_send(*, tenant: Tenant, month: date, today: date | None = None) -> DigestRun:
    """Send ``month``'s digests: to each active member whose frequency asks for one, scoped to what they may see,
    once (a member who has this month's digest gets nothing more)."""
    month = month.replace(day=1)
    today = today or timezone.now().date()
    messages: list[tuple[int, EmailMultiAlternatives]] = []
    with tenant_context(tenant):
        tenant_xact_lock(LOCK_EXECUTIVE_DIGEST, tenant)
        due = [(m, p) for m, frequency in digest_recipients(tenant=tenant) if (p := digest_period(month, frequency))]
        data: dict[tuple[str, date], DigestData] = {}
        rows: list[tuple[Membership, tuple[str, date], dict[str, Any]]] = []
        for member, period in due:
            if period not in data:
                data[period] = digest_data(tenant=tenant, period=period[0], start=period[1], today=today)
            rows.append((member, period, build_digest(data[period], _reader(member))))
        claimed = _claim(tenant, month, rows)
        if claimed:
            notify_many(
                tenant,
                [
                    NotificationItem(
                        recipient_id=member.pk,
                        kind="digest",
                        title=content["title"],
                        body=_summary(content),
                        url=reverse("digest_detail", kwargs={"tenant_slug": tenant.slug, "month": f"{month:%Y-%m}"}),
                        dedupe_key=f"digest:{month:%Y-%m}",
                    )
                    for member, _, content in rows
                    if member.pk in claimed
                ],
                email=False,  # the digest's own e-mail (HTML and plain text) goes below
            )
            messages = [
                (claimed[member.pk], _email(tenant, member, content))
                for member, _, content in rows
                if member.pk in claimed and member.user.email
            ]
            if messages:
                transaction.on_commit(lambda: _send(tenant, messages))
    return DigestRun(
        tenant_id=tenant.pk, month=month.isoformat(), readers=len(rows), created=len(claimed), emailed=len(messages)
    )


def _claim(
    tenant: Tenant, month: date, rows: list[tuple[Membership, tuple[str, date], dict[str, Any]]]
) -> dict[int, int]:
    """Insert the digests not sent yet; {member id: digest id} of those this call inserted (one statement)."""
    if not rows:
        return {}
    ensure_active_tenant(tenant, "digests")
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {DELIVERY_TABLE}
                (tenant_id, membership_id, month, period, period_start, content, created_at, updated_at)
            SELECT %s, x.membership_id, %s, x.period, x.period_start, x.content::jsonb, %s, %s
            FROM unnest(%s::bigint[], %s::text[], %s::date[], %s::text[])
                AS x(membership_id, period, period_start, content)
            ON CONFLICT ON CONSTRAINT digest_once_per_member_month DO NOTHING
            RETURNING membership_id, id
            """,
            [
                tenant.pk,
                month,
                now,
                now,
                [member.pk for member, _, _ in rows],
                [period for _, (period, _), _ in rows],
                [start for _, (_, start), _ in rows],
                [json.dumps(content) for _, _, content in rows],
            ],
        )
        return {int(member_id): int(pk) for member_id, pk in cursor.fetchall()}


def _summary(content: dict[str, Any]) -> str:
    lines = [f"About {content['scope']}."]
    lines += [
        f"{section['title']}: " + " ".join(item["text"] for item in section["items"][:2])
        for section in content["sections"]
    ]
    return "\n".join(lines)


def _email(tenant: Tenant, member: Membership, content: dict[str, Any]) -> EmailMultiAlternatives:
    site = settings.SITE_URL
    settings_url = reverse("digest_settings", kwargs={"tenant_slug": tenant.slug})
    token = unsubscribe_token(tenant=tenant, member=member)
    unsubscribe = site + reverse("digest_unsubscribe", kwargs={"tenant_slug": tenant.slug, "unsubscribe_token": token})
    text = digest_text(content, site=site, settings_url=settings_url, unsubscribe_url=unsubscribe)
    html = render_to_string(
        "executive/digest_email.html",
        {
            "content": content,
            "site": site,
            "tenant": tenant,
            "settings_url": site + settings_url,
            "unsubscribe": unsubscribe,
        },
    )
    message = EmailMultiAlternatives(
        subject=f"[{tenant.name}] {content['title']}",
        body=text,
        to=[member.user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(html, "text/html")
    return message


def _send(tenant: Tenant, messages: list[tuple[int, EmailMultiAlternatives]]) -> None:
    """Send the e-mails; the digests they belong to record when (a failure is logged: the digest stays in the app)."""
    try:
        get_connection().send_messages([message for _, message in messages])
    except Exception:
        logger.exception("digest e-mails failed", extra={"tenant_id": tenant.pk, "count": len(messages)})
        return
    with tenant_context(tenant):
        DigestDelivery.objects.for_tenant(tenant).filter(pk__in=[pk for pk, _ in messages]).update(
            emailed_at=timezone.now()
        )


def digest_mark_read(*, tenant: Tenant, member: Membership, digest: DigestDelivery) -> None:
    """Mark the notification of a digest read when its reader opens it."""
    with tenant_context(tenant):
        Notification.objects.for_tenant(tenant).filter(
            recipient=member, dedupe_key=f"digest:{digest.month:%Y-%m}", read_at__isnull=True
        ).update(read_at=timezone.now())
