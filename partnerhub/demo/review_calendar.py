"""Demo data of the calendar area: the reminders of the demo's "today", so the demo people have notifications.

It creates nothing else (the reviews, their attendees and action items come from the other review areas' seeds,
which must run first). Safe to run twice: every reminder has a dedupe key. No e-mail is sent while seeding; the
reminders stay owed, and the first real reminder run e-mails them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.context import tenant_context
from reviews.services.reminders import reminders_send


def seed_calendar(tenant: Tenant, *, today: date | None = None) -> dict[str, Any]:
    """Send ``tenant``'s reminders due on ``today`` (default: the local date), in-app only; return the counts."""
    with tenant_context(tenant):
        return reminders_send(tenant=tenant, today=today, email=False).as_dict()
