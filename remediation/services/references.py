"""Checks every remediation write makes on the people and objects it names: they belong to this program (row-level
security does not stop a foreign key from pointing at another tenant's row) and fit their part.

Each raises ``RemediationInputError`` naming the field (a 400), or ``CrossTenantReferenceError`` for another
tenant's object; nothing has been written when they raise.
"""

from __future__ import annotations

from typing import Any

from partnerhub.core.errors import CrossTenantReferenceError
from partnerhub.core.models import Membership, Partner, Role, Tenant
from remediation.errors import RemediationInputError

INTERNAL_ROLES = (Role.ADMIN, Role.MANAGER, Role.EXECUTIVE)


def ensure_in_program(tenant: Tenant, field: str, obj: Any) -> None:
    """Refuse an object another tenant owns, naming the field it came in."""
    if obj is not None and getattr(obj, "tenant_id", None) != tenant.pk:
        raise CrossTenantReferenceError(
            "That does not belong to this program.", extra={"fields": {field: ["Not part of this program."]}}
        )


def ensure_member(tenant: Tenant, field: str, member: Membership | None, *, roles: tuple[str, ...], what: str) -> None:
    """``member`` (when given) is an active member of this program with one of ``roles``."""
    if member is None:
        return
    ensure_in_program(tenant, field, member)
    if not member.is_active:
        raise RemediationInputError(field, f"{member.user} is no longer active in this program.")
    if member.role not in roles:
        raise RemediationInputError(field, f"{member.user} cannot be {what}.")


def ensure_partner_user(tenant: Tenant, field: str, member: Membership | None, partner: Partner) -> None:
    """``member`` (when given) is an active user of ``partner`` itself."""
    if member is None:
        return
    ensure_in_program(tenant, field, member)
    if member.role != Role.PARTNER or member.partner_id != partner.pk or not member.is_active:
        raise RemediationInputError(field, f"Choose one of {partner.name}'s own users.")


def clean_text(field: str, value: str, *, limit: int, required: bool = False, label: str = "") -> str:
    """``value`` stripped; refused when required and empty, or over ``limit`` characters."""
    text = (value or "").strip()
    if required and not text:
        raise RemediationInputError(field, f"{label or field.replace('_', ' ').capitalize()} is required.")
    if len(text) > limit:
        raise RemediationInputError(field, f"Keep it under {limit} characters ({len(text)} now).")
    return text
