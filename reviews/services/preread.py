"""Writes of the pre-read: built from the latest snapshot, rebuilt until the review is held, then frozen.

The rules (what the summary says, which risks, which recommendations) are pure and live in ``reviews/preread.py``;
this module gathers the inputs (``reviews.selectors.reviews.preread_inputs``) and stores the payload.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from partnerhub.core.errors import InvalidStateError
from partnerhub.core.models import AuditEntry, Membership, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from reviews.domain.preread import preread_build
from reviews.models import Review, ReviewTransition
from reviews.selectors.reviews import preread_inputs, preread_reviews, reviews_due_for_preread, reviews_preparing

# Once a review is held, its pre-read is what was discussed: later data never changes it.
FROZEN_STATES = (Review.State.HELD, Review.State.SIGNED_OFF, Review.State.CANCELLED)
AUTO_REASON = "Pre-read generated automatically before the review."


@dataclass(frozen=True)
class PrereadRun:
    prepared: int  # scheduled reviews moved to preparing, with their first pre-read
    refreshed: int  # reviews already preparing whose pre-read changed with the data
    unchanged: int  # reviews already preparing whose pre-read was already up to date

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def preread_as_of(review: Review, now: datetime) -> date:
    """The day a pre-read speaks for: today, or the review's own day for a review already past."""
    return timezone.localdate(min(now, review.scheduled_for))


def preread_payloads(
    *, tenant: Tenant, reviews: Sequence[Review], now: datetime, as_of: Mapping[int, date] | None = None
) -> dict[int, dict[str, Any]]:
    """Build the pre-read of each review (``reviews`` with partner and data steward joined), in bulk."""
    days = dict(as_of) if as_of is not None else {r.pk: preread_as_of(r, now) for r in reviews}
    inputs = preread_inputs(tenant=tenant, reviews=reviews, as_of=days)
    return {review_id: preread_build(facts) for review_id, facts in inputs.items()}


def preread_preview(*, tenant: Tenant, review: Review, now: datetime) -> dict[str, Any]:
    """One review's pre-read built from the data as of ``now``, not stored (a preview, or what ``preread_store``
    saves)."""
    loaded = preread_reviews(tenant=tenant, review_ids=[review.pk]).get()
    return preread_payloads(tenant=tenant, reviews=[loaded], now=now)[review.pk]


def preread_current(*, tenant: Tenant, review: Review) -> dict[str, Any]:
    """The stored pre-read, or (before it is generated) a preview built from today's data."""
    if review.preread is not None:
        stored: dict[str, Any] = review.preread  # a JSONField: django-stubs types it Any
        return stored
    return preread_preview(tenant=tenant, review=review, now=timezone.now())


def preread_store(*, tenant: Tenant, review: Review, now: datetime) -> Review:
    """Build and save one review's pre-read (callers have checked permission and state, and hold the row lock)."""
    review.preread = preread_preview(tenant=tenant, review=review, now=now)
    review.preread_generated_at = now
    review.save(update_fields=["preread", "preread_generated_at", "updated_at"])
    return review


@transaction.atomic
def preread_generate(*, tenant: Tenant, actor: Membership, review: Review, now: datetime | None = None) -> Review:
    """Rebuild ``review``'s pre-read from today's data; refused (InvalidStateError) once the review has been held."""
    ensure_same_tenant(tenant, actor, review)
    ensure_can(actor, "reviews.manage", review)
    # The row lock orders this against a concurrent transition to held: a frozen pre-read is never rewritten.
    locked = Review.objects.for_tenant(tenant).select_for_update(of=("self",)).get(pk=review.pk)
    if locked.state in FROZEN_STATES:
        raise InvalidStateError(
            f"The pre-read is frozen: this review is {locked.get_state_display().lower()}, and its pre-read stays "
            "what was discussed.",
            code="preread_frozen",
        )
    with set_actor(actor.user):
        preread_store(tenant=tenant, review=locked, now=now or timezone.now())
    review.preread, review.preread_generated_at = locked.preread, locked.preread_generated_at
    return review


@transaction.atomic
def preread_generate_due(*, tenant: Tenant, now: datetime | None = None) -> PrereadRun:
    """Prepare every scheduled review whose pre-read time has come, and keep preparing reviews' pre-reads current.

    A scheduled review is due when ``scheduled_for - cadence.prep_lead_days`` has passed: it gets its pre-read and
    moves to preparing (a transition row and an audit entry, actor "system"). A review already preparing has its
    pre-read rebuilt and written only if it changed (until its date). Idempotent: a second run moves and writes nothing.
    Reads are bulk (``preread_inputs``), writes are ``bulk_update`` / ``bulk_create``.
    """
    now = now or timezone.now()
    # Row locks (of the reviews only) make two overlapping runs take turns; the second sees the new states.
    due_ids = list(
        reviews_due_for_preread(tenant=tenant, now=now).select_for_update(of=("self",)).values_list("pk", flat=True)
    )
    preparing_ids = list(
        reviews_preparing(tenant=tenant, now=now).select_for_update(of=("self",)).values_list("pk", flat=True)
    )
    reviews = list(preread_reviews(tenant=tenant, review_ids=[*due_ids, *preparing_ids]))
    if not reviews:
        return PrereadRun(prepared=0, refreshed=0, unchanged=0)
    payloads = preread_payloads(tenant=tenant, reviews=reviews, now=now)
    due = set(due_ids)
    changed: list[Review] = []
    moved: list[Review] = []
    unchanged = 0
    for review in reviews:
        payload = payloads[review.pk]
        if review.pk in due:
            review.state = Review.State.PREPARING
            moved.append(review)
        elif review.preread == payload:
            unchanged += 1
            continue
        review.preread, review.preread_generated_at, review.updated_at = payload, now, now
        changed.append(review)
    Review.objects.for_tenant(tenant).bulk_update(
        changed, ["state", "preread", "preread_generated_at", "updated_at"], batch_size=500
    )
    _record_moves(tenant=tenant, reviews=moved, now=now)
    return PrereadRun(prepared=len(moved), refreshed=len(changed) - len(moved), unchanged=unchanged)


def _record_moves(*, tenant: Tenant, reviews: Sequence[Review], now: datetime) -> None:
    """Transition rows and audit entries for reviews the system moved scheduled -> preparing (bulk_update sends no
    signals, so the audit entries auditlog would have written are written here, in the same shape)."""
    if not reviews:
        return
    ReviewTransition.objects.bulk_create(
        [
            ReviewTransition(
                tenant=tenant,
                review=r,
                from_state=Review.State.SCHEDULED,
                to_state=Review.State.PREPARING,
                actor=None,
                reason=AUTO_REASON,
                created_at=now,
            )
            for r in reviews
        ],
        batch_size=500,
    )
    content_type = ContentType.objects.get_for_model(Review)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                tenant=tenant,
                content_type=content_type,
                object_pk=str(r.pk),
                object_id=r.pk,
                object_repr=str(r),
                action=LogEntry.Action.UPDATE,
                changes={"state": [Review.State.SCHEDULED.value, Review.State.PREPARING.value]},
                changes_text=AUTO_REASON,
                timestamp=now,
            )
            for r in reviews
        ],
        batch_size=500,
    )
