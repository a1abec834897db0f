"""Who may change an action item's status: one rule (reviews.update_action), the same in service, page and API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partnerhub.core.errors import PermissionDeniedError
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import ActionItem
from reviews.services.reviews import action_item_update
from tests.factories import PartnerFactory, member
from tests.reviews.factories import ActionItemFactory, ReviewFactory

pytestmark = pytest.mark.django_db

CASES = [
    ("admin", "neither", True),
    ("manager", "runs the review", True),
    ("manager", "owns the action", True),
    ("manager", "neither", False),
    ("executive", "owns the action", False),
    ("executive", "neither", False),
]


def _world(tenant, role, relation):
    runner = member(tenant, "manager")
    actor = member(tenant, role)
    partner = PartnerFactory(tenant=tenant, owner=runner)
    review = ReviewFactory(
        cycle__cadence__tenant=tenant, partner=partner, moderator=actor if relation == "runs the review" else runner
    )
    action = ActionItemFactory(review=review, owner=actor if relation == "owns the action" else runner)
    return actor, review, action


@pytest.mark.parametrize(("role", "relation", "allowed"), CASES)
def test_the_service_applies_the_rule(tenant, role, relation, allowed):
    actor, _, action = _world(tenant, role, relation)
    with tenant_context(tenant):
        if allowed:
            assert action_item_update(tenant=tenant, actor=actor, action=action, status="done").status == "done"
        else:
            with pytest.raises(PermissionDeniedError):
                action_item_update(tenant=tenant, actor=actor, action=action, status="done")
            assert ActionItem.objects.for_tenant(tenant).get(pk=action.pk).status == "open"


@pytest.mark.parametrize(("role", "relation", "allowed"), CASES)
def test_the_review_page_offers_the_status_form_exactly_when_the_rule_allows(
    tenant, client_for, role, relation, allowed
):
    actor, review, action = _world(tenant, role, relation)
    client = client_for(actor)
    page = client.get(reverse("review_detail", kwargs={"tenant_slug": tenant.slug, "review_id": review.pk}))
    form_url = reverse("action_update", kwargs={"tenant_slug": tenant.slug, "action_id": action.pk})
    assert page.status_code == 200
    assert (form_url in page.content.decode()) is allowed


@pytest.mark.parametrize(("role", "relation", "allowed"), CASES)
def test_the_page_and_the_api_accept_the_change_exactly_when_the_rule_allows(
    tenant, client_for, api_client_for, role, relation, allowed
):
    actor, _, action = _world(tenant, role, relation)
    client = client_for(actor)
    form_url = reverse("action_update", kwargs={"tenant_slug": tenant.slug, "action_id": action.pk})
    client.post(form_url, {"status": "in_progress"})
    api = api_client_for(actor)
    api_url = reverse("api_action_update", kwargs={"tenant_slug": tenant.slug, "action_id": action.pk})
    response = api.patch(api_url, {"status": "done"}, format="json")
    with tenant_context(tenant):
        status = ActionItem.objects.for_tenant(tenant).get(pk=action.pk).status
    assert (response.status_code, status) == ((200, "done") if allowed else (403, "open"))
