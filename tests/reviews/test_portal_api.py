from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerhub.core.models import Role
from reviews.models import Review, Visibility
from tests.factories import member
from tests.reviews.factories import ActionItemFactory
from tests.reviews.portal_world import (
    action_status,
    assessment,
    counts,
    forecast_with_lines,
    line,
    portal,
    qbr,
    upcoming_qbr,
)
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant):
    return portal(tenant)


def _lines(*rows):
    return {"lines": [{**line(), **row} for row in rows]}


# --- self-assessment ---


def test_a_partner_user_puts_and_gets_their_self_assessment(world, api_client_for):
    review = upcoming_qbr(world.tenant, world.partner)
    address = tenant_url("api_review_self_assessment", world.tenant, review_id=review.pk)

    put = api_client_for(world.partner_user).put(address, {"wins": "Two new logos", "risks": "Hiring"}, format="json")
    got = api_client_for(world.partner_user).get(address)

    assert put.status_code == 200
    assert got.json() | {"submitted_at": None, "due": None} == {
        "review": review.pk,
        "submitted": True,
        "editable": True,
        "due": None,
        "wins": "Two new logos",
        "lessons": "",
        "needs": "",
        "risks": "Hiring",
        "submitted_at": None,
        "submitted_by": str(world.partner_user.user),
    }


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.EXECUTIVE])
def test_the_programs_people_read_the_self_assessment_but_cannot_write_it(world, role, api_client_for):
    review = upcoming_qbr(world.tenant, world.partner)
    assessment(review, wins="Read by the manager")
    address = tenant_url("api_review_self_assessment", world.tenant, review_id=review.pk)
    client = api_client_for(member(world.tenant, role))

    got, put = client.get(address), client.put(address, {"wins": "Overwritten"}, format="json")

    assert (got.status_code, got.json()["wins"]) == (200, "Read by the manager")
    assert put.status_code == 403


def test_another_partners_self_assessment_is_a_404_for_a_partner_user(world, api_client_for):
    review = upcoming_qbr(world.tenant, world.sibling)
    assessment(review, wins="SIBLING-WIN")
    address = tenant_url("api_review_self_assessment", world.tenant, review_id=review.pk)

    got = api_client_for(world.partner_user).get(address)
    put = api_client_for(world.partner_user).put(address, {"wins": "x"}, format="json")

    assert (got.status_code, put.status_code) == (404, 404)
    assert b"SIBLING-WIN" not in got.content


def test_a_self_assessment_put_after_the_review_was_held_is_a_400(world, api_client_for):
    review = qbr(world.tenant, world.partner, state=Review.State.HELD)

    response = api_client_for(world.partner_user).put(
        tenant_url("api_review_self_assessment", world.tenant, review_id=review.pk), {"wins": "Late"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "review_locked"
    assert counts(world.tenant)[0] == 0


# --- forecast ---


def test_a_partner_user_puts_and_gets_the_forecast(world, api_client_for):
    review = upcoming_qbr(world.tenant, world.partner)
    address = tenant_url("api_review_forecast", world.tenant, review_id=review.pk)

    put = api_client_for(world.partner_user).put(
        address, _lines({"opportunity": "Acme", "probability": 80}), format="json"
    )
    got = api_client_for(world.manager).get(address).json()

    assert put.status_code == 200
    assert (got["quarter"], got["quarter_start"], got["submitted"], got["editable"]) == (
        "Q4 2026",
        "2026-10-01",
        True,
        True,
    )
    assert [(x["opportunity"], x["probability"], x["weighted"], x["won"]) for x in got["lines"]] == [
        ("Acme", 80, "40000.00", None)
    ]
    assert got["accuracy"] is None


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"probability": 101}, "probability"),
        ({"probability": -1}, "probability"),
        ({"amount": "-1"}, "amount"),
        ({"expected_close": "not a date"}, "expected_close"),
    ],
)
def test_a_bad_line_is_a_400_with_details_and_nothing_is_written(world, row, field, api_client_for):
    review = upcoming_qbr(world.tenant, world.partner)

    response = api_client_for(world.partner_user).put(
        tenant_url("api_review_forecast", world.tenant, review_id=review.pk), _lines({}, row), format="json"
    )

    body = response.json()
    assert response.status_code == 400
    assert field in body["extra"]["fields"]["lines"]["1"]
    assert counts(world.tenant)[1:] == (0, 0)


def test_a_close_date_before_the_quarter_is_a_400_naming_the_line(world, api_client_for):
    review = upcoming_qbr(world.tenant, world.partner)

    response = api_client_for(world.partner_user).put(
        tenant_url("api_review_forecast", world.tenant, review_id=review.pk),
        _lines({}, {"expected_close": "2026-09-30"}),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "forecast_invalid"
    assert "1 Oct 2026" in response.json()["extra"]["lines"]["1"]["expected_close"][0]
    assert counts(world.tenant)[1:] == (0, 0)


def test_the_forecast_of_a_review_without_one_answers_empty_for_the_program(world, api_client_for):
    review = qbr(world.tenant, world.sibling, asks_forecast=False)

    got = api_client_for(world.manager).get(tenant_url("api_review_forecast", world.tenant, review_id=review.pk))

    assert got.status_code == 200
    assert (got.json()["asks_forecast"], got.json()["submitted"], got.json()["lines"]) == (False, False, [])


def test_a_scored_forecast_carries_its_accuracy(world, api_client_for):
    review = qbr(world.tenant, world.partner, state=Review.State.SIGNED_OFF)
    forecast = forecast_with_lines(review, [{"amount": 100, "probability": 50}])
    from partnerhub.core.tenancy.context import tenant_context

    with tenant_context(world.tenant):
        forecast.forecast_amount, forecast.actual_amount, forecast.accuracy = 50, 100, 50
        forecast.wape, forecast.brier, forecast.scored_at = 1, "0.25", timezone.now()
        forecast.save()

    got = (
        api_client_for(world.partner_user)
        .get(tenant_url("api_review_forecast", world.tenant, review_id=review.pk))
        .json()
    )

    assert got["accuracy"]["accuracy"] == "50.00"
    assert got["editable"] is False


def test_another_partners_forecast_is_a_404_for_a_partner_user(world, api_client_for):
    review = upcoming_qbr(world.tenant, world.sibling)
    address = tenant_url("api_review_forecast", world.tenant, review_id=review.pk)

    got = api_client_for(world.partner_user).get(address)
    put = api_client_for(world.partner_user).put(address, _lines({}), format="json")

    assert (got.status_code, put.status_code) == (404, 404)
    assert counts(world.tenant)[1:] == (0, 0)


# --- shared action items ---


def test_the_action_list_has_only_the_partners_shared_items_open_first(world, api_client_for):
    review = qbr(world.tenant, world.partner, state=Review.State.SIGNED_OFF)
    today = timezone.localdate()
    ActionItemFactory(review=review, description="Closed", status="done", due_date=today - timedelta(days=9))
    late = ActionItemFactory(review=review, description="Late", due_date=today - timedelta(days=1))
    ActionItemFactory(review=review, description="INTERNAL", visibility=Visibility.INTERNAL)
    ActionItemFactory(review=qbr(world.tenant, world.sibling), description="SIBLING")

    response = api_client_for(world.partner_user).get(tenant_url("api_portal_action_list", world.tenant))

    results = response.json()["results"]
    assert [(r["description"], r["is_overdue"]) for r in results] == [("Late", True), ("Closed", False)]
    assert results[0]["id"] == late.pk


def test_a_partner_user_patches_the_status_of_a_shared_item(world, api_client_for):
    item = ActionItemFactory(review=qbr(world.tenant, world.partner))

    response = api_client_for(world.partner_user).patch(
        tenant_url("api_portal_action", world.tenant, action_id=item.pk), {"status": "in_progress"}, format="json"
    )

    assert (response.status_code, response.json()["status"]) == (200, "in_progress")
    assert action_status(item.pk, world.tenant) == "in_progress"


@pytest.mark.parametrize("target", ["internal", "sibling"])
def test_patching_an_internal_or_another_partners_item_is_a_404(world, target, api_client_for):
    review = qbr(world.tenant, world.partner if target == "internal" else world.sibling)
    item = ActionItemFactory(review=review, visibility="internal" if target == "internal" else "shared")

    response = api_client_for(world.partner_user).patch(
        tenant_url("api_portal_action", world.tenant, action_id=item.pk), {"status": "done"}, format="json"
    )

    assert response.status_code == 404
    assert action_status(item.pk, world.tenant) == "open"


def test_an_unknown_status_is_a_400(world, api_client_for):
    item = ActionItemFactory(review=qbr(world.tenant, world.partner))

    response = api_client_for(world.partner_user).patch(
        tenant_url("api_portal_action", world.tenant, action_id=item.pk), {"status": "cancelled"}, format="json"
    )

    assert response.status_code == 400
    assert action_status(item.pk, world.tenant) == "open"


def test_internal_users_have_no_portal_action_endpoints(world, api_client_for):
    item = ActionItemFactory(review=qbr(world.tenant, world.partner))
    client = api_client_for(world.manager)

    listed = client.get(tenant_url("api_portal_action_list", world.tenant))
    patched = client.patch(
        tenant_url("api_portal_action", world.tenant, action_id=item.pk), {"status": "done"}, format="json"
    )

    assert (listed.status_code, patched.status_code) == (403, 403)


# --- query counts ---


def _api_queries(client, address):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_action_list_reads_as_many_queries_for_30_items_as_for_3(world, api_client_for):
    review = qbr(world.tenant, world.partner, state=Review.State.SIGNED_OFF)
    client = api_client_for(world.partner_user)
    address = tenant_url("api_portal_action_list", world.tenant)
    ActionItemFactory.create_batch(3, review=review)
    _api_queries(client, address)  # warm-up: first-request caches do not count
    few = _api_queries(client, address)
    ActionItemFactory.create_batch(27, review=review)

    assert _api_queries(client, address) == few


def test_the_forecast_reads_as_many_queries_for_30_lines_as_for_3(world, api_client_for):
    small, large = (qbr(world.tenant, world.partner, state=Review.State.SIGNED_OFF) for _ in range(2))
    forecast_with_lines(small, [{"amount": 10, "probability": 10}] * 3)
    forecast_with_lines(large, [{"amount": 10, "probability": 10}] * 30)
    client = api_client_for(world.manager)
    _api_queries(client, tenant_url("api_review_forecast", world.tenant, review_id=small.pk))  # warm-up

    few = _api_queries(client, tenant_url("api_review_forecast", world.tenant, review_id=small.pk))
    many = _api_queries(client, tenant_url("api_review_forecast", world.tenant, review_id=large.pk))

    assert few == many
