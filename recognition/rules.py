"""Who may do what in recognition (tiers, the framework, recommendations, awards); added to the one rule set."""

from __future__ import annotations

from partnerhub.core.rules import (
    is_admin,
    is_executive,
    is_internal,
    is_manager,
    is_partner_user,
    no_object,
    of_own_partner,
    owns_partner,
    permissions,
)

# Without an object, a rule answers "may do this to some partner".
permissions.add_rule("recognition.view", is_internal)
permissions.add_rule("tiers.change", is_admin)
permissions.add_rule("framework.change", is_admin)
# Executives decide tier moves; admins may decide the framework's own recommendations (the service refuses them an
# exception: a manager's exception needs an executive), and nobody decides their own proposal.
permissions.add_rule("recommendations.decide", is_executive | is_admin)
# An exception to the framework: a partner's owner manager, an admin or an executive may propose one.
permissions.add_rule("recommendations.propose", is_admin | is_executive | (is_manager & (owns_partner | no_object)))
permissions.add_rule("awards.view", is_internal)
permissions.add_rule("awards.change", is_admin)
permissions.add_rule("awards.nominate", is_admin | is_manager)
permissions.add_rule("awards.decide", is_executive | is_admin)
# The recognition wall: every member of the program, partner users included (public recognition inside the tenant).
permissions.add_rule("wall.view", is_internal | is_partner_user)
# A partner user's own tier card (what the next tier requires, the gap in numbers).
permissions.add_rule("portal.tier", is_partner_user & (of_own_partner | no_object))

from recognition import investment_rules  # noqa: E402, F401  (investments: registers its rules on import)
