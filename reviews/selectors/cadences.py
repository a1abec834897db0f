"""Reads of cadences: the program's cadences (with their latest cycle), one cadence, the partners it applies to."""

from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Partner, Tenant
from partnerhub.core.publication import Publication, PublicationKind
from reviews.models import Cadence


def cadence_list(*, tenant: Tenant, active: bool | None = None) -> QuerySet[Cadence]:
    """The program's cadences by name, each annotated with ``cycle_count`` and ``last_period_start`` (one query)."""
    qs = Cadence.objects.for_tenant(tenant).annotate(
        cycle_count=Count("cycles"), last_period_start=Max("cycles__period_start")
    )
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("-is_active", "name", "id")


def cadence_get(*, tenant: Tenant, cadence_id: int) -> Cadence:
    """The cadence, or NotFoundError for a missing id and for another tenant's id alike."""
    cadence = Cadence.objects.for_tenant(tenant).filter(pk=cadence_id).first()
    if cadence is None:
        raise NotFoundError("Cadence not found.")
    return cadence


def cadence_matching_partners(*, tenant: Tenant, cadence: Cadence) -> QuerySet[Partner]:
    """The partners ``cadence`` applies to, with their owner, sponsor and steward joined (by name).

    Filters combine with AND across kinds (type, tier, stage) and OR within one; an empty filter takes every value.
    ``include_strategic`` adds strategic partners whatever the filters say.
    """
    match = Q()
    if cadence.partner_types:
        match &= Q(partner_type__in=cadence.partner_types)
    if cadence.tiers:
        match &= Q(tier__in=cadence.tiers)
    if cadence.stages:
        match &= Q(stage__in=cadence.stages)
    if cadence.include_strategic and match:
        match |= Q(is_strategic=True)
    return (
        Partner.objects.for_tenant(tenant)
        .filter(match)
        .select_related("owner", "executive_sponsor", "data_steward")
        .defer("product_lines")
        .order_by("name", "id")
    )


def cadence_applies_to(cadence: Cadence) -> str:
    """The cadence's filters in words: 'Every partner', or e.g. 'Gold, Platinum · At risk; and strategic partners'."""
    parts = []
    for values, choices in (
        (cadence.partner_types, Partner.Type),
        (cadence.tiers, Partner.Tier),
        (cadence.stages, Partner.Stage),
    ):
        if values:
            labels = dict(choices.choices)
            parts.append(", ".join(str(labels.get(v, v)) for v in values))
    if not parts:
        return "Every partner"
    text = " · ".join(parts)
    return f"{text}; and every strategic partner" if cadence.include_strategic else text


def cadence_change_publication(*, tenant: Tenant, cadence: Cadence) -> Publication:
    """Changing ``cadence`` (as stored) in a way its partners notice, as the publication guards see it
    (``partnerhub.core.publication``): the change makes its next revision. A new cadence is not a change (nothing
    to change from), and is not guarded."""
    return Publication(
        tenant=tenant,
        kind=PublicationKind.CADENCE_CHANGE,
        subject_id=cadence.pk,
        revision=cadence.revision + 1,
        label=f"revision {cadence.revision + 1} of the cadence “{cadence.name}”",
        first=False,
    )
