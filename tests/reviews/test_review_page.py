from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import ActionItem, Attendee, Decision, PromptRating, Review, ReviewNote, SelfAssessment
from tests.factories import PartnerFactory, member
from tests.reviews.factories import ActionItemFactory, ReviewFactory
from tests.reviews.review_program import fresh, on_its_day, program
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(tenant):
    return program(tenant)


def _as(client, membership):
    client.force_login(membership.user)
    return client


def _close(p):
    with tenant_context(p.tenant):
        Review.objects.filter(pk=p.review.pk).update(state=Review.State.SIGNED_OFF)


# --- the review page ---


def test_the_review_page_shows_header_agenda_and_the_forms_to_its_manager(client, p):
    on_its_day(p)
    body = _as(client, p.moderator).get(tenant_url("review_detail", p.tenant, review_id=p.review.pk)).content.decode()

    assert "Northwind Traders · Quarterly business review" in body
    assert "Performance results" in body
    assert "Collaboration health" in body
    assert "How responsive was the partner to escalations this quarter?" in body
    for button in ("Start preparing", "Mark as held", "Cancel this review"):
        assert button in body
    for form in ("Add a note", "Rate this", "Log a decision", "Add an action item", "Add an attendee"):
        assert form in body


def test_an_executive_reads_the_page_without_any_form(client, p):
    response = _as(client, p.executive).get(tenant_url("review_detail", p.tenant, review_id=p.review.pk))
    body = response.content.decode()
    assert response.status_code == 200
    for form in ("Add a note", "Rate this", "Log a decision", "Add an action item", "Mark as held"):
        assert form not in body


def test_a_partner_user_may_not_open_the_internal_review_page(client, p):
    response = _as(client, p.partner_user).get(tenant_url("review_detail", p.tenant, review_id=p.review.pk))
    assert response.status_code == 403


def test_a_signed_off_review_page_is_read_only(client, p):
    _close(p)
    body = _as(client, p.moderator).get(tenant_url("review_detail", p.tenant, review_id=p.review.pk)).content.decode()
    assert "it is read-only" in body
    assert "Add a note" not in body
    assert "Mark as held" not in body


def test_internal_notes_carry_a_visible_internal_badge_and_shared_ones_say_shared(client, p):
    with tenant_context(p.tenant):
        ReviewNote.objects.create(
            tenant=p.tenant, review=p.review, section_key="performance", body="Coaching point", visibility="internal"
        )
        ReviewNote.objects.create(
            tenant=p.tenant, review=p.review, section_key="performance", body="Agreed target", visibility="shared"
        )
    body = _as(client, p.moderator).get(tenant_url("review_detail", p.tenant, review_id=p.review.pk)).content.decode()
    internal = body.index("Coaching point")
    assert '<span class="badge badge-internal">Internal</span>' in body[internal - 400 : internal]
    shared = body.index("Agreed target")
    assert "Shared with the partner" in body[shared - 400 : shared]


def test_the_partners_self_assessment_shows_when_submitted(client, p):
    with tenant_context(p.tenant):
        SelfAssessment.objects.create(
            tenant=p.tenant,
            review=p.review,
            partner=p.partner,
            wins="Closed the Acme deal",
            needs="More demo licences",
            submitted_at=timezone.now(),
        )
    body = _as(client, p.moderator).get(tenant_url("review_detail", p.tenant, review_id=p.review.pk)).content.decode()
    assert "Closed the Acme deal" in body
    assert "More demo licences" in body


# --- writes through the page ---


def test_adding_a_note_redirects_to_its_section(client, p):
    response = _as(client, p.moderator).post(
        tenant_url("review_note_add", p.tenant, review_id=p.review.pk),
        {"section_key": "collaboration", "body": "Escalations answered within a day", "visibility": "shared"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#section-collaboration")
    with tenant_context(p.tenant):
        note = ReviewNote.objects.get()
    assert (note.section_key, note.visibility, note.author_id) == ("collaboration", "shared", p.moderator.pk)


def test_an_empty_note_answers_400_and_writes_nothing(client, p):
    response = _as(client, p.moderator).post(
        tenant_url("review_note_add", p.tenant, review_id=p.review.pk),
        {"section_key": "performance", "body": "", "visibility": "internal"},
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    with tenant_context(p.tenant):
        assert not ReviewNote.objects.exists()


def test_a_note_on_a_signed_off_review_is_refused_clearly_and_nothing_is_written(client, p):
    _close(p)
    response = _as(client, p.moderator).post(
        tenant_url("review_note_add", p.tenant, review_id=p.review.pk),
        {"section_key": "performance", "body": "Too late", "visibility": "internal"},
    )
    assert response.status_code == 400
    assert "This review is signed off: it is read-only" in response.content.decode()
    with tenant_context(p.tenant):
        assert not ReviewNote.objects.exists()


def test_a_rating_is_saved_then_replaced(client, p):
    url = tenant_url("review_rating_save", p.tenant, review_id=p.review.pk)
    _as(client, p.moderator).post(
        url, {"prompt_key": "targets", "rating": "2", "comment": "Short", "visibility": "internal"}
    )
    client.post(url, {"prompt_key": "targets", "rating": "4", "comment": "Better", "visibility": "shared"})
    with tenant_context(p.tenant):
        rating = PromptRating.objects.get()
    assert (rating.rating, rating.comment, rating.visibility, rating.section_key) == (
        4,
        "Better",
        "shared",
        "performance",
    )


@pytest.mark.parametrize("bad", [{"rating": "6"}, {"rating": "0"}, {"prompt_key": "not-on-the-agenda"}])
def test_a_rating_outside_1_to_5_or_of_an_unknown_prompt_answers_400(client, p, bad):
    data = {"prompt_key": "targets", "rating": "3", "visibility": "internal", **bad}
    response = _as(client, p.moderator).post(tenant_url("review_rating_save", p.tenant, review_id=p.review.pk), data)
    assert response.status_code == 400
    with tenant_context(p.tenant):
        assert not PromptRating.objects.exists()


def test_a_decision_is_logged(client, p):
    response = _as(client, p.moderator).post(
        tenant_url("review_decision_add", p.tenant, review_id=p.review.pk),
        {"text": "Co-fund the Q1 campaign", "visibility": "shared"},
    )
    assert response.status_code == 302
    with tenant_context(p.tenant):
        assert Decision.objects.get().decided_by_id == p.moderator.pk


def _action(p, **overrides):
    data = {
        "description": "Send the joint account plan",
        "owner": p.partner_user.pk,
        "due_date": (timezone.localdate() + timedelta(days=14)).isoformat(),
        "visibility": "shared",
    }
    return {**data, **overrides}


def test_an_action_item_is_added_with_a_partner_user_as_owner(client, p):
    response = _as(client, p.moderator).post(
        tenant_url("review_action_add", p.tenant, review_id=p.review.pk), _action(p)
    )
    assert response.status_code == 302
    with tenant_context(p.tenant):
        action = ActionItem.objects.get()
    assert (action.owner_id, action.partner_id, action.created_by_id) == (
        p.partner_user.pk,
        p.partner.pk,
        p.moderator.pk,
    )


def test_an_action_due_in_the_past_answers_400_with_the_reason_and_writes_nothing(client, p):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = _as(client, p.moderator).post(
        tenant_url("review_action_add", p.tenant, review_id=p.review.pk), _action(p, due_date=yesterday)
    )
    assert response.status_code == 400
    assert "is in the past; choose today or later" in response.content.decode()
    with tenant_context(p.tenant):
        assert not ActionItem.objects.exists()


def test_an_action_owned_by_someone_of_another_tenant_answers_400_and_writes_nothing(client, p, other_tenant):
    stranger = member(other_tenant, Role.MANAGER)
    response = _as(client, p.moderator).post(
        tenant_url("review_action_add", p.tenant, review_id=p.review.pk), _action(p, owner=stranger.pk)
    )
    assert response.status_code == 400
    with tenant_context(p.tenant):
        assert not ActionItem.objects.exists()


def test_an_action_owned_by_a_user_of_another_partner_answers_400(client, p):
    elsewhere = member(p.tenant, Role.PARTNER, partner=PartnerFactory(tenant=p.tenant))
    response = _as(client, p.moderator).post(
        tenant_url("review_action_add", p.tenant, review_id=p.review.pk), _action(p, owner=elsewhere.pk)
    )
    assert response.status_code == 400
    with tenant_context(p.tenant):
        assert not ActionItem.objects.exists()


def test_an_action_status_is_updated_from_the_review_page(client, p):
    action = ActionItemFactory(review=p.review, owner=p.moderator)
    client = _as(client, p.moderator)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(tenant_url("action_update", p.tenant, action_id=action.pk), {"status": "done"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/reviews/{p.review.pk}/#actions")
    with tenant_context(p.tenant):
        assert ActionItem.objects.get(pk=action.pk).status == "done"
    # The review is read once, with the action item (then locked by the update): not fetched a second time.
    plain_reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and 'FROM "reviews_review"' in q["sql"]]
    assert [sql for sql in plain_reads if "FOR UPDATE" not in sql] == []


def test_an_action_status_refused_shows_the_review_page_again(client, p):
    action = ActionItemFactory(review=p.review, owner=p.moderator)
    response = _as(client, p.moderator).post(tenant_url("action_update", p.tenant, action_id=action.pk), {})
    assert response.status_code == 400
    assert "Choose a status for the action item." in response.content.decode()
    assert "Northwind Traders" in response.content.decode()


def test_attendees_are_added_and_removed(client, p):
    _as(client, p.moderator).post(
        tenant_url("review_attendee_add", p.tenant, review_id=p.review.pk),
        {"membership": p.partner_user.pk, "function": "sales"},
    )
    client.post(
        tenant_url("review_attendee_add", p.tenant, review_id=p.review.pk),
        {"name": "Chris Contact", "email": "chris@example.test", "function": "product", "side": "partner"},
    )
    with tenant_context(p.tenant):
        user, contact = Attendee.objects.order_by("id")
    assert (user.side, user.function) == ("partner", "sales")
    assert (contact.name, contact.side) == ("Chris Contact", "partner")

    response = client.post(
        tenant_url("review_attendee_remove", p.tenant, review_id=p.review.pk, attendee_id=contact.pk)
    )
    assert response.status_code == 302
    with tenant_context(p.tenant):
        assert list(Attendee.objects.values_list("pk", flat=True)) == [user.pk]


def test_an_attendee_of_another_review_cannot_be_removed_through_this_one(client, p):
    other = ReviewFactory(cycle=p.review.cycle, partner=PartnerFactory(tenant=p.tenant))
    with tenant_context(p.tenant):
        theirs = Attendee.objects.create(tenant=p.tenant, review=other, name="Theirs")
    response = _as(client, p.admin).post(
        tenant_url("review_attendee_remove", p.tenant, review_id=p.review.pk, attendee_id=theirs.pk)
    )
    assert response.status_code == 404
    with tenant_context(p.tenant):
        assert Attendee.objects.filter(pk=theirs.pk).exists()


def test_an_attendee_without_member_or_name_answers_400(client, p):
    response = _as(client, p.moderator).post(
        tenant_url("review_attendee_add", p.tenant, review_id=p.review.pk), {"function": "sales", "side": "partner"}
    )
    assert response.status_code == 400
    assert "Choose a member, or give the contact&#x27;s name." in response.content.decode()


# --- the list ---


def test_the_list_filters_by_state_kind_moderator_owner_partner_and_time(client, tenant):
    p = program(tenant)  # a QBR in 14 days, moderated by p.moderator
    past = ReviewFactory(
        cycle=p.review.cycle,
        partner=PartnerFactory(tenant=tenant, name="Zephyr Past", owner=p.other_manager),
        moderator=p.other_manager,
        scheduled_for=datetime.now(UTC) - timedelta(days=20),
        state=Review.State.SIGNED_OFF,
    )
    _as(client, p.executive)
    url = tenant_url("review_list", p.tenant)

    def names(**query):
        body = client.get(url, query).content.decode()
        return [n for n in ("Northwind Traders", "Zephyr Past") if n in body]

    assert names() == ["Northwind Traders"]  # with no filter chosen, the list opens on what is coming up
    assert names(when="") == ["Northwind Traders", "Zephyr Past"]
    assert names(state="signed_off") == ["Zephyr Past"]
    assert names(kind="health_check") == []
    assert names(moderator=p.moderator.pk) == ["Northwind Traders"]
    assert names(owner=p.other_manager.pk) == ["Zephyr Past"]
    assert names(partner="zeph") == ["Zephyr Past"]
    assert names(when="upcoming") == ["Northwind Traders"]
    assert names(when="past") == ["Zephyr Past"]
    assert past.pk


# --- bounded queries ---


def _fill(p, n):
    with tenant_context(p.tenant):
        ReviewNote.objects.bulk_create(
            ReviewNote(
                tenant=p.tenant,
                review=p.review,
                section_key="performance" if i % 2 else "collaboration",
                body=f"Note {i}",
                visibility="internal" if i % 3 else "shared",
                author=p.moderator,
            )
            for i in range(n)
        )
        Decision.objects.bulk_create(
            Decision(tenant=p.tenant, review=p.review, text=f"Decision {i}", decided_by=p.moderator) for i in range(n)
        )
        ActionItem.objects.bulk_create(
            ActionItem(
                tenant=p.tenant,
                review=p.review,
                partner=p.partner,
                description=f"Action {i}",
                owner=p.partner_user if i % 2 else p.moderator,
                due_date=date(2026, 12, 1) + timedelta(days=i),
            )
            for i in range(n)
        )
        Attendee.objects.bulk_create(
            Attendee(tenant=p.tenant, review=p.review, name=f"Contact {i}", side="partner") for i in range(n)
        )


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_review_page_reads_the_same_number_of_queries_for_5_or_30_of_everything(client, tenant, other_tenant):
    small, large = program(tenant), program(other_tenant)
    _fill(small, 5)
    _fill(large, 30)
    few = _count(_as(client, small.moderator), tenant_url("review_detail", small.tenant, review_id=small.review.pk))
    many = _count(_as(client, large.moderator), tenant_url("review_detail", large.tenant, review_id=large.review.pk))
    assert few == many
    assert many <= 30


def test_the_review_list_reads_the_same_number_of_queries_for_5_or_30_reviews(client, tenant, other_tenant):
    counts = []
    for t, n in ((tenant, 5), (other_tenant, 30)):
        p = program(t)
        for i in range(n - 1):
            ReviewFactory(
                cycle=p.review.cycle,
                partner=PartnerFactory(tenant=t, owner=p.moderator),
                moderator=p.moderator if i % 2 else p.other_manager,
            )
        counts.append(_count(_as(client, p.executive), tenant_url("review_list", p.tenant)))
    assert counts[0] == counts[1]
    # 20 before the preparation columns; they add the page's partners' health and the head's one overview query.
    assert counts[1] <= 22


def test_the_pre_read_page_reads_a_bounded_number_of_queries(client, tenant, other_tenant):
    counts = []
    for t, n in ((tenant, 5), (other_tenant, 30)):
        p = program(t)
        _fill(p, n)
        with tenant_context(t):
            Review.objects.filter(pk=p.review.pk).update(preread={"summary": ["x"], "risks": [], "recommendations": []})
        counts.append(_count(_as(client, p.moderator), tenant_url("review_preread", p.tenant, review_id=p.review.pk)))
    assert counts[0] == counts[1]
    assert fresh(p.review).preread is not None
