"""Writes of findings: recorded by hand or from a review (a trigger's are written by ``services.triggers``), then
diagnosed and edited. Every write is checked whole before anything is saved: bad input is a 400 naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone

from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.rules import ensure_can
from remediation.domain.categories import root_cause_clean
from remediation.errors import PlanStateError, RemediationInputError
from remediation.models import Finding, Severity
from remediation.selectors.settings import category_choices
from remediation.services.references import clean_text, ensure_in_program, ensure_member

COHORT_CHOICES: dict[str, set[str] | None] = {
    "cohort_types": set(Partner.Type.values),
    "cohort_tiers": set(Partner.Tier.values),
    "cohort_regions": set(Partner.Region.values),
    "cohort_markets": None,  # free text
    "cohort_product_lines": None,
}
OWNER_ROLES = (Role.ADMIN, Role.MANAGER)


@dataclass
class FindingInput:
    """What a finding says; the form and the API both fill it (unset cohort lists do not narrow)."""

    title: str
    category: str
    severity: str = Severity.MEDIUM
    date_found: date | None = None
    partner: Partner | None = None
    owner: Membership | None = None
    notes: str = ""
    root_cause_method: str = Finding.RootCauseMethod.NOTES
    root_cause: Any = None
    impact_amount: Decimal | None = None
    impact_points: Decimal | None = None
    cohort: dict[str, list[str]] = field(default_factory=dict)


def _checked(tenant: Tenant, data: FindingInput, *, today: date, allow_blank_category: bool = False) -> dict[str, Any]:
    """The finding's fields, validated; raises RemediationInputError on the first problem."""
    ensure_in_program(tenant, "partner", data.partner)
    ensure_member(tenant, "owner", data.owner, roles=OWNER_ROLES, what="a finding's owner (a manager or admin)")
    values: dict[str, Any] = {
        "title": clean_text("title", data.title, limit=200, required=True, label="A short title"),
        "notes": clean_text("notes", data.notes, limit=20_000),
    }
    categories = {key for key, _ in category_choices(tenant=tenant)}
    if data.category not in categories and not (allow_blank_category and data.category == ""):
        raise RemediationInputError("category", "Choose a cause category.")
    if data.severity not in Severity.values:
        raise RemediationInputError("severity", "Choose a severity: low, medium, high or critical.")
    found = data.date_found or today
    if found > today:
        raise RemediationInputError("date_found", "A finding cannot be found in the future.")
    if data.impact_amount is not None and data.impact_amount < 0:
        raise RemediationInputError("impact_amount", "State the impact as a positive amount (what is at stake).")
    if data.impact_points is not None and not Decimal(0) <= data.impact_points <= Decimal(100):
        raise RemediationInputError("impact_points", "Score points are between 0 and 100.")
    if data.root_cause_method not in Finding.RootCauseMethod.values:
        raise RemediationInputError("root_cause_method", "Choose five whys, fishbone or notes.")
    root_cause, problems = root_cause_clean(data.root_cause_method, data.root_cause or {})
    if problems:
        raise RemediationInputError("root_cause", " ".join(problems))
    cohort: dict[str, list[str]] = {}
    for name, allowed in COHORT_CHOICES.items():
        chosen = sorted({str(v).strip() for v in data.cohort.get(name, []) if str(v).strip()})
        if allowed is not None and (unknown := [v for v in chosen if v not in allowed]):
            raise RemediationInputError(name, f"Unknown value(s): {', '.join(unknown)}.")
        if any(len(v) > 80 for v in chosen):
            raise RemediationInputError(name, "Keep each value under 80 characters.")
        cohort[name] = chosen
    if data.partner is None and not any(cohort.values()):
        raise RemediationInputError(
            "partner", "Say who is affected: a partner, or a cohort by type, tier, region, market or product line."
        )
    values.update(
        category=data.category,
        severity=data.severity,
        date_found=found,
        partner=data.partner,
        owner=data.owner,
        root_cause_method=data.root_cause_method,
        root_cause=root_cause,
        impact_amount=data.impact_amount,
        impact_points=data.impact_points,
        **cohort,
    )
    return values


@transaction.atomic
def finding_create(
    *, tenant: Tenant, actor: Membership, data: FindingInput, review: Any = None, today: date | None = None
) -> Finding:
    """Record a finding by hand, or from ``review`` (origin "review", linked to its notes and decisions; the
    review's partner is the finding's). A manager records findings on their own partners, or owns the finding."""
    today = today or timezone.localdate()
    if review is not None:
        ensure_in_program(tenant, "review", review)
        if data.partner is None:
            data.partner = review.partner
        elif data.partner.pk != review.partner_id:
            raise RemediationInputError("partner", "A finding from a review is about that review's partner.")
    values = _checked(tenant, data, today=today)
    finding = Finding(
        tenant=tenant,
        origin=Finding.Origin.REVIEW if review is not None else Finding.Origin.MANUAL,
        review=review,
        created_by=actor,
        **values,
    )
    ensure_can(actor, "remediation.manage", finding)
    with set_actor(actor.user):
        finding.save()
    return finding


@transaction.atomic
def finding_update(*, tenant: Tenant, actor: Membership, finding: Finding, data: FindingInput) -> Finding:
    """Edit a finding (diagnosing a trigger's draft: it then needs a category). Refused once its plan is closed."""
    ensure_in_program(tenant, "finding", finding)
    ensure_can(actor, "remediation.manage", finding)
    locked = (
        Finding.objects.for_tenant(tenant).select_for_update(of=("self",)).select_related("plan").get(pk=finding.pk)
    )
    if locked.plan is not None and not locked.plan.is_open:
        raise PlanStateError("This finding's plan is closed: the finding is part of its record now.")
    if data.partner is not None and locked.partner_id is not None and data.partner.pk != locked.partner_id:
        raise RemediationInputError("partner", "A finding stays about the partner it was found at.")
    if locked.plan is not None and data.partner is None:
        data.partner = locked.partner
    values = _checked(tenant, data, today=timezone.localdate())
    values["date_found"] = data.date_found or locked.date_found
    for name, value in values.items():
        setattr(locked, name, value)
    with set_actor(actor.user):
        locked.save(update_fields=[*values, "updated_at"])
    return locked
