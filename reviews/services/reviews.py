"""Writes of a review's life: its state machine, and what is recorded around it (attendees, notes, ratings,
decisions, action items).

States: scheduled -> preparing -> held -> signed off; scheduled -> held directly; scheduled or preparing ->
cancelled (with a reason). Every move is permission-checked (``reviews.manage``; ``reviews.sign_off`` to sign off),
recorded as a ``ReviewTransition`` and audited (auditlog, with the acting user). A signed-off or cancelled review is
read-only: every write below refuses it, except updating the status of an action item, which outlives its review
(that is how follow-through is tracked).

``review_schedule`` adds one review by hand (an extra deep dive...), outside cycle generation, under the same rules.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from auditlog.context import set_actor
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from partnerhub.core.domain.periods import period_label
from partnerhub.core.errors import CrossTenantReferenceError, InvalidStateError
from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.rules import can, ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from partnerhub.core.tenancy.context import tenant_context
from reviews.errors import InvalidInputError
from reviews.models import (
    ActionItem,
    Attendee,
    Cadence,
    Decision,
    PromptRating,
    Review,
    ReviewCycle,
    ReviewNote,
    ReviewTransition,
    Visibility,
)
from reviews.selectors.reviews import INTERNAL_ROLES, agenda_sections
from reviews.services.cycles import YEARS_AHEAD, cycle_get_or_create_locked, default_attendees_add
from reviews.services.preread import preread_store

State = Review.State

# The state machine: from each state, the states a review may move to.
ALLOWED_MOVES: dict[str, tuple[str, ...]] = {
    State.SCHEDULED: (State.PREPARING, State.HELD, State.CANCELLED),
    State.PREPARING: (State.HELD, State.CANCELLED),
    State.HELD: (State.SIGNED_OFF,),
    State.SIGNED_OFF: (),
    State.CANCELLED: (),
}
MAX_REASON = 300


def _label(state: str) -> str:
    return str(State(state).label).lower()


def _moves_text(state: str) -> str:
    moves = ALLOWED_MOVES[state]
    if not moves:
        return "it cannot change any more"
    return "it can move to " + " or ".join(_label(m) for m in moves)


def allowed_moves(review: Review) -> tuple[str, ...]:
    """The states ``review`` may move to from where it is (whoever asks)."""
    return ALLOWED_MOVES[review.state]


def held_too_early(review: Review, now: datetime) -> bool:
    """A review cannot be marked held before the day it is scheduled for (in the program's time zone)."""
    return timezone.localdate(now) < timezone.localdate(review.scheduled_for)


def moves_for(actor: Membership, review: Review, now: datetime | None = None) -> list[str]:
    """The moves ``actor`` may make on ``review`` now (the buttons a page offers): never "held" before its day."""
    now = now or timezone.now()
    return [
        move
        for move in ALLOWED_MOVES[review.state]
        if can(actor, "reviews.sign_off" if move == State.SIGNED_OFF else "reviews.manage", review)
        and not (move == State.HELD and held_too_early(review, now))
    ]


def _ensure_record_not_empty(review: Review) -> None:
    """A review is signed off on its record: at least one note, prompt rating or decision must be on it."""
    if not (review.notes.exists() or review.ratings.exists() or review.decisions.exists()):
        raise InvalidStateError(
            "This review has nothing recorded yet: add a note, a rating or a decision before signing it off.",
            code="empty_record",
            extra={"state": review.state},
        )


def _lock(tenant: Tenant, review: Review) -> Review:
    # Row lock on the review alone (``of``): its partner is read, never locked. The state is re-read under the lock,
    # so two moves (or a note and a sign-off) never interleave.
    return Review.objects.for_tenant(tenant).select_for_update(of=("self",)).select_related("partner").get(pk=review.pk)


def _ensure_writable(review: Review) -> None:
    if review.is_read_only:
        raise InvalidStateError(
            f"This review is {_label(review.state)}: it is read-only, and nothing more can be recorded on it.",
            code="review_read_only",
            extra={"state": review.state},
        )


def _writable_review(*, tenant: Tenant, actor: Membership, review: Review) -> Review:
    """Check tenant, permission (``reviews.manage`` on the review) and state; return the review, locked."""
    ensure_same_tenant(tenant, actor, review)
    ensure_can(actor, "reviews.manage", review)
    locked = _lock(tenant, review)
    _ensure_writable(locked)
    return locked


def _invalid(field: str, message: str) -> InvalidInputError:
    return InvalidInputError(message, extra={"fields": {field: [message]}})


def _check_visibility(visibility: str) -> None:
    if visibility not in Visibility.values:
        raise _invalid("visibility", "Choose shared or internal.")


# --- the state machine ---


@transaction.atomic
def review_transition(
    *,
    tenant: Tenant,
    actor: Membership,
    review: Review,
    to_state: str,
    reason: str = "",
    now: datetime | None = None,
) -> Review:
    """Move ``review`` to ``to_state``; raises InvalidStateError (naming the current state and the allowed moves)
    for a move the state machine refuses, PermissionDeniedError without the permission.

    Holding a review that has no pre-read yet generates it then; from held on, the pre-read is frozen. Cancelling
    needs a reason. Signing off records who and when.
    """
    ensure_same_tenant(tenant, actor, review)
    if to_state not in State.values:
        raise InvalidStateError(
            f"There is no state {to_state!r}; this review is {_label(review.state)} and {_moves_text(review.state)}.",
            code="invalid_transition",
            extra={"fields": {"to": ["Unknown state."]}, "allowed": list(ALLOWED_MOVES[review.state])},
        )
    ensure_can(actor, "reviews.sign_off" if to_state == State.SIGNED_OFF else "reviews.manage", review)
    now = now or timezone.now()
    locked = _lock(tenant, review)
    current = locked.state
    allowed = ALLOWED_MOVES[current]
    if to_state == State.SIGNED_OFF and current in (State.SCHEDULED, State.PREPARING):
        raise InvalidStateError(
            f"This review was never held, so it cannot be signed off: it is {_label(current)}. "
            "Mark it held first, then sign it off.",
            code="never_held",
            extra={"state": current, "allowed": list(allowed)},
        )
    if to_state not in allowed:
        raise InvalidStateError(
            f"A review that is {_label(current)} cannot be {_label(to_state)}: {_moves_text(current)}.",
            code="invalid_transition",
            extra={"state": current, "allowed": list(allowed)},
        )
    if to_state == State.HELD and held_too_early(locked, now):
        day = timezone.localdate(locked.scheduled_for)
        raise InvalidStateError(
            f"This review is scheduled for {day:%-d %B %Y}: it can be marked held from that day on, not before.",
            code="held_too_early",
            extra={"state": current, "scheduled_for": day.isoformat()},
        )
    if to_state == State.SIGNED_OFF:
        _ensure_record_not_empty(locked)
    reason = reason.strip()
    if to_state == State.CANCELLED and not reason:
        raise _invalid("reason", "Say why the review is cancelled.")
    if len(reason) > MAX_REASON:
        raise _invalid("reason", f"Keep the reason under {MAX_REASON} characters.")

    fields = ["state", "updated_at"]
    with set_actor(actor.user):
        if to_state in (State.PREPARING, State.HELD) and locked.preread is None:
            # Preparing means the pre-read exists; a review held without one gets it now, then it is frozen.
            preread_store(tenant=tenant, review=locked, now=now)
        locked.state = to_state
        if to_state == State.HELD:
            locked.held_at = now
            fields.append("held_at")
        elif to_state == State.SIGNED_OFF:
            locked.signed_off_at, locked.signed_off_by = now, actor
            fields += ["signed_off_at", "signed_off_by"]
        elif to_state == State.CANCELLED:
            locked.cancel_reason = reason
            fields.append("cancel_reason")
        locked.save(update_fields=fields)
    ReviewTransition.objects.create(
        tenant=tenant, review=locked, from_state=current, to_state=to_state, actor=actor, reason=reason
    )
    for name in (
        "state",
        "held_at",
        "signed_off_at",
        "signed_off_by",
        "cancel_reason",
        "preread",
        "preread_generated_at",
    ):
        setattr(review, name, getattr(locked, name))
    return review


# --- attendees ---


def _check_member(tenant: Tenant, review: Review, membership: Membership, field: str) -> None:
    ensure_same_tenant(tenant, membership)  # another tenant's member: CrossTenantReferenceError (400)
    if not membership.is_active:
        raise _invalid(field, "This member is no longer active.")
    if membership.role == Role.PARTNER and membership.partner_id != review.partner_id:
        raise _invalid(field, "A partner user may only take part in their own company's reviews.")


@transaction.atomic
def review_attendee_add(
    *,
    tenant: Tenant,
    actor: Membership,
    review: Review,
    membership: Membership | None = None,
    name: str = "",
    email: str = "",
    function: str = Attendee.Function.OTHER,
    side: str = "",
) -> Attendee:
    """Add a member (internal, or a partner user of this partner) or a named contact to the review's attendees."""
    locked = _writable_review(tenant=tenant, actor=actor, review=review)
    if function not in Attendee.Function.values:
        raise _invalid("function", "Choose a function.")
    name, email = name.strip(), email.strip()
    if membership is not None:
        _check_member(tenant, locked, membership, "membership")
        if Attendee.objects.for_tenant(tenant).filter(review=locked, membership=membership).exists():
            raise _invalid("membership", f"{membership.user} already attends this review.")
        side = Attendee.Side.PARTNER if membership.role == Role.PARTNER else Attendee.Side.INTERNAL
    else:
        if not name:
            raise _invalid("name", "Choose a member, or give the contact's name.")
        side = side or Attendee.Side.PARTNER
        if side not in Attendee.Side.values:
            raise _invalid("side", "Choose our team or the partner.")
    attendee = Attendee(
        tenant=tenant,
        review=locked,
        membership=membership,
        name="" if membership is not None else name[:200],
        email="" if membership is not None else email,
        function=function,
        side=side,
    )
    attendee.full_clean(exclude=["tenant", "review", "membership"])
    attendee.save()
    return attendee


@transaction.atomic
def review_attendee_remove(*, tenant: Tenant, actor: Membership, review: Review, attendee: Attendee) -> None:
    """Remove an attendee from the review (the attendee must belong to it: callers fetch it by review)."""
    ensure_same_tenant(tenant, attendee)
    locked = _writable_review(tenant=tenant, actor=actor, review=review)
    if attendee.review_id != locked.pk:
        raise _invalid("attendee", "This person does not attend this review.")
    attendee.delete()


# --- notes, ratings, decisions ---


@transaction.atomic
def review_note_add(
    *,
    tenant: Tenant,
    actor: Membership,
    review: Review,
    section_key: str,
    body: str,
    visibility: str = Visibility.INTERNAL,
) -> ReviewNote:
    """Add a note under one agenda section, shared with the partner or internal."""
    locked = _writable_review(tenant=tenant, actor=actor, review=review)
    if section_key not in {key for key, _, _ in agenda_sections(locked)}:
        raise _invalid("section_key", "Choose a section of this review's agenda.")
    body = body.strip()
    if not body:
        raise _invalid("body", "Write the note.")
    _check_visibility(visibility)
    return ReviewNote.objects.create(
        tenant=tenant, review=locked, section_key=section_key, body=body, visibility=visibility, author=actor
    )


@transaction.atomic
def review_rating_save(
    *,
    tenant: Tenant,
    actor: Membership,
    review: Review,
    prompt_key: str,
    rating: int,
    comment: str = "",
    visibility: str = Visibility.INTERNAL,
) -> PromptRating:
    """Rate one agenda prompt 1 to 5 with a comment; rating it again replaces the earlier answer."""
    locked = _writable_review(tenant=tenant, actor=actor, review=review)
    section_of = {pk: key for key, _, prompts in agenda_sections(locked) for pk, _ in prompts}
    if prompt_key not in section_of:
        raise _invalid("prompt_key", "Choose a prompt of this review's agenda.")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise _invalid("rating", "Rate from 1 to 5.")
    _check_visibility(visibility)
    saved, _ = PromptRating.objects.for_tenant(tenant).update_or_create(
        review=locked,
        prompt_key=prompt_key,
        defaults={
            "tenant": tenant,
            "section_key": section_of[prompt_key],
            "rating": rating,
            "comment": comment.strip(),
            "visibility": visibility,
            "author": actor,
        },
    )
    return saved


@transaction.atomic
def review_decision_add(
    *, tenant: Tenant, actor: Membership, review: Review, text: str, visibility: str = Visibility.SHARED
) -> Decision:
    """Add an entry to the review's decisions log."""
    locked = _writable_review(tenant=tenant, actor=actor, review=review)
    text = text.strip()
    if not text:
        raise _invalid("text", "Write the decision.")
    _check_visibility(visibility)
    with set_actor(actor.user):
        return Decision.objects.create(tenant=tenant, review=locked, text=text, visibility=visibility, decided_by=actor)


# --- action items ---


def _check_owner(tenant: Tenant, review: Review, owner: Membership | None) -> None:
    if owner is None:
        raise _invalid("owner", "Choose who owns this action.")
    _check_member(tenant, review, owner, "owner")


def _check_due(due_date: date | None, today: date) -> date:
    if due_date is None:
        raise _invalid("due_date", "Give a due date.")
    if due_date < today:
        raise _invalid("due_date", f"The due date {due_date:%d %b %Y} is in the past; choose today or later.")
    return due_date


@transaction.atomic
def review_action_add(
    *,
    tenant: Tenant,
    actor: Membership,
    review: Review,
    description: str,
    owner: Membership | None,
    due_date: date | None,
    visibility: str = Visibility.SHARED,
    today: date | None = None,
) -> ActionItem:
    """Add an action item: its owner is an active member of this tenant (internal, or a partner user of this
    partner) and its due date is not in the past."""
    locked = _writable_review(tenant=tenant, actor=actor, review=review)
    description = description.strip()
    if not description:
        raise _invalid("description", "Describe the action.")
    _check_owner(tenant, locked, owner)
    due_date = _check_due(due_date, today or timezone.localdate())
    _check_visibility(visibility)
    with set_actor(actor.user):
        return ActionItem.objects.create(
            tenant=tenant,
            review=locked,
            partner_id=locked.partner_id,
            description=description,
            owner=owner,
            due_date=due_date,
            visibility=visibility,
            created_by=actor,
        )


UNSET: Any = object()


@transaction.atomic
def action_item_update(
    *,
    tenant: Tenant,
    actor: Membership,
    action: ActionItem,
    status: str | None = None,
    owner: Membership | None = UNSET,
    due_date: date | None = None,
    description: str | None = None,
    visibility: str | None = None,
    today: date | None = None,
) -> ActionItem:
    """Update an action item from the internal side: its status (done sets ``completed_at``), owner or due date
    (re-planned, not in the past); description and visibility only while its review is open.

    Who: the rule ``reviews.update_action`` (reviews/rules.py): whoever runs the review, or the action's owner.
    """
    ensure_same_tenant(tenant, actor, action)
    review = _lock(tenant, action.review)
    action.review = review
    ensure_can(actor, "reviews.update_action", action)
    locked = ActionItem.objects.for_tenant(tenant).select_for_update(of=("self",)).get(pk=action.pk)
    fields: list[str] = []
    if description is not None or visibility is not None:
        # The wording and audience of a commitment are part of the review's record: frozen with it.
        _ensure_writable(review)
    if description is not None:
        if not description.strip():
            raise _invalid("description", "Describe the action.")
        locked.description = description.strip()
        fields.append("description")
    if visibility is not None:
        _check_visibility(visibility)
        locked.visibility = visibility
        fields.append("visibility")
    if owner is not UNSET:
        _check_owner(tenant, review, owner)
        locked.owner = owner
        fields.append("owner")
    if due_date is not None and due_date != locked.due_date:
        _check_due(due_date, today or timezone.localdate())
        locked.due_date = due_date
        fields.append("due_date")
    if status is not None:
        if status not in ActionItem.Status.values:
            raise _invalid("status", "Choose open, in progress, done or cancelled.")
        if status != locked.status:
            locked.status = status
            locked.completed_at = timezone.now() if status == ActionItem.Status.DONE else None
            fields += ["status", "completed_at"]
    if fields:
        with set_actor(actor.user):
            locked.save(update_fields=[*fields, "updated_at"])
    return locked


# --- a review scheduled by hand ---

SCHEDULE_REASON_MAX = 200


def _check_reference(tenant: Tenant, obj: Any, field: str, what: str) -> None:
    """Another tenant's cadence, partner or member: a 400 naming the field (CrossTenantReferenceError)."""
    if getattr(obj, "tenant_id", None) != tenant.pk:
        message = f"No {what} of this program has that id."
        raise CrossTenantReferenceError(message, extra={"fields": {field: [message]}, "object": type(obj).__name__})


@transaction.atomic
def review_schedule(
    *,
    tenant: Tenant,
    actor: Membership,
    cadence: Cadence,
    partner: Partner,
    scheduled_for: datetime,
    moderator: Membership | None = None,
    depth: str = Review.Depth.DETAILED,
    reason: str = "",
    now: datetime | None = None,
) -> Review:
    """Schedule one review by hand (e.g. an extra deep dive for a partner that needs one), outside generation.

    The review is filed under the cycle of ``cadence`` that contains its date (the cycle is created if need be,
    as generation would), with the cadence's agenda, the self-assessment due ``self_assessment_lead_days`` before,
    the default attendees, rank 0 and a selection reason naming who scheduled it and why. ``moderator`` None is the
    partner's owner manager (when active).

    Refuses (nothing written): a cadence, partner or moderator of another tenant (CrossTenantReferenceError, 400,
    naming the field); without ``reviews.manage`` on the partner, i.e. an admin or its owner manager
    (PermissionDeniedError); a date in the past, an inactive cadence or moderator, a partner user as moderator, or a
    partner that already has a review in that cycle (InvalidInputError naming the existing review's date).
    """
    ensure_same_tenant(tenant, actor)
    _check_reference(tenant, cadence, "cadence", "cadence")
    _check_reference(tenant, partner, "partner", "partner")
    if moderator is not None:
        _check_reference(tenant, moderator, "moderator", "member")
    # The partner alone decides (not the moderator): a manager may not schedule a review of someone else's
    # partner by naming themselves its moderator.
    ensure_can(actor, "reviews.manage", Review(tenant=tenant, partner=partner))
    with tenant_context(tenant):
        now = now or timezone.now()
        if timezone.is_naive(scheduled_for):
            raise _invalid("scheduled_for", "Give the date and time with a time zone.")
        if scheduled_for < now:
            past = f"{timezone.localtime(scheduled_for):%d %b %Y %H:%M}"
            raise _invalid("scheduled_for", f"{past} is in the past; choose a later time.")
        day = timezone.localtime(scheduled_for).date()
        if day.year > now.year + YEARS_AHEAD:
            raise _invalid("scheduled_for", f"Choose a date before the end of {now.year + YEARS_AHEAD}.")
        if not cadence.is_active:
            raise _invalid("cadence", "This cadence is inactive: activate it, or choose another cadence.")
        if depth not in Review.Depth.values:
            raise _invalid("depth", "Choose a detailed review or a light-touch check.")
        if moderator is None and partner.owner is not None and partner.owner.is_active:
            moderator = partner.owner
        if moderator is not None:
            if not moderator.is_active:
                raise _invalid("moderator", "This member is no longer active.")
            if moderator.role not in INTERNAL_ROLES:
                raise _invalid("moderator", "The moderator must be someone on our side, not a partner user.")
        reason = reason.strip()
        if len(reason) > SCHEDULE_REASON_MAX:
            raise _invalid("reason", f"Keep the reason under {SCHEDULE_REASON_MAX} characters.")
        # The generator's lock: a review added by hand and a generation of the same program never interleave.
        cycle = cycle_get_or_create_locked(tenant=tenant, cadence=cadence, day=day)
        existing = Review.objects.for_tenant(tenant).filter(cycle=cycle, partner=partner).first()
        if existing is not None:
            when = f"{timezone.localtime(existing.scheduled_for):%d %b %Y}"
            raise InvalidInputError(
                f"{partner.name} already has a review in this cycle of {cadence.name} "
                f"({period_label(cadence.frequency, cycle.period_start)}), on {when}: open that review, "
                "or choose a date in another period.",
                code="already_scheduled",
                extra={
                    "fields": {"scheduled_for": [f"{partner.name} already has a review in this cycle, on {when}."]},
                    "review": existing.pk,
                },
            )
        review = Review(
            tenant=tenant,
            cycle=cycle,
            cadence=cadence,
            partner=partner,
            kind=cadence.kind,
            depth=depth,
            priority_rank=0,
            selection_reason=f"Scheduled by {actor.user}: {reason or 'ad hoc'}"[:300],
            scheduled_for=scheduled_for,
            moderator=moderator,
            agenda=cadence.agenda,
            self_assessment_due=day - timedelta(days=cadence.self_assessment_lead_days),
        )
        with set_actor(actor.user):
            review.save()
        default_attendees_add(
            tenant,
            [(review.pk, partner.pk, moderator.pk if moderator is not None else None)],
            {partner.pk: partner},
            {moderator.pk: moderator} if moderator is not None else None,
        )
        # The cycle's counts, as the next generation would compute them from its reviews.
        ReviewCycle.objects.for_tenant(tenant).filter(pk=cycle.pk).update(
            qualifying_count=F("qualifying_count") + 1,
            detailed_count=F("detailed_count") + int(depth == Review.Depth.DETAILED),
            updated_at=timezone.now(),
        )
    return review
