"""Role permissions, kept in code with ``rules`` (no permission rows in the database).

The subject of every rule is a Membership (the actor in one tenant), never a bare user.
"""

from __future__ import annotations

from typing import Any

import rules

from partnerhub.core.errors import PermissionDeniedError
from partnerhub.core.models import Membership, Partner, Role


@rules.predicate
def is_admin(actor: Membership | None) -> bool:
    return actor is not None and actor.role == Role.ADMIN


@rules.predicate
def is_manager(actor: Membership | None) -> bool:
    return actor is not None and actor.role == Role.MANAGER


@rules.predicate
def is_executive(actor: Membership | None) -> bool:
    return actor is not None and actor.role == Role.EXECUTIVE


@rules.predicate
def is_partner_user(actor: Membership | None) -> bool:
    return actor is not None and actor.role == Role.PARTNER


@rules.predicate
def owns_partner(actor: Membership | None, partner: Partner | None) -> bool:
    return actor is not None and partner is not None and partner.owner_id == actor.pk


@rules.predicate
def no_object(actor: Membership | None, obj: Any) -> bool:
    return obj is None


@rules.predicate
def of_own_partner(actor: Membership | None, obj: Any) -> bool:
    """A partner user acting on an object of their own company (anything with ``partner_id``)."""
    return actor is not None and obj is not None and actor.partner_id is not None and obj.partner_id == actor.partner_id


is_internal = is_admin | is_manager | is_executive

permissions = rules.RuleSet()
permissions.add_rule("partners.view", is_internal)
permissions.add_rule("partners.create", is_admin | is_manager)
# Managers edit their own partners; admins edit any. Without an object the question is "may edit some partner".
permissions.add_rule("partners.change", is_admin | (is_manager & (owns_partner | no_object)))
permissions.add_rule("partners.reassign", is_admin)
permissions.add_rule("members.view", is_admin)
permissions.add_rule("members.invite", is_admin)
permissions.add_rule("audit.view", is_admin)
permissions.add_rule("tenant.settings", is_admin)
permissions.add_rule("portal.view", is_partner_user)
permissions.add_rule("home.view", is_internal | is_partner_user)
permissions.add_rule("notifications.view", is_internal | is_partner_user)
# Runs the program day to day (imports, data quality, templates, cadences...): its working pages are in the
# navigation. Executives read the whole program and do none of that work (DESIGN: read-only, whole tenant).
permissions.add_rule("program.work", is_admin | is_manager)
# Each feature app adds its own rules to this set in its rules.py (discovered by django-rules at start-up).


def can(actor: Membership | None, perm: str, obj: Any = None) -> bool:
    return permissions.test_rule(perm, actor, obj)


def ensure_can(actor: Membership | None, perm: str, obj: Any = None) -> None:
    """Raise PermissionDeniedError unless ``actor`` holds ``perm`` (on ``obj`` when given)."""
    if not can(actor, perm, obj):
        raise PermissionDeniedError("You do not have permission to do this.", extra={"permission": perm})
