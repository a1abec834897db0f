"""Writes of enablement and favourable-terms investments (managers and admins), and their link to the enablement
activities imported with partner data (trainings attended, certifications earned). MDF investments are recorded by
``recognition.services.funds`` when a request is approved."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from partnerhub.core.models import Membership, Partner, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from recognition.errors import InvestmentInputError
from recognition.models import Investment, InvestmentActivity
from recognition.services.budgets import _code, _money
from recognition.services.funds import _date, _text
from scorecards.selectors.activities import activity_ids_of_partner

# Which categories each kind of investment takes (MDF's are the fund requests' activity types).
CATEGORIES_OF_KIND: dict[str, tuple[str, ...]] = {
    Investment.Kind.ENABLEMENT: (
        Investment.Category.TRAINING_SEATS,
        Investment.Category.TECHNICAL_DAYS,
        Investment.Category.TRAINING,
    ),
    Investment.Kind.TERMS: (Investment.Category.DISCOUNT_UPLIFT, Investment.Category.PAYMENT_TERMS),
}


@transaction.atomic
def investment_record(
    *, tenant: Tenant, actor: Membership, partner: Partner, data: Mapping[str, Any], activity_ids: Iterable[int] = ()
) -> Investment:
    """Record an enablement or favourable-terms investment with its value, linked to the partner's activities.

    Raises InvestmentInputError on bad input (a kind other than enablement or terms, a category of another kind, a
    value not above 0, an end before the start, an activity that is not this partner's); nothing is written.
    """
    ensure_same_tenant(tenant, actor, partner)
    ensure_can(actor, "investments.record")
    kind = str(data.get("kind") or "")
    if kind not in CATEGORIES_OF_KIND:
        raise InvestmentInputError(
            "Record enablement or favourable terms here; MDF comes from approved fund requests.",
            fields={"kind": ["Enablement or favourable terms."]},
        )
    category = str(data.get("category") or "")
    if category not in CATEGORIES_OF_KIND[kind]:
        allowed = ", ".join(str(Investment.Category(c).label).lower() for c in CATEGORIES_OF_KIND[kind])
        raise InvestmentInputError(f"For this kind choose: {allowed}.", fields={"category": [allowed]})
    starts_on = _date(data.get("starts_on"), "starts_on")
    ends_on = _date(data["ends_on"], "ends_on") if data.get("ends_on") else None
    if ends_on is not None and ends_on < starts_on:
        raise InvestmentInputError("It ends before it starts.", fields={"ends_on": ["On or after the start."]})
    wanted = sorted(set(activity_ids))
    if wanted:
        own = activity_ids_of_partner(tenant=tenant, partner_id=partner.pk, activity_ids=wanted)
        if own != set(wanted):
            raise InvestmentInputError(
                "Link only this partner's own activities.", fields={"activities": ["Not this partner's."]}
            )
    investment = Investment.objects.create(
        tenant=tenant,
        partner=partner,
        kind=kind,
        category=category,
        title=_text(data.get("title"), "title", required=True, limit=200),
        program=_text(data.get("program"), "program", limit=120),
        value=_money(data.get("value"), "value"),
        currency=_code(data.get("currency") or tenant.currency),
        starts_on=starts_on,
        ends_on=ends_on,
        note=_text(data.get("note"), "note"),
        recorded_by=actor,
    )
    for activity_id in wanted:
        InvestmentActivity.objects.create(tenant=tenant, investment=investment, activity_id=activity_id)
    return investment


@transaction.atomic
def investment_link_activities(
    *, tenant: Tenant, actor: Membership, investment: Investment, activity_ids: Iterable[int]
) -> int:
    """Link more of the partner's imported activities to an investment (already linked ones are skipped)."""
    ensure_same_tenant(tenant, actor, investment)
    ensure_can(actor, "investments.record")
    wanted = set(activity_ids)
    own = activity_ids_of_partner(tenant=tenant, partner_id=investment.partner_id, activity_ids=wanted)
    if own != wanted:
        raise InvestmentInputError("Link only this partner's own activities.", fields={"activities": ["Not theirs."]})
    linked = set(
        InvestmentActivity.objects.for_tenant(tenant)
        .filter(investment=investment)
        .values_list("activity_id", flat=True)
    )
    added = sorted(wanted - linked)
    for activity_id in added:
        InvestmentActivity.objects.create(tenant=tenant, investment=investment, activity_id=activity_id)
    return len(added)
