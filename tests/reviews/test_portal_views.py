from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerhub.core.models import Role
from reviews.models import ActionItem, Review, Visibility
from tests.factories import member
from tests.reviews.factories import ActionItemFactory
from tests.reviews.portal_world import (
    action_status,
    assessment,
    portal,
    qbr,
    shared_and_internal_record,
    upcoming_qbr,
)
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db

NEVER_SHOWN = ["INTERNAL-NOTE", "INTERNAL-RATING", "INTERNAL-DECISION", "INTERNAL-ACTION", "SIBLING"]


@pytest.fixture
def world(tenant):
    return portal(tenant)


# --- visibility ---


def test_a_partner_user_sees_the_shared_record_of_their_review_and_nothing_internal(world, client_for):
    review = qbr(world.tenant, world.partner, state=Review.State.SIGNED_OFF, signed_off_at=timezone.now())
    shared_and_internal_record(review)
    sibling_review = qbr(world.tenant, world.sibling, state=Review.State.SIGNED_OFF)
    shared_and_internal_record(sibling_review, tag="-SIBLING")

    response = client_for(world.partner_user).get(tenant_url("portal_review_detail", world.tenant, review_id=review.pk))

    body = response.content.decode()
    assert response.status_code == 200
    for marker in ("SHARED-NOTE", "SHARED-RATING", "SHARED-DECISION", "SHARED-ACTION"):
        assert marker in body
    assert [m for m in NEVER_SHOWN if m in body] == []
    assert "Performance results" in body
    assert "Collaboration health" in body
    assert "Signed off on" in body


def test_the_pre_read_never_shows_in_the_portal(world, client_for):
    review = qbr(
        world.tenant,
        world.partner,
        state=Review.State.PREPARING,
        preread={"summary": "PREREAD-SUMMARY", "risks": ["PREREAD-RISK-MARKER"]},
    )

    body = (
        client_for(world.partner_user)
        .get(tenant_url("portal_review_detail", world.tenant, review_id=review.pk))
        .content
    )

    assert b"PREREAD-RISK-MARKER" not in body
    assert b"PREREAD-SUMMARY" not in body


def test_another_partners_review_is_a_404(world, client_for):
    sibling_review = qbr(world.tenant, world.sibling)
    shared_and_internal_record(sibling_review, tag="-SIBLING")
    client = client_for(world.partner_user)

    detail = client.get(tenant_url("portal_review_detail", world.tenant, review_id=sibling_review.pk))
    post = client.post(tenant_url("portal_self_assessment", world.tenant, review_id=sibling_review.pk), {"wins": "x"})

    assert (detail.status_code, post.status_code) == (404, 404)
    assert b"SIBLING" not in detail.content


def test_another_tenants_review_is_a_404(world, other_tenant, client_for):
    foreign = qbr(other_tenant, portal_partner_of(other_tenant))

    response = client_for(world.partner_user).get(
        tenant_url("portal_review_detail", world.tenant, review_id=foreign.pk)
    )

    assert response.status_code == 404


def portal_partner_of(tenant):
    from tests.factories import PartnerFactory

    return PartnerFactory(tenant=tenant, name="FOREIGN-CO")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.EXECUTIVE])
def test_internal_users_are_refused_the_portal_pages(world, role, client_for):
    review = qbr(world.tenant, world.partner)
    client = client_for(member(world.tenant, role))

    pages = [
        client.get(tenant_url("portal_review_list", world.tenant)),
        client.get(tenant_url("portal_review_detail", world.tenant, review_id=review.pk)),
        client.get(tenant_url("portal_action_list", world.tenant)),
    ]

    assert [p.status_code for p in pages] == [403, 403, 403]


def test_the_list_shows_upcoming_reviews_with_what_is_due_and_past_ones_with_their_outcome(world, client_for):
    upcoming = upcoming_qbr(world.tenant, world.partner)
    signed = qbr(world.tenant, world.partner, state=Review.State.SIGNED_OFF, signed_off_at=timezone.now())
    cancelled = qbr(world.tenant, world.partner, state=Review.State.CANCELLED, cancel_reason="Partner reorganising")
    qbr(world.tenant, world.sibling)

    response = client_for(world.partner_user).get(tenant_url("portal_review_list", world.tenant))

    body = response.content.decode()
    assert response.status_code == 200
    upcoming_part, past_part = body.split('id="past-title"')
    assert f"/portal/reviews/{upcoming.pk}/" in upcoming_part
    assert "Self-assessment due" in upcoming_part
    assert "Forecast for Q4 2026 due" in upcoming_part
    assert f"/portal/reviews/{signed.pk}/" in past_part
    assert f"/portal/reviews/{cancelled.pk}/" in past_part
    assert "Partner reorganising" in past_part
    assert "SIBLING" not in body


def test_a_submitted_self_assessment_is_listed_as_submitted(world, client_for):
    review = upcoming_qbr(world.tenant, world.partner)
    assessment(review)

    body = client_for(world.partner_user).get(tenant_url("portal_review_list", world.tenant)).content.decode()

    assert "Self-assessment submitted" in body


def test_a_cancelled_review_shows_its_cancellation_and_no_forms(world, client_for):
    review = qbr(
        world.tenant, world.partner, state=Review.State.CANCELLED, cancel_reason="Merged into the H2 deep dive"
    )

    body = (
        client_for(world.partner_user)
        .get(tenant_url("portal_review_detail", world.tenant, review_id=review.pk))
        .content.decode()
    )

    assert "This review was cancelled" in body
    assert "Merged into the H2 deep dive" in body
    assert "Submit self-assessment" not in body
    assert "Submit forecast" not in body


def test_an_upcoming_review_shows_the_forms_and_what_is_due(world, client_for):
    review = upcoming_qbr(world.tenant, world.partner)

    body = (
        client_for(world.partner_user)
        .get(tenant_url("portal_review_detail", world.tenant, review_id=review.pk))
        .content.decode()
    )

    assert "Submit self-assessment" in body
    assert "Submit forecast" in body
    assert "Add another line" in body
    assert "pipeline forecast for Q4 2026" in body


def test_a_health_check_asks_for_no_forecast(world, client_for):
    review = upcoming_qbr(world.tenant, world.partner, asks_forecast=False)

    body = (
        client_for(world.partner_user)
        .get(tenant_url("portal_review_detail", world.tenant, review_id=review.pk))
        .content.decode()
    )

    assert "Submit self-assessment" in body
    assert "forecast" not in body.lower().split("<main", 1)[1].split("self-assessment-title", 1)[0]
    assert 'id="forecast"' not in body


def test_the_portal_home_links_to_the_reviews(world, client_for):
    body = client_for(world.partner_user).get(tenant_url("portal_home", world.tenant)).content.decode()

    assert tenant_url("portal_review_list", world.tenant) in body
    assert "Our reviews" in body


# --- shared action items ---


def test_the_action_page_lists_shared_items_open_first_and_marks_overdue_ones(world, client_for):
    review = qbr(world.tenant, world.partner, state=Review.State.SIGNED_OFF)
    today = timezone.localdate()
    ActionItemFactory(review=review, description="DONE-ITEM", status=ActionItem.Status.DONE, due_date=today)
    ActionItemFactory(review=review, description="LATE-ITEM", due_date=today - timedelta(days=3))
    ActionItemFactory(review=review, description="LATER-ITEM", due_date=today + timedelta(days=20))
    ActionItemFactory(review=review, description="INTERNAL-ACTION", visibility=Visibility.INTERNAL)
    ActionItemFactory(review=qbr(world.tenant, world.sibling), description="SIBLING-ACTION")

    body = client_for(world.partner_user).get(tenant_url("portal_action_list", world.tenant)).content.decode()

    assert body.index("LATE-ITEM") < body.index("LATER-ITEM") < body.index("DONE-ITEM")
    assert "Overdue" in body
    assert 'class="shared-action overdue"' in body
    assert "INTERNAL-ACTION" not in body
    assert "SIBLING-ACTION" not in body


def test_a_partner_user_moves_a_shared_action_item_along(world, client_for):
    review = qbr(world.tenant, world.partner, state=Review.State.SIGNED_OFF)
    item = ActionItemFactory(review=review)

    response = client_for(world.partner_user).post(
        tenant_url("portal_action_update", world.tenant, action_id=item.pk), {"status": "done", "return_to": "review"}
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/portal/reviews/{review.pk}/#actions")
    assert action_status(item.pk, world.tenant) == "done"


@pytest.mark.parametrize("target", ["internal", "sibling"])
def test_updating_an_internal_or_another_partners_action_item_is_a_404(world, target, client_for):
    review = qbr(world.tenant, world.partner if target == "internal" else world.sibling)
    item = ActionItemFactory(review=review, visibility=Visibility.INTERNAL if target == "internal" else "shared")

    response = client_for(world.partner_user).post(
        tenant_url("portal_action_update", world.tenant, action_id=item.pk), {"status": "done"}
    )

    assert response.status_code == 404
    assert action_status(item.pk, world.tenant) == "open"


@pytest.mark.parametrize("status", ["cancelled", "bogus", ""])
def test_a_partner_cannot_set_any_other_status(world, status, client_for):
    item = ActionItemFactory(review=qbr(world.tenant, world.partner))

    response = client_for(world.partner_user).post(
        tenant_url("portal_action_update", world.tenant, action_id=item.pk), {"status": status}
    )

    assert response.status_code == 400
    assert action_status(item.pk, world.tenant) == "open"


def test_a_cancelled_action_item_cannot_be_reopened_by_the_partner(world, client_for):
    item = ActionItemFactory(review=qbr(world.tenant, world.partner), status=ActionItem.Status.CANCELLED)

    response = client_for(world.partner_user).post(
        tenant_url("portal_action_update", world.tenant, action_id=item.pk), {"status": "open"}
    )

    assert response.status_code == 400
    assert action_status(item.pk, world.tenant) == "cancelled"


# --- query counts ---


def _queries(client, address):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _fill(world, review, n, start):
    for i in range(start, start + n):
        shared_and_internal_record_n(review, i)


def shared_and_internal_record_n(review, i):
    from partnerhub.core.tenancy.context import tenant_context
    from reviews.models import Decision, ReviewNote

    with tenant_context(review.tenant):
        ReviewNote.objects.create(
            tenant=review.tenant, review=review, section_key="performance", body=f"n{i}", visibility="shared"
        )
        Decision.objects.create(tenant=review.tenant, review=review, text=f"d{i}", visibility="shared")
    ActionItemFactory(review=review, description=f"a{i}")


def test_the_review_page_reads_as_many_queries_for_30_records_as_for_3(world, client_for):
    from tests.reviews.portal_world import forecast_with_lines

    review = qbr(world.tenant, world.partner, state=Review.State.SIGNED_OFF, signed_off_at=timezone.now())
    assessment(review)
    forecast_with_lines(review, [{"amount": 100, "probability": 50}])
    client = client_for(world.partner_user)
    address = tenant_url("portal_review_detail", world.tenant, review_id=review.pk)
    _fill(world, review, 3, 0)
    _queries(client, address)  # warm-up: first-request caches do not count
    few = _queries(client, address)
    _fill(world, review, 27, 3)
    many = _queries(client, address)

    assert few == many
    assert many <= 22  # 7 of them this page's own: review, notes, ratings, decisions, actions, lines, metric


def test_the_review_list_and_action_list_read_as_many_queries_for_30_items_as_for_3(world, client_for):
    client = client_for(world.partner_user)
    lists = [tenant_url("portal_review_list", world.tenant), tenant_url("portal_action_list", world.tenant)]

    def add(n):
        for _ in range(n):
            review = qbr(world.tenant, world.partner, state=Review.State.HELD)
            assessment(review)
            ActionItemFactory(review=review)

    add(3)
    for address in lists:
        _queries(client, address)
    few = [_queries(client, a) for a in lists]
    add(27)
    many = [_queries(client, a) for a in lists]

    assert few == many
    assert max(many) <= 18


def test_a_status_update_is_in_the_audit_log(world, client_for):
    from partnerhub.core.models import AuditEntry
    from partnerhub.core.tenancy.context import tenant_context

    item = ActionItemFactory(review=qbr(world.tenant, world.partner))

    client_for(world.partner_user).post(
        tenant_url("portal_action_update", world.tenant, action_id=item.pk), {"status": "done"}
    )

    with tenant_context(world.tenant):
        entries = [e.changes_dict for e in AuditEntry.objects.filter(object_pk=str(item.pk), action=1)]
    assert entries[-1]["status"] == ["open", "done"]
