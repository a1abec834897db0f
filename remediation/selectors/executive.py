"""The figures remediation offers the executive layer (declared as ``executive_figures`` on the AppConfig; see
partnerhub/executive/selectors/seams.py): called with the dashboard slice's partners and the period shown, each answers
a count in one query."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from partnerhub.core.models import Partner, Tenant
from remediation.models import Checkpoint, Plan


def open_plans_count(*, tenant: Tenant, partners: QuerySet[Partner], start: date, end: date) -> int:
    """Plans of the slice's partners open at the end of the period: started by then, and still open or closed (or
    cancelled) only after it."""
    still_open = Q(status__in=(Plan.Status.DRAFT, Plan.Status.ACTIVE))
    closed_later = Q(status__in=(Plan.Status.CLOSED, Plan.Status.CANCELLED), closed_at__date__gt=end)
    return (
        Plan.objects.for_tenant(tenant)
        .filter(still_open | closed_later, partner__in=partners, start_date__lte=end)
        .count()
    )


def missed_checkpoints_count(*, tenant: Tenant, partners: QuerySet[Partner], start: date, end: date) -> int:
    """Checkpoints of the slice's partners found missed whose checked period starts within the period shown."""
    return (
        Checkpoint.objects.for_tenant(tenant)
        .filter(
            partner__in=partners,
            status=Checkpoint.Status.MISSED,
            due_period_start__gte=start,
            due_period_start__lte=end,
        )
        .count()
    )
