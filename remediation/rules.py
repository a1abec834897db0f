"""Who may do what in remediation; added to the program's one rule set.

Remediation is private coaching: internal members read every plan; a partner user reads only their own company's
active or closed plan, and only its shared parts (the selectors decide which parts); other partners never see it.
"""

from __future__ import annotations

from typing import Any

import rules

from partnerhub.core.models import Membership
from partnerhub.core.rules import is_admin, is_internal, is_manager, is_partner_user, no_object, permissions
from remediation.models import Plan


@rules.predicate
def runs_plan(actor: Membership | None, obj: Any) -> bool:
    """The plan's accountable owner, or the owner manager of its partner (a plan, or anything with ``plan`` and
    ``partner`` loaded: a finding, a checkpoint, an action). A finding without a partner (a cohort) is run by its
    owner."""
    if actor is None or obj is None:
        return False
    plan = obj if isinstance(obj, Plan) else getattr(obj, "plan", None)
    if plan is not None and plan.owner_id == actor.pk:
        return True
    if getattr(obj, "owner_id", None) == actor.pk:
        return True
    partner = getattr(obj, "partner", None)
    return partner is not None and partner.owner_id == actor.pk


@rules.predicate
def owns_partner_action(actor: Membership | None, action: Any) -> bool:
    """A partner user on a shared action their company owns (``action.partner_id``, ``side``, ``shared``)."""
    return (
        actor is not None
        and action is not None
        and actor.partner_id is not None
        and action.partner_id == actor.partner_id
        and action.side == "partner"
        and action.shared
    )


@rules.predicate
def of_own_partner_plan(actor: Membership | None, plan: Any) -> bool:
    """A partner user on their own company's plan once it is active or closed (a draft is not theirs to see yet)."""
    return (
        actor is not None
        and plan is not None
        and actor.partner_id is not None
        and plan.partner_id == actor.partner_id
        and plan.status in ("active", "closed")
    )


# Without an object, a rule answers "may do this to some plan".
permissions.add_rule("remediation.view", is_internal)
permissions.add_rule("remediation.manage", is_admin | (is_manager & (runs_plan | no_object)))
permissions.add_rule("remediation.settings", is_admin)
permissions.add_rule("lessons.view", is_internal)
permissions.add_rule("portal.plan", is_partner_user & (of_own_partner_plan | no_object))
permissions.add_rule("portal.plan_action", is_partner_user & (owns_partner_action | no_object))
