"""Who may do what with partner data and scorecards; added to the program's one rule set."""

from __future__ import annotations

from partnerhub.core.rules import is_admin, is_executive, is_internal, is_manager, is_partner_user, permissions

# The glossary is read by everyone, edited by admins.
permissions.add_rule("metrics.view", is_internal | is_partner_user)
permissions.add_rule("metrics.change", is_admin)
permissions.add_rule("imports.view", is_admin | is_manager | is_executive)
permissions.add_rule("imports.run", is_admin | is_manager)
permissions.add_rule("quality.view", is_internal)
permissions.add_rule("quality.change", is_admin | is_manager)
permissions.add_rule("templates.view", is_internal)
permissions.add_rule("templates.change", is_admin)
# Deals, joint activities and survey responses as imported: the program's people. Partner users see the scorecard
# computed from them, never the CRM rows themselves (the portal shows only what is shared; docs/deals.md).
permissions.add_rule("deals.view", is_internal)
permissions.add_rule("deals.view_reviews", is_internal)
permissions.add_rule("deals.review", is_admin | is_manager)
# Dated exchange rates into the reporting currency: read by the program's people, entered by admins.
permissions.add_rule("rates.view", is_internal)
permissions.add_rule("rates.change", is_admin)
