from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.errors import InvalidStateError, PermissionDeniedError
from partnerhub.core.models import AuditEntry
from partnerhub.core.tenancy.context import tenant_context
from reviews.errors import InvalidInputError
from reviews.models import ActionItem, Attendee, Decision, PromptRating, Review, ReviewNote, ReviewTransition
from reviews.services.reviews import (
    ALLOWED_MOVES,
    action_item_update,
    moves_for,
    review_action_add,
    review_attendee_add,
    review_decision_add,
    review_note_add,
    review_rating_save,
    review_transition,
)
from tests.reviews.factories import ActionItemFactory
from tests.reviews.review_program import fresh
from tests.reviews.review_program import program as _program

pytestmark = pytest.mark.django_db
S = Review.State
ALL = [S.SCHEDULED, S.PREPARING, S.HELD, S.SIGNED_OFF, S.CANCELLED]
ALLOWED = [(a, b) for a in ALL for b in ALL if b in ALLOWED_MOVES[a]]
REFUSED = [(a, b) for a in ALL for b in ALL if b not in ALLOWED_MOVES[a]]


def program(tenant, **kwargs):
    """A review scheduled an hour ago: today, so it may be marked held."""
    kwargs.setdefault("scheduled_for", timezone.now().replace(microsecond=0) - timedelta(hours=1))
    return _program(tenant, **kwargs)


def _with_a_note(p):
    with tenant_context(p.tenant):
        if not ReviewNote.objects.filter(review=p.review).exists():
            ReviewNote.objects.create(
                tenant=p.tenant, review=p.review, section_key="performance", body="Discussed the pipeline."
            )


def _at(p, state):
    with tenant_context(p.tenant):
        Review.objects.filter(pk=p.review.pk).update(state=state)
    return fresh(p.review)


def _move(p, to, actor=None, reason="Partner asked to move it"):
    if to == S.SIGNED_OFF:
        _with_a_note(p)  # a review is signed off on its record
    with tenant_context(p.tenant):
        return review_transition(
            tenant=p.tenant, actor=actor or p.admin, review=fresh(p.review), to_state=to, reason=reason
        )


def test_the_state_machine_is_exactly_the_documented_one():
    assert ALLOWED == [
        (S.SCHEDULED, S.PREPARING),
        (S.SCHEDULED, S.HELD),
        (S.SCHEDULED, S.CANCELLED),
        (S.PREPARING, S.HELD),
        (S.PREPARING, S.CANCELLED),
        (S.HELD, S.SIGNED_OFF),
    ]


@pytest.mark.parametrize(("start", "to"), ALLOWED)
def test_every_allowed_move_is_made_and_recorded_with_actor_and_reason(tenant, start, to):
    p = program(tenant)
    _at(p, start)

    moved = _move(p, to)

    assert moved.state == to == fresh(p.review).state
    with tenant_context(tenant):
        transition = ReviewTransition.objects.get(review=p.review)
    assert (transition.from_state, transition.to_state, transition.actor_id) == (start, to, p.admin.pk)
    assert transition.reason == "Partner asked to move it"


@pytest.mark.parametrize(("start", "to"), REFUSED)
def test_every_other_move_is_refused_naming_the_current_state_and_the_allowed_moves(tenant, start, to):
    p = program(tenant)
    _at(p, start)

    with pytest.raises(InvalidStateError) as refused:
        _move(p, to)

    message = refused.value.message
    current = str(S(start).label).lower()
    assert current in message
    if start in (S.SIGNED_OFF, S.CANCELLED):
        assert "cannot change any more" in message
    elif to != S.SIGNED_OFF:
        assert all(str(S(m).label).lower() in message for m in ALLOWED_MOVES[start])
    assert fresh(p.review).state == start
    with tenant_context(tenant):
        assert not ReviewTransition.objects.filter(review=p.review).exists()


@pytest.mark.parametrize("start", [S.SCHEDULED, S.PREPARING])
def test_signing_off_a_review_never_held_is_refused_with_its_own_message(tenant, start):
    p = program(tenant)
    _at(p, start)

    with pytest.raises(InvalidStateError) as refused:
        _move(p, S.SIGNED_OFF)

    assert refused.value.code == "never_held"
    assert "never held" in refused.value.message
    assert "Mark it held first" in refused.value.message


def test_an_unknown_state_is_refused(tenant):
    p = program(tenant)
    with pytest.raises(InvalidStateError, match="There is no state 'done'"):
        _move(p, "done")


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_needs_a_reason(tenant, reason):
    p = program(tenant)
    with pytest.raises(InvalidInputError, match="Say why") as refused:
        _move(p, S.CANCELLED, reason=reason)
    assert refused.value.extra["fields"] == {"reason": ["Say why the review is cancelled."]}
    assert fresh(p.review).state == S.SCHEDULED


def test_a_cancelled_review_keeps_its_reason(tenant):
    p = program(tenant)
    _move(p, S.CANCELLED, reason="Partner merged into another")
    assert fresh(p.review).cancel_reason == "Partner merged into another"


def test_holding_a_review_without_a_pre_read_generates_it_and_stamps_held_at(tenant):
    p = program(tenant)
    assert p.review.preread is None

    _move(p, S.HELD)

    review = fresh(p.review)
    assert review.preread is not None
    assert review.preread["partner"]["name"] == "Northwind Traders"
    assert review.held_at is not None


def test_starting_to_prepare_generates_the_pre_read(tenant):
    p = program(tenant)
    _move(p, S.PREPARING)
    assert fresh(p.review).preread_generated_at is not None


def test_signing_off_records_who_and_when(tenant):
    p = program(tenant)
    _move(p, S.HELD, actor=p.moderator)
    _move(p, S.SIGNED_OFF, actor=p.moderator)
    review = fresh(p.review)
    assert review.signed_off_by_id == p.moderator.pk
    assert review.signed_off_at is not None


# --- who may move a review ---


@pytest.mark.parametrize("who", ["admin", "moderator"])
def test_the_admin_and_the_moderator_may_run_and_sign_off_a_review(tenant, who):
    p = program(tenant)
    actor = getattr(p, who)
    _move(p, S.HELD, actor=actor)
    _move(p, S.SIGNED_OFF, actor=actor)
    assert fresh(p.review).state == S.SIGNED_OFF


def test_the_partner_owner_who_does_not_moderate_may_run_but_not_sign_off(tenant):
    p = program(tenant)
    with tenant_context(tenant):
        Review.objects.filter(pk=p.review.pk).update(moderator=p.admin)
    _move(p, S.HELD, actor=p.moderator)  # p.moderator owns the partner
    with pytest.raises(PermissionDeniedError):
        _move(p, S.SIGNED_OFF, actor=p.moderator)
    assert fresh(p.review).state == S.HELD


@pytest.mark.parametrize("who", ["other_manager", "executive", "partner_user"])
@pytest.mark.parametrize("to", [S.PREPARING, S.HELD, S.CANCELLED])
def test_a_manager_of_another_partner_an_executive_and_a_partner_user_may_not_move_it(tenant, who, to):
    p = program(tenant)
    with pytest.raises(PermissionDeniedError):
        _move(p, to, actor=getattr(p, who))
    assert fresh(p.review).state == S.SCHEDULED


@pytest.mark.parametrize("who", ["other_manager", "executive"])
def test_only_the_moderator_or_an_admin_signs_off(tenant, who):
    p = program(tenant)
    _at(p, S.HELD)
    with pytest.raises(PermissionDeniedError):
        _move(p, S.SIGNED_OFF, actor=getattr(p, who))


# --- audit ---


def test_every_move_is_audited_with_the_acting_user_and_the_state_change(tenant):
    p = program(tenant)
    _move(p, S.HELD, actor=p.moderator)
    _move(p, S.SIGNED_OFF, actor=p.moderator)

    with tenant_context(tenant):
        entries = list(
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Review),
                object_id=p.review.pk,
                action=AuditEntry.Action.UPDATE,
            ).order_by("timestamp", "id")
        )
    state_changes = [e.changes["state"] for e in entries if "state" in (e.changes or {})]
    assert state_changes == [["scheduled", "held"], ["held", "signed_off"]]
    assert {e.actor_id for e in entries if "state" in (e.changes or {})} == {p.moderator.user_id}


# --- read-only once signed off or cancelled ---


def _signed_off(p):
    _move(p, S.HELD)
    _move(p, S.SIGNED_OFF)
    return fresh(p.review)


def _cancelled(p):
    _move(p, S.CANCELLED)
    return fresh(p.review)


WRITES = {
    "note": lambda p, r: review_note_add(
        tenant=p.tenant, actor=p.admin, review=r, section_key="performance", body="Late note"
    ),
    "rating": lambda p, r: review_rating_save(tenant=p.tenant, actor=p.admin, review=r, prompt_key="targets", rating=3),
    "decision": lambda p, r: review_decision_add(tenant=p.tenant, actor=p.admin, review=r, text="Late decision"),
    "action": lambda p, r: review_action_add(
        tenant=p.tenant,
        actor=p.admin,
        review=r,
        description="Late action",
        owner=p.moderator,
        due_date=timezone.localdate() + timedelta(days=5),
    ),
    "attendee": lambda p, r: review_attendee_add(tenant=p.tenant, actor=p.admin, review=r, membership=p.executive),
}


@pytest.mark.parametrize("close", [_signed_off, _cancelled], ids=["signed_off", "cancelled"])
@pytest.mark.parametrize("write", list(WRITES))
def test_a_signed_off_or_cancelled_review_is_read_only(tenant, close, write):
    p = program(tenant)
    review = close(p)
    models = (ReviewNote, PromptRating, Decision, ActionItem, Attendee)
    with tenant_context(tenant):
        before = [m.objects.count() for m in models]  # a signed-off review carries the note it was signed off on

    with tenant_context(tenant), pytest.raises(InvalidStateError, match="read-only") as refused:
        WRITES[write](p, review)

    assert refused.value.code == "review_read_only"
    with tenant_context(tenant):
        assert [m.objects.count() for m in models] == before


def test_an_action_item_of_a_signed_off_review_can_still_be_marked_done_but_not_reworded(tenant):
    p = program(tenant)
    action = ActionItemFactory(review=p.review, owner=p.moderator)
    _signed_off(p)

    with tenant_context(tenant):
        done = action_item_update(tenant=tenant, actor=p.moderator, action=action, status=ActionItem.Status.DONE)
        assert done.completed_at is not None
        with pytest.raises(InvalidStateError, match="read-only"):
            action_item_update(tenant=tenant, actor=p.moderator, action=action, description="Reworded")
        assert ActionItem.objects.get(pk=action.pk).description == action.description


# --- through the page ---


def test_the_page_refuses_an_invalid_move_with_the_message_and_a_400(client_for, tenant):
    p = program(tenant)
    url = reverse("review_transition", kwargs={"tenant_slug": tenant.slug, "review_id": p.review.pk})

    response = client_for(p.moderator).post(url, {"to": "signed_off"})

    assert response.status_code == 400
    assert "never held" in response.content.decode()
    assert fresh(p.review).state == S.SCHEDULED


def test_the_page_moves_a_review_and_shows_the_history(client_for, tenant):
    p = program(tenant)
    url = reverse("review_transition", kwargs={"tenant_slug": tenant.slug, "review_id": p.review.pk})

    response = client_for(p.moderator).post(url, {"to": "held"}, follow=True)

    assert response.status_code == 200
    assert fresh(p.review).state == S.HELD
    body = response.content.decode()
    assert "The review is now held." in body
    assert "Sign off" in body


def test_the_page_refuses_a_cancel_without_reason_with_a_400(client_for, tenant):
    p = program(tenant)
    url = reverse("review_transition", kwargs={"tenant_slug": tenant.slug, "review_id": p.review.pk})
    response = client_for(p.moderator).post(url, {"to": "cancelled", "reason": ""})
    assert response.status_code == 400
    assert "Say why the review is cancelled." in response.content.decode()


@pytest.mark.parametrize("who", ["executive", "other_manager"])
def test_the_page_refuses_a_move_by_someone_who_does_not_run_the_review(client_for, tenant, who):
    p = program(tenant)
    url = reverse("review_transition", kwargs={"tenant_slug": tenant.slug, "review_id": p.review.pk})
    response = client_for(getattr(p, who)).post(url, {"to": "held"})
    assert response.status_code == 403
    assert fresh(p.review).state == S.SCHEDULED


def test_a_review_cannot_be_marked_held_before_its_day_and_is_not_offered_so(tenant):
    p = program(tenant, scheduled_for=timezone.now() + timedelta(days=2))
    assert S.HELD not in moves_for(p.moderator, fresh(p.review))
    with pytest.raises(InvalidStateError) as raised:
        _move(p, S.HELD)
    assert raised.value.code == "held_too_early"
    assert "can be marked held from that day on" in raised.value.message
    assert fresh(p.review).state == S.SCHEDULED
    with tenant_context(tenant):
        assert not ReviewTransition.objects.filter(review=p.review).exists()


def test_a_review_on_its_day_may_be_held(tenant):
    p = program(tenant)
    assert S.HELD in moves_for(p.moderator, fresh(p.review))
    assert _move(p, S.HELD).state == S.HELD


def test_a_review_with_an_empty_record_cannot_be_signed_off(tenant):
    p = program(tenant)
    _at(p, S.HELD)
    with tenant_context(tenant), pytest.raises(InvalidStateError) as raised:
        review_transition(tenant=tenant, actor=p.admin, review=fresh(p.review), to_state=S.SIGNED_OFF)
    assert raised.value.code == "empty_record"
    assert fresh(p.review).state == S.HELD


@pytest.mark.parametrize("record", ["note", "rating", "decision"])
def test_any_one_note_rating_or_decision_lets_it_be_signed_off(tenant, record):
    p = program(tenant)
    _at(p, S.HELD)
    with tenant_context(tenant):
        review = fresh(p.review)
        if record == "note":
            review_note_add(
                tenant=tenant, actor=p.admin, review=review, section_key="performance", body="Good quarter."
            )
        elif record == "decision":
            review_decision_add(tenant=tenant, actor=p.admin, review=review, text="Co-fund the spring campaign.")
        else:
            review_rating_save(tenant=tenant, actor=p.admin, review=review, prompt_key="targets", rating=3)
        done = review_transition(tenant=tenant, actor=p.admin, review=fresh(p.review), to_state=S.SIGNED_OFF)
    assert done.state == S.SIGNED_OFF
