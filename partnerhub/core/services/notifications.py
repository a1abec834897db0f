"""In-app notifications, also emailed: sent in bulk, once per (recipient, dedupe key), each emailed exactly once.

``notify_many`` is the one way to send. It inserts every notification in one statement that skips the ones already
sent (``ON CONFLICT DO NOTHING`` on the ``notification_once_per_key`` constraint), then *claims* the e-mails still
owed with one ``UPDATE … SET emailed_at = now() WHERE emailed_at IS NULL RETURNING``. Two tasks racing on the same
keys both reach the claim, but the row lock makes the second wait and then find ``emailed_at`` set: each e-mail is
claimed once. The e-mails leave after the transaction commits (a rolled-back run sends nothing); when the mail
server refuses them the claims are released, so the next run with the same keys sends them again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.utils import timezone

from partnerhub.core.errors import CrossTenantReferenceError, NotificationNotYoursError
from partnerhub.core.models import Membership, Notification, Tenant
from partnerhub.core.selectors.notifications import notification_list_for_member
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import ensure_active_tenant

logger = logging.getLogger(__name__)

TABLE = Notification._meta.db_table


@dataclass(frozen=True)
class NotificationItem:
    """One notification to send: ``url`` is a site path (e-mailed with SITE_URL in front)."""

    recipient_id: int
    kind: str
    title: str
    dedupe_key: str
    body: str = ""
    url: str = ""


@dataclass(frozen=True)
class NotifyResult:
    created: int = 0
    emailed: int = 0  # e-mails claimed by this call, sent once its transaction commits
    created_by_kind: dict[str, int] = field(default_factory=dict)


def _item(raw: NotificationItem | Mapping[str, Any]) -> NotificationItem:
    if isinstance(raw, NotificationItem):
        return raw
    data = dict(raw)
    recipient = data.pop("recipient", None)
    if recipient is not None:
        data["recipient_id"] = getattr(recipient, "pk", recipient)
    return NotificationItem(**data)


def notify_many(
    tenant: Tenant, items: Iterable[NotificationItem | Mapping[str, Any]], *, email: bool = True
) -> NotifyResult:
    """Send ``items`` (in-app, and by e-mail after commit); a (recipient, dedupe_key) already sent is skipped.

    Runs inside the tenant's context and transaction. Recipients must be members of ``tenant``
    (CrossTenantReferenceError otherwise); deactivated members are skipped. Three queries, however many items.
    ``email=False`` leaves the e-mails owed (a later call with the same keys sends them).
    """
    unique: dict[tuple[int, str], NotificationItem] = {}
    for raw in items:
        item = _item(raw)
        unique.setdefault((item.recipient_id, item.dedupe_key[:200]), item)
    if not unique:
        return NotifyResult()
    recipient_ids = {recipient_id for recipient_id, _ in unique}
    members = {
        pk: (active, address)
        for pk, active, address in Membership.objects.for_tenant(tenant)
        .filter(pk__in=recipient_ids)
        .values_list("pk", "is_active", "user__email")
    }
    if missing := recipient_ids - set(members):
        raise CrossTenantReferenceError(
            "A notification names someone who is not a member of this program.", extra={"recipients": sorted(missing)}
        )
    rows = [(key, item) for key, item in unique.items() if members[key[0]][0]]
    if not rows:
        return NotifyResult()
    now = timezone.now()
    ensure_active_tenant(tenant, "notifications")  # the raw SQL below bypasses the scoped manager's check
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO "{TABLE}"
                (tenant_id, recipient_id, kind, title, body, url, dedupe_key, created_at, updated_at)
            SELECT %s, x.recipient_id, x.kind, x.title, x.body, x.url, x.dedupe_key, %s, %s
            FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[])
                AS x(recipient_id, kind, title, body, url, dedupe_key)
            ON CONFLICT ON CONSTRAINT notification_once_per_key DO NOTHING
            RETURNING kind
            """,
            [
                tenant.pk,
                now,
                now,
                [key[0] for key, _ in rows],
                [item.kind[:40] for _, item in rows],
                [item.title[:200] for _, item in rows],
                [item.body for _, item in rows],
                [item.url[:300] for _, item in rows],
                [key[1] for key, _ in rows],
            ],
        )
        by_kind: dict[str, int] = {}
        for (kind,) in cursor.fetchall():
            by_kind[kind] = by_kind.get(kind, 0) + 1
        claimed: list[tuple[int, int, str, str, str]] = []
        if email:
            cursor.execute(
                f"""
                UPDATE "{TABLE}" AS n SET emailed_at = %s
                FROM unnest(%s::bigint[], %s::text[]) AS x(recipient_id, dedupe_key)
                WHERE n.tenant_id = %s AND n.recipient_id = x.recipient_id AND n.dedupe_key = x.dedupe_key
                  AND n.emailed_at IS NULL
                RETURNING n.id, n.recipient_id, n.title, n.body, n.url
                """,
                [now, [key[0] for key, _ in rows], [key[1] for key, _ in rows], tenant.pk],
            )
            claimed = cursor.fetchall()
    messages = [
        (pk, _email(tenant, title=title, body=body, url=url, to=members[recipient_id][1]))
        for pk, recipient_id, title, body, url in claimed
        if members[recipient_id][1]
    ]
    if messages:
        transaction.on_commit(lambda: _send(tenant, messages, claimed_at=now))
    return NotifyResult(created=sum(by_kind.values()), emailed=len(messages), created_by_kind=by_kind)


def _email(tenant: Tenant, *, title: str, body: str, url: str, to: str) -> EmailMessage:
    link = f"{settings.SITE_URL}{url}" if url.startswith("/") else url
    text = "\n\n".join(
        part
        for part in (
            body,
            f"Open: {link}" if link else "",
            f"-- PartnerHub, {tenant.name}. You receive this because you are a member of this program; "
            "your notifications are listed on the Notifications page.",
        )
        if part
    )
    return EmailMessage(subject=f"[{tenant.name}] {title}", body=text, to=[to])


def _send(tenant: Tenant, messages: list[tuple[int, EmailMessage]], *, claimed_at: datetime) -> None:
    try:
        get_connection().send_messages([message for _, message in messages])
    except Exception:
        # The notifications stay in the app; release the claims so the next run with these keys e-mails them.
        logger.exception("notification e-mails failed", extra={"tenant_id": tenant.pk, "count": len(messages)})
        with tenant_context(tenant):
            Notification.objects.for_tenant(tenant).filter(
                pk__in=[pk for pk, _ in messages], emailed_at=claimed_at
            ).update(emailed_at=None)


# --- read-marks of one member's own notifications ---


@transaction.atomic
def notifications_mark_read(*, tenant: Tenant, actor: Membership, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's notifications read: all of them, or ``ids``; returns how many changed.

    Raises NotificationNotYoursError (400, nothing written) when an id is not one of the actor's own.
    """
    qs = notification_list_for_member(tenant=tenant, member=actor)
    if ids is not None:
        wanted = set(ids)
        own = set(qs.filter(pk__in=wanted).values_list("pk", flat=True))
        if unknown := wanted - own:
            raise NotificationNotYoursError(
                "Some of these notifications are not yours.", extra={"fields": {"ids": sorted(unknown)}}
            )
        qs = qs.filter(pk__in=own)
    return qs.filter(read_at__isnull=True).update(read_at=timezone.now())
