"""Reads of joint engagement activities and survey responses: their lists (program-wide or one partner's)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from partnerhub.core.models import Tenant
from scorecards.models import Activity, SurveyResponse


def activity_list(
    *,
    tenant: Tenant,
    partner: int | None = None,
    kind: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Activity]:
    """Activities (of one partner, one kind, between two dates when given), newest first, partner and import joined."""
    qs = Activity.objects.for_tenant(tenant).select_related("partner", "batch")
    if partner is not None:
        qs = qs.filter(partner_id=partner)
    if kind:
        qs = qs.filter(kind=kind)
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("-date", "-id")


def survey_response_list(
    *,
    tenant: Tenant,
    partner: int | None = None,
    kind: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[SurveyResponse]:
    """Survey responses (of one partner, one survey, between two dates when given), newest first, with the partner,
    the deal answered about and the import joined."""
    qs = SurveyResponse.objects.for_tenant(tenant).select_related("partner", "deal", "batch")
    if partner is not None:
        qs = qs.filter(partner_id=partner)
    if kind:
        qs = qs.filter(survey=kind)
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("-date", "-id")
