from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import ActionItem, Decision, Review, ReviewNote
from tests.factories import PartnerFactory, member
from tests.reviews.factories import ActionItemFactory, ReviewFactory
from tests.reviews.review_program import fresh, on_its_day, program, with_a_note
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db
ERROR_KEYS = {"detail", "code", "extra"}


@pytest.fixture
def p(tenant):
    return program(tenant)


def _due(days=10):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_the_list_answers_reviews_with_filters(p, api_client_for):
    ReviewFactory(
        cycle=p.review.cycle,
        partner=PartnerFactory(tenant=p.tenant, name="Zephyr"),
        scheduled_for=datetime.now(UTC) - timedelta(days=3),
        state=Review.State.HELD,
    )
    client = api_client_for(p.executive)

    everything = client.get(tenant_url("api_review_list", p.tenant)).json()
    held = client.get(tenant_url("api_review_list", p.tenant), {"state": "held"}).json()
    upcoming = client.get(tenant_url("api_review_list", p.tenant), {"when": "upcoming", "partner": "north"}).json()

    assert everything["count"] == 2
    assert [r["partner_name"] for r in held["results"]] == ["Zephyr"]
    assert [r["partner_name"] for r in upcoming["results"]] == ["Northwind Traders"]


def test_a_bad_filter_answers_400_with_details(p, api_client_for):
    response = api_client_for(p.executive).get(tenant_url("api_review_list", p.tenant), {"state": "finished"})
    assert response.status_code == 400
    assert set(response.json()) == ERROR_KEYS
    assert "state" in response.json()["extra"]["fields"]


def test_the_detail_carries_notes_ratings_decisions_actions_and_allowed_moves(p, api_client_for):
    client = api_client_for(p.moderator)
    client.post(
        tenant_url("api_review_notes", p.tenant, review_id=p.review.pk),
        {"section_key": "performance", "body": "Good Q"},
    )
    client.post(
        tenant_url("api_review_ratings", p.tenant, review_id=p.review.pk), {"prompt_key": "targets", "rating": 4}
    )
    client.post(tenant_url("api_review_decisions", p.tenant, review_id=p.review.pk), {"text": "Co-fund the campaign"})
    client.post(
        tenant_url("api_review_actions", p.tenant, review_id=p.review.pk),
        {"description": "Send plan", "owner": p.partner_user.pk, "due_date": _due()},
    )

    body = client.get(tenant_url("api_review_detail", p.tenant, review_id=p.review.pk)).json()

    assert body["state"] == "scheduled"
    assert body["allowed_moves"] == ["preparing", "held", "cancelled"]
    assert [n["body"] for n in body["notes"]] == ["Good Q"]
    assert body["notes"][0]["visibility"] == "internal"
    assert [(r["prompt_key"], r["rating"], r["section_key"]) for r in body["ratings"]] == [
        ("targets", 4, "performance")
    ]
    assert [d["text"] for d in body["decisions"]] == ["Co-fund the campaign"]
    assert [(a["description"], a["owner"], a["visibility"]) for a in body["actions"]] == [
        ("Send plan", p.partner_user.pk, "shared")
    ]


def test_a_review_moves_through_its_states(p, api_client_for):
    with_a_note(on_its_day(p))
    client = api_client_for(p.moderator)
    for to in ("preparing", "held", "signed_off"):
        response = client.post(tenant_url("api_review_transition", p.tenant, review_id=p.review.pk), {"to": to})
        assert response.status_code == 200, response.json()
    assert response.json()["state"] == "signed_off"
    assert [t["to_state"] for t in response.json()["transitions"]] == ["preparing", "held", "signed_off"]


def test_signing_off_a_review_never_held_answers_400_with_the_message(p, api_client_for):
    response = api_client_for(p.moderator).post(
        tenant_url("api_review_transition", p.tenant, review_id=p.review.pk), {"to": "signed_off"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "never_held"
    assert "never held" in response.json()["detail"]
    assert fresh(p.review).state == "scheduled"


def test_cancelling_without_a_reason_answers_400_naming_the_field(p, api_client_for):
    response = api_client_for(p.moderator).post(
        tenant_url("api_review_transition", p.tenant, review_id=p.review.pk), {"to": "cancelled"}
    )
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {"reason": ["Say why the review is cancelled."]}


def test_an_action_due_in_the_past_answers_400_and_writes_nothing(p, api_client_for):
    response = api_client_for(p.moderator).post(
        tenant_url("api_review_actions", p.tenant, review_id=p.review.pk),
        {"description": "Late", "owner": p.moderator.pk, "due_date": _due(-1)},
    )
    assert response.status_code == 400
    assert "due_date" in response.json()["extra"]["fields"]
    with tenant_context(p.tenant):
        assert not ActionItem.objects.exists()


def test_an_action_owner_from_another_tenant_answers_400_and_writes_nothing(p, other_tenant, api_client_for):
    stranger = member(other_tenant, Role.MANAGER)
    response = api_client_for(p.moderator).post(
        tenant_url("api_review_actions", p.tenant, review_id=p.review.pk),
        {"description": "Leak", "owner": stranger.pk, "due_date": _due()},
    )
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {"owner": ["No member of this program has that id."]}
    with tenant_context(p.tenant):
        assert not ActionItem.objects.exists()


def test_a_note_on_a_signed_off_review_answers_400_and_writes_nothing(p, api_client_for):
    with tenant_context(p.tenant):
        Review.objects.filter(pk=p.review.pk).update(state=Review.State.SIGNED_OFF)
    response = api_client_for(p.moderator).post(
        tenant_url("api_review_notes", p.tenant, review_id=p.review.pk), {"section_key": "performance", "body": "Late"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "review_read_only"
    with tenant_context(p.tenant):
        assert not ReviewNote.objects.exists()


def test_a_decision_with_an_unknown_visibility_answers_400(p, api_client_for):
    response = api_client_for(p.moderator).post(
        tenant_url("api_review_decisions", p.tenant, review_id=p.review.pk), {"text": "x", "visibility": "public"}
    )
    assert response.status_code == 400
    with tenant_context(p.tenant):
        assert not Decision.objects.exists()


def test_an_action_is_patched_status_owner_and_due_date(p, api_client_for):
    action = ActionItemFactory(review=p.review, owner=p.moderator)
    response = api_client_for(p.moderator).patch(
        tenant_url("api_action_update", p.tenant, action_id=action.pk),
        {"status": "done", "owner": p.partner_user.pk, "due_date": _due(30)},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["owner"]) == ("done", p.partner_user.pk)
    assert response.json()["completed_at"] is not None


def test_patching_an_action_to_a_foreign_owner_answers_400(p, other_tenant, api_client_for):
    action = ActionItemFactory(review=p.review, owner=p.moderator)
    stranger = member(other_tenant, Role.MANAGER)
    response = api_client_for(p.admin).patch(
        tenant_url("api_action_update", p.tenant, action_id=action.pk), {"owner": stranger.pk}, format="json"
    )
    assert response.status_code == 400
    with tenant_context(p.tenant):
        assert ActionItem.objects.get(pk=action.pk).owner_id == p.moderator.pk


def test_the_pre_read_endpoint_answers_a_preview_then_the_stored_one(p, api_client_for):
    on_its_day(p)
    client = api_client_for(p.moderator)
    preview = client.get(tenant_url("api_review_preread", p.tenant, review_id=p.review.pk)).json()
    assert (preview["generated"], preview["frozen"]) == (False, False)
    assert preview["preread"]["partner"]["name"] == "Northwind Traders"

    client.post(tenant_url("api_review_transition", p.tenant, review_id=p.review.pk), {"to": "held"})
    stored = client.get(tenant_url("api_review_preread", p.tenant, review_id=p.review.pk)).json()
    assert (stored["generated"], stored["frozen"]) == (True, True)


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("api_review_transition", "post", {"to": "held"}),
        ("api_review_notes", "post", {"section_key": "performance", "body": "x"}),
        ("api_review_decisions", "post", {"text": "x"}),
    ],
)
def test_an_executive_reads_but_may_not_write(p, name, method, data, api_client_for):
    response = getattr(api_client_for(p.executive), method)(tenant_url(name, p.tenant, review_id=p.review.pk), data)
    assert response.status_code == 403


def test_a_manager_of_another_partner_may_not_write_on_this_review(p, api_client_for):
    response = api_client_for(p.other_manager).post(
        tenant_url("api_review_notes", p.tenant, review_id=p.review.pk), {"section_key": "performance", "body": "x"}
    )
    assert response.status_code == 403
    with tenant_context(p.tenant):
        assert not ReviewNote.objects.exists()


def test_a_partner_user_gets_nothing_from_the_internal_review_api(p, api_client_for):
    client = api_client_for(p.partner_user)
    assert client.get(tenant_url("api_review_list", p.tenant)).status_code == 403
    assert client.get(tenant_url("api_review_detail", p.tenant, review_id=p.review.pk)).status_code == 403


def test_another_tenants_review_is_a_404(p, other_tenant, api_client_for):
    theirs = program(other_tenant)
    response = api_client_for(p.admin).get(tenant_url("api_review_detail", p.tenant, review_id=theirs.review.pk))
    assert response.status_code == 404


def test_the_list_reads_the_same_number_of_queries_for_5_or_30_reviews(tenant, other_tenant, api_client_for):
    counts = []
    for t, n in ((tenant, 5), (other_tenant, 30)):
        q = program(t)
        for _ in range(n - 1):
            ReviewFactory(cycle=q.review.cycle, partner=PartnerFactory(tenant=t), moderator=q.moderator)
        with CaptureQueriesContext(connection) as captured:
            assert api_client_for(q.executive).get(tenant_url("api_review_list", q.tenant)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
