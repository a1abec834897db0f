"""Reads of joint engagement activities and survey responses: their lists (program-wide or one partner's), and the
enablement ones (trainings attended, certifications earned) that investments link to what paid for them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

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


ENABLEMENT_KINDS: Final[tuple[str, ...]] = (Activity.Kind.TRAINING.value, Activity.Kind.CERTIFICATION.value)


@dataclass(frozen=True)
class ActivityRow:
    id: int
    partner_id: int
    kind: str
    kind_label: str
    title: str
    date: date
    attendees: int


def activity_ids_of_partner(*, tenant: Tenant, partner_id: int, activity_ids: Iterable[int]) -> set[int]:
    """Of ``activity_ids``, those that are activities of this partner in this program (one query)."""
    ids = list(activity_ids)
    if not ids:
        return set()
    return set(
        Activity.objects.for_tenant(tenant).filter(partner_id=partner_id, pk__in=ids).values_list("pk", flat=True)
    )


def enablement_activities(
    *, tenant: Tenant, partner_ids: Iterable[int] | None = None, activity_ids: Iterable[int] | None = None
) -> list[ActivityRow]:
    """Trainings and certifications, newest first, of some partners or by id (one query)."""
    qs = Activity.objects.for_tenant(tenant).filter(kind__in=ENABLEMENT_KINDS)
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=list(partner_ids))
    if activity_ids is not None:
        qs = qs.filter(pk__in=list(activity_ids))
    labels = dict(Activity.Kind.choices)
    return [
        ActivityRow(pk, partner_id, kind, str(labels.get(kind, kind)), title, day, attendees)
        for pk, partner_id, kind, title, day, attendees in qs.order_by("-date", "-id").values_list(
            "pk", "partner_id", "kind", "title", "date", "attendees"
        )
    ]
