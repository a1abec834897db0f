"""The panel remediation adds to other apps' pages (declared on its AppConfig as ``page_panels``): the partner's open
plan and its checkpoints' status, on the partner page, the review page, the pre-read and the partner's scorecard
(internal members only; a link to start one when the partner has none, for those who may). At most two queries;
rendered without the request, so no context processor runs again."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from partnerhub.core.http import TenantRequest
from partnerhub.core.rules import can
from remediation.domain.evaluation import label
from remediation.selectors.plans import open_plan_of_partner, plan_checkpoints
from remediation.services.evaluation import spec_of


def open_plan_panel(request: TenantRequest, *, slot: str, partner: Any = None, **subject: Any) -> str:
    """The partner's open plan as a card (or an invitation to start one); "" for a viewer who may not see plans."""
    if partner is None or not can(request.membership, "remediation.view"):
        return ""
    tenant = request.tenant
    plan = open_plan_of_partner(tenant=tenant, partner_id=partner.pk)
    checkpoints = (
        [(c, label(spec_of(c, tenant.currency))) for c in plan_checkpoints(tenant=tenant, plan=plan)]
        if plan is not None
        else []
    )
    context = {
        **subject,
        "tenant": tenant,
        "plan": plan,
        "partner": partner,
        "slot": slot,
        "checkpoints": checkpoints,
        "can_create": can(request.membership, "remediation.manage"),
    }
    return render_to_string("remediation/partials/_open_plan_panel.html", context)
