"""Demo change notices: announce a change before it is published, as the program's governance requires of every
scorecard version, tier framework version and cadence change after the first (``partnerhub.core.publication``).

``announce`` drafts the notice (its impact attached), gives it a sponsor and a three-week decision window from today,
and publishes it to the partners it affects; the demo modules call it just before they publish the change.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from partnerhub.core.models import Membership, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.models import ChangeNotice
from partnerhub.executive.services.changes import change_notice_draft, change_notice_publish, change_notice_update

DECISION_DAYS = 21


def announce(
    tenant: Tenant, admin: Membership, *, kind: str, subject_id: int, title: str, what_changed: str, why: str
) -> ChangeNotice:
    """Draft, complete and publish the notice of one change; the program's executive (else the admin) sponsors it."""
    with tenant_context(tenant):
        sponsor = (
            Membership.objects.for_tenant(tenant).filter(role=Role.EXECUTIVE, is_active=True).order_by("pk").first()
            or admin
        )
    notice = change_notice_draft(
        tenant=tenant, actor=admin, kind=kind, subject_id=subject_id, title=title, what_changed=what_changed, why=why
    )
    today = timezone.now().date()
    change_notice_update(
        tenant=tenant,
        actor=admin,
        notice=notice,
        sponsor_id=sponsor.pk,
        decision_opens=today,
        decision_closes=today + timedelta(days=DECISION_DAYS),
        title=notice.title,
        what_changed=notice.what_changed,
        why=notice.why,
    )
    return change_notice_publish(tenant=tenant, actor=admin, notice=notice)
