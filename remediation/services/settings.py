"""Writes of the program's remediation settings (the ladder's schedule, the triggers) and its own cause categories."""

from __future__ import annotations

from dataclasses import dataclass

from auditlog.context import set_actor
from django.db import transaction
from django.utils.text import slugify

from partnerhub.core.models import Membership, Role, Tenant
from partnerhub.core.rules import ensure_can
from remediation.domain.categories import BUILTIN_CATEGORIES
from remediation.errors import RemediationInputError
from remediation.models import CauseCategory, RemediationSettings
from remediation.services.references import clean_text, ensure_member


@dataclass
class SettingsInput:
    sponsor_after_days: int
    executive_after_days: int
    action_grace_days: int
    trigger_red: bool
    trigger_declining: bool
    trigger_tier_grace: bool
    draft_horizon_months: int
    executive: Membership | None = None


@transaction.atomic
def remediation_settings_update(*, tenant: Tenant, actor: Membership, data: SettingsInput) -> RemediationSettings:
    """Set the ladder's schedule (the sponsor before the executive), the action grace, the triggers and who the last
    rung reaches (an executive or admin of this program, or every executive)."""
    ensure_can(actor, "remediation.settings")
    ensure_member(
        tenant, "executive", data.executive, roles=(Role.EXECUTIVE, Role.ADMIN), what="the ladder's last rung"
    )
    if not 1 <= data.sponsor_after_days <= 365:
        raise RemediationInputError("sponsor_after_days", "Between 1 and 365 days.")
    if not 1 <= data.executive_after_days <= 365:
        raise RemediationInputError("executive_after_days", "Between 1 and 365 days.")
    if data.executive_after_days <= data.sponsor_after_days:
        raise RemediationInputError(
            "executive_after_days", "The executive is told after the sponsor: give more days than the sponsor's."
        )
    if not 0 <= data.action_grace_days <= 365:
        raise RemediationInputError("action_grace_days", "Between 0 and 365 days.")
    if not 1 <= data.draft_horizon_months <= 12:
        raise RemediationInputError("draft_horizon_months", "Between 1 and 12 months.")
    settings = RemediationSettings.objects.for_tenant(tenant).select_for_update().first()
    settings = settings or RemediationSettings(tenant=tenant)
    for name, value in vars(data).items():
        setattr(settings, name, value)
    with set_actor(actor.user):
        settings.save()
    return settings


@transaction.atomic
def cause_category_add(*, tenant: Tenant, actor: Membership, name: str) -> CauseCategory:
    """Add a cause category (an admin); its key is made from the name, and must not repeat a category's."""
    ensure_can(actor, "remediation.settings")
    text = clean_text("name", name, limit=80, required=True, label="The category's name")
    key = slugify(text).replace("-", "_")[:60]
    if not key:
        raise RemediationInputError("name", "Use letters or digits in the name.")
    taken = {k.lower() for k in BUILTIN_CATEGORIES.values()}
    if key in BUILTIN_CATEGORIES or text.lower() in taken:
        raise RemediationInputError("name", f"“{text}” is one of the built-in categories already.")
    if CauseCategory.objects.for_tenant(tenant).filter(key=key).exists():
        raise RemediationInputError("name", f"The program has a category “{text}” already (perhaps retired).")
    with set_actor(actor.user):
        return CauseCategory.objects.create(tenant=tenant, key=key, name=text, created_by=actor)


@transaction.atomic
def cause_category_set_active(
    *, tenant: Tenant, actor: Membership, category: CauseCategory, active: bool
) -> CauseCategory:
    """Retire a category (findings and lessons keep it; new ones cannot take it) or bring it back."""
    ensure_can(actor, "remediation.settings")
    if category.tenant_id != tenant.pk:
        raise RemediationInputError("category", "That category is not part of this program.")
    category.is_active = active
    with set_actor(actor.user):
        category.save(update_fields=["is_active", "updated_at"])
    return category
