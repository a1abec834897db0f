"""Cycle generation: a cadence's month, quarter or half-year, with one review per matching partner.

``cycle_generate`` is idempotent. The cycle is found or created; partners that already have a review in it are
left alone (their review may already be in preparation); only partners that match the cadence and have no review
yet get one. Running it twice creates nothing new; running it after partners changed adds the new ones.

Priority and the cap. Partners are ranked: strategic first, then a declining trend (their latest monthly
scorecard before the cycle), then the at-risk stage, then the lowest score (no score yet comes after every score),
then by name. The first ``detailed_cap`` get a detailed review, the rest a light-touch check. Partners added by a
later run are ranked after the existing reviews, and get a detailed review only while the cycle is under its cap.
Every review stores its rank and, in plain words, why it got its depth.

Dates. A review is held ``review_offset_days`` after the period starts (a weekend moves to Monday), at 09:00,
11:00, 14:00 or 16:00 UTC: each moderator's reviews take those slots in rank order, then the next business days,
never past the period's last business day. The self-assessment is due ``self_assessment_lead_days`` before.

Attendees. The moderator (the partner's owner manager), the executive sponsor and the data steward on our side
(each with their function), and the partner's own users on the partner side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from partnerhub.core.domain.periods import period_bounds, shift_period
from partnerhub.core.errors import InvalidStateError
from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import LOCK_REVIEW_CYCLES, tenant_xact_lock
from reviews.models import Attendee, Cadence, Review, ReviewCycle
from reviews.selectors.cadences import cadence_matching_partners
from reviews.selectors.cycles import (
    ScoreSignal,
    cadence_next_cycle,
    cycle_moderator_load,
    cycle_partner_ranks,
    latest_month_signals,
)

SLOTS: Final = (time(9), time(11), time(14), time(16))  # UTC
YEARS_BACK: Final = 3
YEARS_AHEAD: Final = 2
DEFAULT_DAYS_AHEAD: Final = 35
REASON_MAX: Final = 300


@dataclass(frozen=True)
class CycleResult:
    """What one generation did: the cycle, the reviews it created and those that were there already."""

    cycle: ReviewCycle
    created: int
    existing: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "cycle": self.cycle.pk,
            "cadence": self.cycle.cadence_id,
            "period_start": self.cycle.period_start.isoformat(),
            "period_end": self.cycle.period_end.isoformat(),
            "created": self.created,
            "existing": self.existing,
            "qualifying": self.cycle.qualifying_count,
            "detailed": self.cycle.detailed_count,
        }


# --- dates ---


def _on_or_after_weekday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _on_or_before_weekday(day: date) -> date:
    return day - timedelta(days=day.weekday() - 4 if day.weekday() >= 5 else 0)


def _add_business_days(day: date, count: int) -> date:
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def review_first_day(cadence: Cadence, period_start: date, period_end: date) -> date:
    """The cycle's review day: ``review_offset_days`` into the period, a weekend moved to Monday, inside the period."""
    day = _on_or_after_weekday(period_start + timedelta(days=cadence.review_offset_days))
    return min(day, _on_or_before_weekday(period_end))


def _slot(first_day: date, last_day: date, position: int) -> datetime:
    """The ``position``-th slot (0-based) of one moderator from ``first_day`` on, never past ``last_day``."""
    day = min(_add_business_days(first_day, position // len(SLOTS)), last_day)
    return datetime.combine(day, SLOTS[position % len(SLOTS)], tzinfo=UTC)


# --- priority ---


def _number(value: Decimal | None) -> str:
    return f"{value:.0f}" if value is not None else "—"


def _signals(partner: Partner, signal: ScoreSignal | None) -> list[str]:
    found = []
    if partner.is_strategic:
        found.append("strategic partner")
    if signal is not None and signal.declining:
        if signal.previous_score is not None and signal.score is not None:
            found.append(f"declining trend (score {_number(signal.previous_score)} → {_number(signal.score)})")
        else:
            found.append("declining trend")
    if partner.stage == Partner.Stage.AT_RISK:
        found.append("at-risk stage")
    return found


def _score_text(signal: ScoreSignal | None) -> str:
    if signal is None or signal.score is None:
        return "no score yet"
    return f"score {_number(signal.score)} in {signal.month:%b %Y}"


def _priority_key(partner: Partner, signal: ScoreSignal | None) -> tuple[Any, ...]:
    score = signal.score if signal is not None else None
    return (
        not partner.is_strategic,
        not (signal is not None and signal.declining),
        partner.stage != Partner.Stage.AT_RISK,
        score is None,
        score if score is not None else Decimal(0),
        partner.name.casefold(),
        partner.pk,
    )


def _reason(
    *, signals: list[str], score: str, rank: int, total: int, cap: int | None, detailed: bool, late: bool
) -> str:
    """Why a review got its depth, in plain words (at most ``REASON_MAX`` characters)."""
    why = "; ".join(signals) if signals else score
    if late and detailed:
        within = f", within the cap of {cap}" if cap is not None else ""
        text = f"{why}; added after the cycle was generated (rank {rank}{within})"
    elif late:
        text = f"Light-touch: added after the cycle's {cap} detailed reviews were taken (rank {rank}; {why})"
    elif cap is None:
        text = f"{why}; this cadence has no cap, so every matching partner gets a detailed review"
    elif total <= cap:
        text = f"{why}; all {total} matching partners fit the cap of {cap}"
    elif detailed:
        text = f"{why if signals else f'Lower score first ({score})'}: rank {rank} of {total}, within the cap of {cap}"
    else:
        text = f"Light-touch: rank {rank} of {total}, past the cap of {cap} ({'; '.join([*signals, score])})"
    return (text[:1].upper() + text[1:])[:REASON_MAX]


# --- attendees ---


def _function(value: str) -> str:
    """A member's function (Membership.function) as an attendee's; none given is "other"."""
    return value if value in Attendee.Function.values else Attendee.Function.OTHER


def _internal_attendees(partner: Partner, moderator: Membership | None) -> list[Membership]:
    people: list[Membership] = []
    for person in (moderator, partner.executive_sponsor, partner.data_steward):
        if person is None or not person.is_active or person.role == Role.PARTNER:
            continue
        if all(p.pk != person.pk for p in people):
            people.append(person)
    return people


# --- generation ---


def _check_period(day: date) -> None:
    today = timezone.localdate()
    if not date(today.year - YEARS_BACK, 1, 1) <= day <= date(today.year + YEARS_AHEAD, 12, 31):
        message = f"Choose a period from {today.year - YEARS_BACK} to {today.year + YEARS_AHEAD}."
        raise InvalidStateError(message, extra={"fields": {"period_start": [message]}})


def cycle_get_or_create_locked(*, tenant: Tenant, cadence: Cadence, day: date) -> ReviewCycle:
    """The cycle of ``cadence`` containing ``day`` (created if need be), once this transaction holds the program's
    cycle lock. Callers run inside ``transaction.atomic`` and ``tenant_context(tenant)``."""
    start, end = period_bounds(cadence.frequency, day)
    # Serialise writers of one program's cycles (the scheduler, a click, a review added by hand): the counts and
    # ranks they read from the cycle's reviews must not interleave with another run adding to them.
    tenant_xact_lock(LOCK_REVIEW_CYCLES, tenant)
    cycle, _ = ReviewCycle.objects.for_tenant(tenant).get_or_create(
        cadence=cadence, period_start=start, defaults={"tenant": tenant, "period_end": end}
    )
    return cycle


@transaction.atomic
def cycle_generate(
    *, tenant: Tenant, cadence: Cadence, period_start: date, actor: Membership | None = None
) -> CycleResult:
    """Generate (or complete) the cycle of ``cadence`` for the period containing ``period_start``.

    ``actor`` None is the scheduler. Raises CrossTenantReferenceError (a foreign cadence or actor),
    PermissionDeniedError (``cycles.generate``) or InvalidStateError (an inactive cadence, a period out of range).
    """
    ensure_same_tenant(tenant, cadence, actor)
    if actor is not None:
        ensure_can(actor, "cycles.generate")
    if not cadence.is_active:
        raise InvalidStateError("This cadence is inactive: activate it before generating cycles.")
    _check_period(period_start)
    with tenant_context(tenant):
        cycle = cycle_get_or_create_locked(tenant=tenant, cadence=cadence, day=period_start)
        cycle.cadence = cadence
        ranks = cycle_partner_ranks(tenant=tenant, cycle=cycle)
        partners = [p for p in cadence_matching_partners(tenant=tenant, cadence=cadence) if p.pk not in ranks]
        created, detailed_created = _add_reviews(tenant, cadence, cycle, partners, ranks) if partners else (0, 0)
        detailed = sum(1 for _, depth in ranks.values() if depth == Review.Depth.DETAILED) + detailed_created
        cycle.generated_at = timezone.now()
        cycle.generated_by = actor
        cycle.qualifying_count = len(ranks) + created
        cycle.detailed_count = detailed
        cycle.save(update_fields=["generated_at", "generated_by", "qualifying_count", "detailed_count", "updated_at"])
    return CycleResult(cycle=cycle, created=created, existing=len(ranks))


def _add_reviews(
    tenant: Tenant,
    cadence: Cadence,
    cycle: ReviewCycle,
    partners: list[Partner],
    ranks: dict[int, tuple[int, str]],
) -> tuple[int, int]:
    """Rank ``partners`` (none has a review in ``cycle`` yet), write their reviews and attendees.

    Returns how many reviews were written, and how many of them are detailed.
    """
    signals = latest_month_signals(tenant=tenant, partner_ids=[p.pk for p in partners], before=cycle.period_start)
    ordered = sorted(partners, key=lambda p: _priority_key(p, signals.get(p.pk)))
    cap = cadence.detailed_cap
    # Reviews added after the cycle was generated are "late"; one scheduled by hand before it was ever generated
    # does not make the whole generation late.
    late = cycle.generated_at is not None and bool(ranks)
    total = len(ranks) + len(partners)
    taken = sum(1 for _, depth in ranks.values() if depth == Review.Depth.DETAILED)
    rank = max((r for r, _ in ranks.values()), default=0)
    first_day = review_first_day(cadence, cycle.period_start, cycle.period_end)
    last_day = max(first_day, _on_or_before_weekday(cycle.period_end))
    load = cycle_moderator_load(tenant=tenant, cycle=cycle) if late else {}
    reviews = []
    for partner in ordered:
        rank += 1
        signal = signals.get(partner.pk)
        detailed = cap is None or taken < cap
        taken += int(detailed)
        moderator = partner.owner if partner.owner is not None and partner.owner.is_active else None
        moderator_id = moderator.pk if moderator is not None else None
        position = load.get(moderator_id, 0)
        load[moderator_id] = position + 1
        scheduled = _slot(first_day, last_day, position)
        reviews.append(
            Review(
                tenant=tenant,
                cycle=cycle,
                cadence=cadence,
                partner=partner,
                kind=cadence.kind,
                depth=Review.Depth.DETAILED if detailed else Review.Depth.LIGHT,
                priority_rank=rank,
                selection_reason=_reason(
                    signals=_signals(partner, signal),
                    score=_score_text(signal),
                    rank=rank,
                    total=total,
                    cap=cap,
                    detailed=detailed,
                    late=late,
                ),
                scheduled_for=scheduled,
                moderator=moderator,
                agenda=cadence.agenda,
                self_assessment_due=scheduled.date() - timedelta(days=cadence.self_assessment_lead_days),
            )
        )
    # ON CONFLICT DO NOTHING on (tenant, cycle, partner): the advisory lock makes conflicts impossible here, but a
    # review written some other way (an admin, a fixture) must not make the whole generation fail.
    Review.objects.for_tenant(tenant).bulk_create(reviews, ignore_conflicts=True)
    # ignore_conflicts leaves the primary keys unset: read back the reviews of exactly these partners.
    by_partner = {p.pk: p for p in partners}
    written = list(
        Review.objects.for_tenant(tenant)
        .filter(cycle=cycle, partner_id__in=list(by_partner))
        .values_list("pk", "partner_id", "moderator_id")
    )
    default_attendees_add(tenant, written, by_partner)
    depth = {review.partner_id: review.depth for review in reviews}
    return len(written), sum(1 for _, partner_id, _ in written if depth[partner_id] == Review.Depth.DETAILED)


def default_attendees_add(
    tenant: Tenant,
    written: Sequence[tuple[int, int, int | None]],
    partners: dict[int, Partner],
    moderators: dict[int, Membership] | None = None,
) -> None:
    """Write the default attendees of reviews given as (review id, partner id, moderator id), ``partners`` by id.

    The moderator is the partner's owner (as the generator assigns it), or the member ``moderators`` names by id
    (a review scheduled by hand with another moderator).
    """
    partner_users: dict[int, list[tuple[int, str]]] = {}
    for member_id, partner_id, function in (
        Membership.objects.for_tenant(tenant)
        .filter(role=Role.PARTNER, partner_id__in=list(partners), is_active=True)
        .order_by("pk")
        .values_list("pk", "partner_id", "function")
    ):
        partner_users.setdefault(partner_id, []).append((member_id, function))
    attendees: list[Attendee] = []
    for review_id, partner_id, moderator_id in written:
        partner = partners[partner_id]
        moderator = None
        if moderator_id is not None:
            moderator = (moderators or {}).get(moderator_id, partner.owner)
        internal = _internal_attendees(partner, moderator)
        attendees.extend(
            Attendee(tenant=tenant, review_id=review_id, membership=person, function=_function(person.function))
            for person in internal
        )
        attendees.extend(
            Attendee(
                tenant=tenant,
                review_id=review_id,
                membership_id=member_id,
                function=_function(function),
                side=Attendee.Side.PARTNER,
            )
            for member_id, function in partner_users.get(partner_id, [])
        )
    Attendee.objects.for_tenant(tenant).bulk_create(attendees, ignore_conflicts=True)


def cycles_generate_upcoming(*, tenant: Tenant, today: date, days_ahead: int = DEFAULT_DAYS_AHEAD) -> list[CycleResult]:
    """Generate every active cadence's cycles that start from ``today`` to ``days_ahead`` days later (the scheduler).

    Idempotent: run daily, it completes each upcoming cycle with any partner that started to match since.
    """
    with tenant_context(tenant):
        cadences = list(Cadence.objects.for_tenant(tenant).filter(is_active=True).order_by("id"))
    horizon = today + timedelta(days=days_ahead)
    results = []
    for cadence in cadences:
        start = cadence_next_cycle(cadence, today).start
        while start <= horizon:
            results.append(cycle_generate(tenant=tenant, cadence=cadence, period_start=start))
            start = shift_period(cadence.frequency, start, 1)
    return results
