"""Who may do what with investments (issue 15): budgets, allocations, fund requests, claims, impact.

- The program's people read everything (``investments.view``); partner users see only their own company's funds,
  in the portal (``portal.funds``).
- Admins set budgets, allocations and rules (``investments.budget``) and mark claims paid (``investments.pay``).
- Managers decide requests and claims of their own partners, admins of any (``investments.decide``); they also file
  requests for a partner and record enablement and terms (``investments.record``).
- Executives read; nobody else approves, and a partner user never decides anything.
"""

from __future__ import annotations

import rules

from partnerhub.core.models import Membership
from partnerhub.core.rules import (
    is_admin,
    is_internal,
    is_manager,
    is_partner_user,
    no_object,
    of_own_partner,
    permissions,
)


@rules.predicate
def owns_its_partner(actor: Membership | None, obj: object) -> bool:
    """The owner manager of the object's partner (``obj.partner`` loaded)."""
    partner = getattr(obj, "partner", None)
    return actor is not None and partner is not None and partner.owner_id == actor.pk


permissions.add_rule("investments.view", is_internal)
permissions.add_rule("investments.budget", is_admin)
permissions.add_rule("investments.pay", is_admin)
permissions.add_rule("investments.decide", is_admin | (is_manager & (owns_its_partner | no_object)))
permissions.add_rule("investments.record", is_admin | is_manager)
permissions.add_rule("portal.funds", is_partner_user & (of_own_partner | no_object))
# A claim's proof files: the program's people, and the claim's own partner.
permissions.add_rule("funds.read_proof", is_internal | (is_partner_user & (of_own_partner | no_object)))
# Lists of requests and claims: the program's people see all, a partner user their company's own (the selectors
# filter by the actor). Filing requests and claims: a partner user for their company, managers and admins for any.
permissions.add_rule("funds.read", is_internal | is_partner_user)
permissions.add_rule("funds.request", is_partner_user | is_admin | is_manager)
