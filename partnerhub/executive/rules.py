"""Who may do what in the executive layer; added to the program's one rule set."""

from __future__ import annotations

from partnerhub.core.rules import is_admin, is_executive, is_internal, is_partner_user, permissions

# The dashboard: the program's people (executives land on it; managers and admins reach it from the navigation).
permissions.add_rule("executive.dashboard", is_internal)
# The quarterly memo: read by the program's people, edited and published by admins and executives; partners read
# its partner-facing version (program-level figures only) in the portal.
permissions.add_rule("executive.memo.view", is_internal)
permissions.add_rule("executive.memo.edit", is_admin | is_executive)
permissions.add_rule("executive.memo.portal", is_partner_user)
# The digest: every member reads their own and chooses how often it comes.
permissions.add_rule("executive.digest.read", is_internal | is_partner_user)
# Confidential concerns: any member raises one; the program's admins (and each concern's sender) see it.
permissions.add_rule("executive.concern.raise", is_internal | is_partner_user)
permissions.add_rule("executive.concern.manage", is_admin)
# Feedback on the review process: partner users give it on their company's signed-off reviews; the program's people
# read the review-quality figures.
permissions.add_rule("executive.feedback.give", is_partner_user)
permissions.add_rule("executive.feedback.view", is_internal)
# Change notices: admins write and publish them, the program's people read them, partner users read the ones that
# affect their company in the portal.
permissions.add_rule("executive.changes.view", is_internal)
permissions.add_rule("executive.changes.manage", is_admin)
permissions.add_rule("executive.changes.portal", is_partner_user)
# The framework review: admins run it, executives and managers read and comment, invited partner users comment.
permissions.add_rule("executive.framework.view", is_internal)
permissions.add_rule("executive.framework.manage", is_admin)
permissions.add_rule("executive.framework.portal", is_partner_user)
