"""Who may do what in the review cadence; added to the program's one rule set."""

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
from reviews.models import ActionItem, Review


@rules.predicate
def runs_review(actor: Membership | None, review: Review | None) -> bool:
    """The review's moderator, or the owner manager of its partner (``review.partner`` should be loaded)."""
    if actor is None or review is None:
        return False
    return review.moderator_id == actor.pk or review.partner.owner_id == actor.pk


@rules.predicate
def moderates(actor: Membership | None, review: Review | None) -> bool:
    return actor is not None and review is not None and review.moderator_id == actor.pk


@rules.predicate
def runs_the_actions_review(actor: Membership | None, action: ActionItem | None) -> bool:
    """Runs the review the action item was agreed in (``action.review.partner`` should be loaded)."""
    return action is not None and runs_review(actor, action.review)


@rules.predicate
def owns_action(actor: Membership | None, action: ActionItem | None) -> bool:
    return actor is not None and action is not None and action.owner_id == actor.pk


# Without an object, a rule answers "may do this to some review".
permissions.add_rule("cadences.view", is_internal)
permissions.add_rule("cadences.change", is_admin)
permissions.add_rule("cycles.generate", is_admin | is_manager)
permissions.add_rule("reviews.view", is_internal)
permissions.add_rule("reviews.manage", is_admin | (is_manager & (runs_review | no_object)))
permissions.add_rule("reviews.sign_off", is_admin | (is_manager & (moderates | no_object)))
permissions.add_rule("calendar.view", is_internal)
permissions.add_rule("portal.reviews", is_partner_user & (of_own_partner | no_object))
# A review's self-assessment and forecast: read by the program's people, and by the partner that wrote them.
permissions.add_rule("reviews.read_partner_input", is_internal | (is_partner_user & (of_own_partner | no_object)))
# Everyone may subscribe to their own reviews in a calendar app (a partner user: their company's).
permissions.add_rule("calendar.subscribe", is_internal | is_partner_user)
# An action item's status (internal side): whoever runs its review, or its owner if that owner is a manager; admins
# always. Executives read and change nothing, even an action they own; partner users use the portal's own rule.
permissions.add_rule(
    "reviews.update_action", is_admin | (is_manager & (runs_the_actions_review | owns_action | no_object))
)
