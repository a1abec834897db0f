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

ALLOWED = [
    ("admin", "neither"),
    ("manager", "runs the review"),
    ("manager", "owns the action"),
]
REFUSED = [
    ("manager", "neither"),
    ("executive", "owns the action"),
    ("executive", "neither"),
]
CASES = [(role, relation, True) for role, relation in ALLOWED] + [(role, relation, False) for role, relation in REFUSED]


def _world(tenant, role, relation):
    runner = member(tenant, "manager")
    actor = member(tenant, role)
    partner = PartnerFactory(tenant=tenant, owner=runner)
    review = ReviewFactory(
        cycle__cadence__tenant=tenant, partner=partner, moderator=actor if relation == "runs the review" else runner
    )
    action = ActionItemFactory(review=review, owner=actor if relation == "owns the action" else runner)
    return actor, review, action


def _status(tenant, action):
    with tenant_context(tenant):
        return ActionItem.objects.for_tenant(tenant).get(pk=action.pk).status


@pytest.mark.parametrize(("role", "relation"), ALLOWED)
def test_the_service_lets_an_allowed_member_change_the_status(tenant, role, relation):
    actor, _, action = _world(tenant, role, relation)
    with tenant_context(tenant):
        assert action_item_update(tenant=tenant, actor=actor, action=action, status="done").status == "done"


@pytest.mark.parametrize(("role", "relation"), REFUSED)
def test_the_service_refuses_a_member_the_rule_does_not_allow(tenant, role, relation):
    actor, _, action = _world(tenant, role, relation)
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        action_item_update(tenant=tenant, actor=actor, action=action, status="done")
    assert _status(tenant, action) == "open"


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


def _urls(tenant, action):
    kwargs = {"tenant_slug": tenant.slug, "action_id": action.pk}
    return reverse("action_update", kwargs=kwargs), reverse("api_action_update", kwargs=kwargs)


@pytest.mark.parametrize(("role", "relation"), ALLOWED)
def test_the_page_and_the_api_accept_the_change_of_an_allowed_member(
    tenant, client_for, api_client_for, role, relation
):
    actor, _, action = _world(tenant, role, relation)
    form_url, api_url = _urls(tenant, action)
    page = client_for(actor).post(form_url, {"status": "in_progress"})
    assert page.status_code == 302
    assert _status(tenant, action) == "in_progress"
    response = api_client_for(actor).patch(api_url, {"status": "done"}, format="json")
    assert response.status_code == 200
    assert _status(tenant, action) == "done"


@pytest.mark.parametrize(("role", "relation"), REFUSED)
def test_the_page_and_the_api_refuse_the_change_of_a_member_the_rule_does_not_allow(
    tenant, client_for, api_client_for, role, relation
):
    actor, _, action = _world(tenant, role, relation)
    form_url, api_url = _urls(tenant, action)
    page = client_for(actor).post(form_url, {"status": "in_progress"})
    assert page.status_code == 403
    assert _status(tenant, action) == "open"
    response = api_client_for(actor).patch(api_url, {"status": "done"}, format="json")
    assert response.status_code == 403
    assert _status(tenant, action) == "open"
