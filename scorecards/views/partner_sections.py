"""The scorecards app's sections of the partner page (declared on its AppConfig): a partner's latest deals, joint
activities and survey responses, a few each, with how many there are and a link to the full filtered list.

Each is two queries (the rows, the count), whatever the partner's data.
"""

from __future__ import annotations

from typing import Any

from partnerhub.core.models import Membership, Partner, Tenant
from scorecards.selectors.activities import activity_list, survey_response_list
from scorecards.selectors.deals import DealFilters, deal_list

RECENT = 5


def deals_section(*, tenant: Tenant, actor: Membership, partner: Partner) -> dict[str, Any]:
    deals = deal_list(tenant=tenant, filters=DealFilters(partner=partner.pk), sort="-created_on")
    return {"rows": list(deals[:RECENT]), "total": deals.count()}


def activities_section(*, tenant: Tenant, actor: Membership, partner: Partner) -> dict[str, Any]:
    activities = activity_list(tenant=tenant, partner=partner.pk)
    return {"rows": list(activities[:RECENT]), "total": activities.count()}


def surveys_section(*, tenant: Tenant, actor: Membership, partner: Partner) -> dict[str, Any]:
    responses = survey_response_list(tenant=tenant, partner=partner.pk)
    return {"rows": list(responses[:RECENT]), "total": responses.count()}
