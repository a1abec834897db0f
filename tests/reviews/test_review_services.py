from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from partnerhub.core.errors import CrossTenantReferenceError, InvalidStateError, PermissionDeniedError
from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.errors import InvalidInputError
from reviews.models import ActionItem, Attendee, PromptRating, ReviewNote
from reviews.services.reviews import (
    action_item_update,
    moves_for,
    review_action_add,
    review_attendee_add,
    review_note_add,
    review_rating_save,
)
from tests.factories import PartnerFactory, member
from tests.reviews.factories import ActionItemFactory
from tests.reviews.review_program import fresh, on_its_day, program

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(tenant):
    return program(tenant)


def _soon(days=7):
    return timezone.localdate() + timedelta(days=days)


def _add_action(p, **kwargs):
    data = {"description": "Send the plan", "owner": p.moderator, "due_date": _soon()}
    with tenant_context(p.tenant):
        return review_action_add(tenant=p.tenant, actor=p.moderator, review=fresh(p.review), **{**data, **kwargs})


# --- notes and ratings ---


def test_a_note_must_name_a_section_of_the_reviews_agenda_or_general(p):
    with tenant_context(p.tenant):
        review_note_add(tenant=p.tenant, actor=p.moderator, review=p.review, section_key="general", body="Aside")
        with pytest.raises(InvalidInputError, match="Choose a section"):
            review_note_add(tenant=p.tenant, actor=p.moderator, review=p.review, section_key="nowhere", body="x")
        assert list(ReviewNote.objects.values_list("section_key", flat=True)) == ["general"]


def test_a_note_with_an_unknown_visibility_is_refused(p):
    with tenant_context(p.tenant), pytest.raises(InvalidInputError, match="shared or internal"):
        review_note_add(
            tenant=p.tenant, actor=p.moderator, review=p.review, section_key="general", body="x", visibility="public"
        )


@pytest.mark.parametrize("rating", [0, 6, True])
def test_a_rating_is_1_to_5(p, rating):
    with tenant_context(p.tenant), pytest.raises(InvalidInputError, match="Rate from 1 to 5"):
        review_rating_save(tenant=p.tenant, actor=p.moderator, review=p.review, prompt_key="targets", rating=rating)


def test_rating_a_prompt_twice_keeps_one_answer(p):
    with tenant_context(p.tenant):
        review_rating_save(tenant=p.tenant, actor=p.moderator, review=p.review, prompt_key="responsiveness", rating=2)
        review_rating_save(tenant=p.tenant, actor=p.admin, review=p.review, prompt_key="responsiveness", rating=5)
        rating = PromptRating.objects.get()
    assert (rating.rating, rating.author_id, rating.section_key) == (5, p.admin.pk, "collaboration")


# --- attendees ---


def test_a_partner_user_of_another_partner_may_not_attend(p):
    elsewhere = member(p.tenant, Role.PARTNER, partner=PartnerFactory(tenant=p.tenant))
    with tenant_context(p.tenant), pytest.raises(InvalidInputError, match="their own company"):
        review_attendee_add(tenant=p.tenant, actor=p.moderator, review=p.review, membership=elsewhere)


def test_a_member_attends_once_and_their_side_follows_their_role(p):
    with tenant_context(p.tenant):
        internal = review_attendee_add(tenant=p.tenant, actor=p.moderator, review=p.review, membership=p.executive)
        partner = review_attendee_add(tenant=p.tenant, actor=p.moderator, review=p.review, membership=p.partner_user)
        with pytest.raises(InvalidInputError, match="already attends"):
            review_attendee_add(tenant=p.tenant, actor=p.moderator, review=p.review, membership=p.executive)
        assert Attendee.objects.count() == 2
    assert (internal.side, partner.side) == ("internal", "partner")


def test_a_member_of_another_tenant_may_not_attend(p, other_tenant):
    stranger = member(other_tenant, Role.MANAGER)
    with tenant_context(p.tenant), pytest.raises(CrossTenantReferenceError):
        review_attendee_add(tenant=p.tenant, actor=p.moderator, review=p.review, membership=stranger)


# --- action items ---


def test_an_action_is_created_for_the_reviews_partner(p):
    action = _add_action(p, owner=p.partner_user, visibility="internal")
    assert (action.partner_id, action.owner_id, action.visibility, action.status) == (
        p.partner.pk,
        p.partner_user.pk,
        "internal",
        "open",
    )


def test_an_action_due_today_is_fine_and_due_yesterday_is_refused(p):
    assert _add_action(p, due_date=timezone.localdate()).pk
    with pytest.raises(InvalidInputError, match="in the past") as refused:
        _add_action(p, due_date=_soon(-1))
    assert "due_date" in refused.value.extra["fields"]


@pytest.mark.parametrize("who", ["owner_missing", "inactive", "other_partner_user"])
def test_an_action_owner_must_be_an_active_member_internal_or_of_this_partner(p, who):
    owner = {
        "owner_missing": None,
        "inactive": member(p.tenant, Role.MANAGER, is_active=False),
        "other_partner_user": member(p.tenant, Role.PARTNER, partner=PartnerFactory(tenant=p.tenant)),
    }[who]
    with pytest.raises(InvalidInputError):
        _add_action(p, owner=owner)
    with tenant_context(p.tenant):
        assert not ActionItem.objects.exists()


def test_an_action_owner_from_another_tenant_is_refused(p, other_tenant):
    with pytest.raises(CrossTenantReferenceError):
        _add_action(p, owner=member(other_tenant, Role.MANAGER))


def test_a_review_of_another_tenant_is_refused_before_anything_else(p, other_tenant):
    theirs = program(other_tenant)
    with tenant_context(p.tenant), pytest.raises(CrossTenantReferenceError):
        review_note_add(tenant=p.tenant, actor=p.admin, review=theirs.review, section_key="general", body="x")


def test_marking_an_action_done_stamps_it_and_reopening_clears_the_stamp(p):
    action = ActionItemFactory(review=p.review, owner=p.moderator)
    with tenant_context(p.tenant):
        done = action_item_update(tenant=p.tenant, actor=p.moderator, action=action, status="done")
        assert done.completed_at is not None
        reopened = action_item_update(tenant=p.tenant, actor=p.moderator, action=action, status="open")
    assert reopened.completed_at is None


def test_the_internal_owner_of_an_action_may_update_it_though_not_running_the_review(p):
    action = ActionItemFactory(review=p.review, owner=p.other_manager)
    with tenant_context(p.tenant):
        updated = action_item_update(tenant=p.tenant, actor=p.other_manager, action=action, status="in_progress")
    assert updated.status == "in_progress"


@pytest.mark.parametrize("who", ["other_manager", "executive", "partner_user"])
def test_others_may_not_update_an_action_from_the_internal_side(p, who):
    action = ActionItemFactory(review=p.review, owner=p.moderator)
    with tenant_context(p.tenant), pytest.raises(PermissionDeniedError):
        action_item_update(tenant=p.tenant, actor=getattr(p, who), action=action, status="done")


def test_re_planning_an_action_into_the_past_is_refused(p):
    action = ActionItemFactory(review=p.review, owner=p.moderator)
    with tenant_context(p.tenant), pytest.raises(InvalidInputError, match="in the past"):
        action_item_update(tenant=p.tenant, actor=p.moderator, action=action, due_date=_soon(-3))


def test_the_buttons_offered_follow_the_actor_and_the_state(p):
    on_its_day(p)
    assert moves_for(p.moderator, p.review) == ["preparing", "held", "cancelled"]
    assert moves_for(p.executive, p.review) == []
    assert moves_for(p.other_manager, p.review) == []


def test_an_unknown_action_status_is_refused(p):
    action = ActionItemFactory(review=p.review, owner=p.moderator)
    with tenant_context(p.tenant), pytest.raises(InvalidInputError):
        action_item_update(tenant=p.tenant, actor=p.moderator, action=action, status="finished")


def test_a_cancelled_reviews_actions_cannot_be_reworded(p):
    action = ActionItemFactory(review=p.review, owner=p.moderator)
    with tenant_context(p.tenant):
        from reviews.models import Review

        Review.objects.filter(pk=p.review.pk).update(state=Review.State.CANCELLED)
        with pytest.raises(InvalidStateError):
            action_item_update(tenant=p.tenant, actor=p.moderator, action=action, visibility="internal")
