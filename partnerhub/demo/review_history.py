"""Demo data of a review's life: past reviews brought through preparing -> held -> signed off, with what was said.

``seed_review_history`` runs after the cadence seeder has generated the demo's cycles and reviews, and before the
portal and calendar seeders (which read held reviews and open action items). For every review already past:

- it gets its pre-read, built as of the day it would have been generated (``prep_lead_days`` before), and moves
  scheduled -> preparing -> held -> signed off, with the transition rows a real run writes (the moderator acts);
  a review of the last two days stays held (awaiting sign-off), and about one in thirty is cancelled instead;
- the detailed reviews of each cadence's last two past cycles also get notes (shared and internal), prompt ratings,
  decisions and action items: some done, some still open and overdue (by less than ``STALE_DAYS``; older ones were
  done or cancelled), some open and not yet due;
- older and light-touch reviews are signed off with their pre-read only.

Upcoming reviews stay scheduled; those inside their pre-read lead time move to preparing with a pre-read, exactly as
the hourly task does. Deterministic (seeded by review id), bulk writes throughout, and safe to run twice: reviews
already held, signed off or cancelled are left alone.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from partnerhub.core.models import Membership, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import ActionItem, Decision, PromptRating, Review, ReviewNote, ReviewTransition, Visibility
from reviews.selectors.reviews import agenda_sections
from reviews.services.preread import preread_generate_due, preread_payloads

State = Review.State
DETAILED_CYCLES = 2  # per cadence, the most recent past cycles whose detailed reviews get notes, ratings, actions
STILL_HELD_DAYS = 2  # reviews held this recently are not signed off yet
STALE_DAYS = 60  # action items due longer ago than this were closed (done or cancelled), never left open

SHARED_NOTES = (
    "Pipeline coverage for next quarter is at 2.4x; both sides agree it should reach 3x.",
    "The joint webinar series is working: two of the last three produced qualified opportunities.",
    "Deal registration approvals now take four days on average, down from nine.",
    "The partner wants earlier sight of pricing changes before they reach their customers.",
    "Renewals are on track; one large account needs an executive call before the renewal date.",
    "Technical enablement: two more engineers will take the certification this month.",
)
INTERNAL_NOTES = (
    "Coaching point: forecasts keep slipping a month; ask for evidence of the customer's buying process.",
    "Discounting on the last two deals was above the guideline; watch the next three closely.",
    "The partner's sales lead seems stretched; consider offering a shared SDR for a quarter.",
    "Relationship is good at the top, thin in the field: plan a joint account-mapping session.",
    "Data from their CRM export arrived late again; raise it with their operations lead.",
)
RATING_COMMENTS = (
    "Better than last period.",
    "Mixed: strong start, slower finish.",
    "Needs attention before the next review.",
    "Consistently good.",
    "Fell short of what was agreed.",
)
DECISIONS = (
    "Co-fund a regional campaign next quarter, split 50/50.",
    "Move the partner to monthly pipeline check-ins until coverage reaches 3x.",
    "Register every deal above 50k within five days of first contact.",
    "Run a joint account-mapping session for the top 20 accounts.",
    "Hold pricing for renewals signed before quarter end.",
)
ACTIONS = (
    "Send the joint account plan for the top 20 accounts",
    "Book the certification exams for two engineers",
    "Share the updated discount guideline with the partner's sellers",
    "Confirm the co-marketing budget and campaign dates",
    "Clean up stale opportunities in the partner's CRM export",
    "Set up the executive call for the at-risk renewal",
    "Draft the integration roadmap for the next two quarters",
)


def seed_review_history(tenant: Tenant, *, now: datetime | None = None) -> dict[str, Any]:
    """Bring ``tenant``'s past reviews through their life (see the module docstring); return the counts written."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with tenant_context(tenant), transaction.atomic():
        past = list(
            Review.objects.for_tenant(tenant)
            .filter(scheduled_for__lt=now, state__in=(State.SCHEDULED, State.PREPARING))
            .select_related("partner", "partner__data_steward__user", "partner__owner", "moderator", "cadence", "cycle")
            .order_by("scheduled_for", "id")
        )
        counts: dict[str, Any] = defaultdict(int)
        if past:
            partner_users = _partner_users(tenant, {r.partner_id for r in past})
            detailed = _detailed_recent(tenant, past, showcase=set(partner_users))
            _record(tenant, past, detailed, partner_users, today, counts)
            _move_through(tenant, past, detailed, now, counts)
        run = preread_generate_due(tenant=tenant, now=now)
        counts["upcoming_prepared"] = run.prepared
    return dict(counts)


def _detailed_recent(tenant: Tenant, past: list[Review], *, showcase: set[int]) -> set[int]:
    """Ids of the detailed reviews in each cadence's last ``DETAILED_CYCLES`` cycles that have past reviews.

    The partners with a portal login (``showcase``) get a full record whatever their depth, so that a demo partner
    user sees what a shared review record looks like.
    """
    starts: dict[int, set[Any]] = defaultdict(set)
    for review in past:
        starts[review.cadence_id].add(review.cycle.period_start)
    recent = {cadence_id: sorted(days)[-DETAILED_CYCLES:] for cadence_id, days in starts.items()}
    return {
        r.pk
        for r in past
        if (r.depth == Review.Depth.DETAILED or r.partner_id in showcase)
        and r.cycle.period_start in recent[r.cadence_id]
        and not _cancelled(r)
    }


def _cancelled(review: Review) -> bool:
    return review.pk % 31 == 7


def _partner_users(tenant: Tenant, partner_ids: set[int]) -> dict[int, Membership]:
    users: dict[int, Membership] = {}
    for person in (
        Membership.objects.for_tenant(tenant)
        .filter(role=Role.PARTNER, partner_id__in=partner_ids, is_active=True)
        .order_by("pk")
    ):
        users.setdefault(person.partner_id or 0, person)
    return users


def _runner(review: Review) -> Membership | None:
    return review.moderator if review.moderator_id else review.partner.owner


def _record(
    tenant: Tenant,
    past: list[Review],
    detailed: set[int],
    partner_users: dict[int, Membership],
    today: Any,
    counts: dict[str, Any],
) -> None:
    """Notes, ratings, decisions and action items of the recent detailed reviews (bulk)."""
    notes: list[ReviewNote] = []
    ratings: list[PromptRating] = []
    decisions: list[Decision] = []
    actions: list[ActionItem] = []
    past_due = 0  # action items due before today and not yet stale: every fifth stays open (overdue)
    for review in past:
        rng = random.Random(review.pk)  # noqa: S311 (demo data, not security)
        runner = _runner(review)
        at = review.scheduled_for + timedelta(minutes=45)
        sections = agenda_sections(review)
        if review.pk not in detailed:
            if not _cancelled(review):  # a light review still leaves a one-line record: nothing is signed off empty
                notes.append(
                    ReviewNote(
                        tenant=tenant,
                        review=review,
                        section_key=sections[0][0],
                        body=rng.choice(SHARED_NOTES),
                        visibility=Visibility.SHARED,
                        author=runner,
                        created_at=at,
                    )
                )
            continue
        for n in range(3):
            key = sections[n % len(sections)][0]
            internal = n == 1
            notes.append(
                ReviewNote(
                    tenant=tenant,
                    review=review,
                    section_key=key,
                    body=rng.choice(INTERNAL_NOTES if internal else SHARED_NOTES),
                    visibility=Visibility.INTERNAL if internal else Visibility.SHARED,
                    author=runner,
                    created_at=at + timedelta(minutes=n),
                )
            )
        prompts = [(key, prompt) for key, _, items in sections for prompt, _ in items][:4]
        for key, prompt in prompts:
            ratings.append(
                PromptRating(
                    tenant=tenant,
                    review=review,
                    section_key=key,
                    prompt_key=prompt,
                    rating=rng.randint(2, 5),
                    comment=rng.choice(RATING_COMMENTS),
                    visibility=Visibility.INTERNAL if rng.random() < 0.7 else Visibility.SHARED,
                    author=runner,
                    created_at=at,
                )
            )
        decisions.extend(
            Decision(
                tenant=tenant,
                review=review,
                text=DECISIONS[(review.pk + review.cycle_id + n) % len(DECISIONS)],  # each cycle its own
                visibility=Visibility.SHARED if n == 0 else Visibility.INTERNAL,
                decided_by=runner,
                created_at=at + timedelta(minutes=5 + n),
            )
            for n in range(1 + int(rng.random() < 0.5))
        )
        owners = [m for m in (runner, partner_users.get(review.partner_id), review.partner.data_steward) if m]
        for n in range(2 + rng.randint(0, 1)):
            due = review.scheduled_for.date() + timedelta(days=rng.choice((10, 14, 21, 30, 45)))
            status = ActionItem.Status.OPEN
            completed = None
            if due < today - timedelta(days=STALE_DAYS):
                # Long past due: done, or dropped (a list of open items a year overdue is not a believable program).
                status = ActionItem.Status.DONE if rng.random() < 0.85 else ActionItem.Status.CANCELLED
                completed = review.scheduled_for + timedelta(days=rng.randint(3, 9))
            elif due < today:
                # Past due: most were done (on or before the due date), one in five is still open, so overdue: by
                # count, not by chance, so that a small program has its overdue item whatever its ids.
                past_due += 1
                if past_due % 5 != 1:
                    status, completed = ActionItem.Status.DONE, review.scheduled_for + timedelta(days=rng.randint(3, 9))
            elif rng.random() < 0.3:
                status = ActionItem.Status.IN_PROGRESS
            actions.append(
                ActionItem(
                    tenant=tenant,
                    review=review,
                    partner_id=review.partner_id,
                    description=ACTIONS[(review.pk * 3 + n) % len(ACTIONS)],
                    owner=owners[n % len(owners)] if owners else None,
                    due_date=due,
                    status=status,
                    completed_at=completed,
                    visibility=Visibility.INTERNAL if n == 2 else Visibility.SHARED,
                    created_by=runner,
                    created_at=at + timedelta(minutes=10 + n),
                )
            )
    ReviewNote.objects.bulk_create(notes, batch_size=1000)
    PromptRating.objects.bulk_create(ratings, batch_size=1000, ignore_conflicts=True)
    Decision.objects.bulk_create(decisions, batch_size=1000)
    ActionItem.objects.bulk_create(actions, batch_size=1000)
    counts.update(notes=len(notes), ratings=len(ratings), decisions=len(decisions), actions=len(actions))


def _move_through(
    tenant: Tenant, past: list[Review], detailed: set[int], now: datetime, counts: dict[str, Any]
) -> None:
    """Pre-reads as of each review's preparation day, then the moves a real run would have made (bulk)."""
    prepared = {r.pk: min(now, r.scheduled_for - timedelta(days=r.cadence.prep_lead_days)) for r in past}
    as_of = {pk: timezone.localdate(at) for pk, at in prepared.items()}
    payloads = preread_payloads(tenant=tenant, reviews=past, now=now, as_of=as_of)
    transitions: list[ReviewTransition] = []
    for review in past:
        runner = _runner(review)
        prepared_at = prepared[review.pk]
        start = review.state
        review.updated_at = now
        if _cancelled(review):
            review.state, review.cancel_reason = (
                State.CANCELLED,
                "The partner asked to skip this period (reorganising).",
            )
            transitions.append(_move(tenant, review, start, State.CANCELLED, runner, prepared_at, review.cancel_reason))
            counts["cancelled"] += 1
            continue
        review.preread, review.preread_generated_at = payloads[review.pk], prepared_at
        if start == State.SCHEDULED:
            transitions.append(_move(tenant, review, State.SCHEDULED, State.PREPARING, None, prepared_at))
        held_at = review.scheduled_for + timedelta(hours=1)
        transitions.append(_move(tenant, review, State.PREPARING, State.HELD, runner, held_at))
        review.state, review.held_at = State.HELD, held_at
        if review.scheduled_for < now - timedelta(days=STILL_HELD_DAYS):
            signed_at = min(now, review.scheduled_for + timedelta(days=1 + review.pk % 3))
            transitions.append(_move(tenant, review, State.HELD, State.SIGNED_OFF, runner, signed_at))
            review.state, review.signed_off_at, review.signed_off_by = State.SIGNED_OFF, signed_at, runner
            counts["signed_off"] += 1
        else:
            counts["held"] += 1
    _write_reviews(past)
    ReviewTransition.objects.bulk_create(transitions, batch_size=1000)
    counts["detailed_with_records"] = len(detailed)
    counts["transitions"] = len(transitions)


def _write_reviews(reviews: list[Review]) -> None:
    """Save the moved reviews: one parameterised UPDATE per row, sent in one pipeline (``bulk_update``'s CASE
    expressions over eight columns took seconds for a few hundred rows). Row-level security applies as ever."""
    rows: list[Any] = [
        (
            r.state,
            Jsonb(r.preread) if r.preread is not None else None,
            r.preread_generated_at,
            r.held_at,
            r.signed_off_at,
            r.signed_off_by_id,
            r.cancel_reason,
            r.updated_at,
            r.pk,
            r.tenant_id,
        )
        for r in reviews
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Review._meta.db_table} SET state = %s, preread = %s, preread_generated_at = %s, held_at = %s, "
            "signed_off_at = %s, signed_off_by_id = %s, cancel_reason = %s, updated_at = %s "
            "WHERE id = %s AND tenant_id = %s",
            rows,
        )


def _move(
    tenant: Tenant,
    review: Review,
    start: str,
    to: str,
    actor: Membership | None,
    at: datetime,
    reason: str = "",
) -> ReviewTransition:
    return ReviewTransition(
        tenant=tenant, review=review, from_state=start, to_state=to, actor=actor, reason=reason, created_at=at
    )
