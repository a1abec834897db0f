from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from partnerhub.core.domain.periods import add_months
from partnerhub.core.models import Membership, Role
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.demo.review_history import seed_review_history
from reviews.models import ActionItem, Decision, PromptRating, Review, ReviewCycle, ReviewNote, ReviewTransition
from tests.factories import PartnerFactory, member
from tests.reviews.factories import DEFAULT_AGENDA, CadenceFactory
from tests.reviews.review_program import snapshot

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _month(n):
    return add_months(date(2026, 11, 1), -n)  # months before November 2026


def _history(tenant, partners=6, months=5):
    """A monthly cadence with ``months`` past cycles and one upcoming, a review per partner per cycle (bulk)."""
    manager = member(tenant, Role.MANAGER)
    people = PartnerFactory.create_batch(partners, tenant=tenant, owner=manager)
    member(tenant, Role.PARTNER, partner=people[0])
    cadence = CadenceFactory(tenant=tenant, kind="health_check", frequency="monthly", prep_lead_days=7)
    with tenant_context(tenant):
        cycles = ReviewCycle.objects.bulk_create(
            ReviewCycle(
                tenant=tenant, cadence=cadence, period_start=_month(n), period_end=_month(n) + timedelta(days=27)
            )
            for n in range(-1, months)
        )
        Review.objects.bulk_create(
            Review(
                tenant=tenant,
                cycle=cycle,
                cadence=cadence,
                partner=partner,
                kind="health_check",
                depth="detailed" if i % 3 else "light",
                scheduled_for=datetime.combine(cycle.period_start + timedelta(days=14), datetime.min.time(), UTC)
                + timedelta(hours=9 + i % 6),
                moderator=manager,
                agenda=DEFAULT_AGENDA,
            )
            for cycle in cycles
            for i, partner in enumerate(people)
        )
    return people


def test_past_reviews_are_signed_off_with_pre_reads_and_the_last_two_cycles_have_records(tenant):
    people = _history(tenant)
    snapshot(people[1], _month(1), score=48, rag="red", trend="declining", explanation="Fell 10 points")

    counts = seed_review_history(tenant, now=NOW)

    with tenant_context(tenant):
        past = Review.objects.filter(scheduled_for__lt=NOW)
        assert set(past.values_list("state", flat=True)) <= {"signed_off", "held", "cancelled"}
        assert not past.exclude(state="cancelled").filter(preread__isnull=True).exists()
        upcoming = Review.objects.filter(scheduled_for__gte=NOW)
        assert set(upcoming.values_list("state", flat=True)) <= {"scheduled", "preparing"}
        # The full record (ratings) is on the last two cycles; every other held review has its one-line note.
        recorded = set(PromptRating.objects.values_list("review__cycle__period_start", flat=True))
        assert recorded == {_month(0), _month(1)}
        assert set(ReviewNote.objects.values_list("visibility", flat=True)) == {"shared", "internal"}
        assert PromptRating.objects.exists()
        assert Decision.objects.exists()
        statuses = set(ActionItem.objects.values_list("status", flat=True))
        overdue = ActionItem.objects.filter(status="open", due_date__lt=NOW.date())
        assert {"done", "open"} <= statuses
        assert overdue.exists()
        # Light-touch checks get only a one-line shared note (never signed off empty), except for the partners with a
        # portal login (the demo's showcase), who get a full record.
        with_login = Membership.objects.filter(role="partner").values("partner_id")
        light = ReviewNote.objects.filter(review__depth="light").exclude(review__partner__in=with_login)
        assert set(light.values_list("visibility", flat=True)) <= {"shared"}
        assert not PromptRating.objects.filter(review__depth="light").exclude(review__partner__in=with_login).exists()
        signed = past.filter(state="signed_off").first()
        assert list(
            ReviewTransition.objects.filter(review=signed).order_by("created_at").values_list("to_state", flat=True)
        ) == ["preparing", "held", "signed_off"]
        red = past.get(partner=people[1], cycle__period_start=_month(0))
    assert "scored 48.0 (red)" in red.preread["summary"][0]
    assert counts["signed_off"] > 0


def test_seeding_twice_writes_nothing_new(tenant):
    _history(tenant)
    seed_review_history(tenant, now=NOW)
    with tenant_context(tenant):
        before = (ReviewNote.objects.count(), ActionItem.objects.count(), ReviewTransition.objects.count())
    again = seed_review_history(tenant, now=NOW)
    with tenant_context(tenant):
        after = (ReviewNote.objects.count(), ActionItem.objects.count(), ReviewTransition.objects.count())
    assert before == after
    assert again == {"upcoming_prepared": 0}


def test_sixty_partners_with_ten_past_reviews_each_seed_in_a_few_seconds(tenant):
    _history(tenant, partners=60, months=10)
    started = time.monotonic()
    counts = seed_review_history(tenant, now=NOW)
    elapsed = time.monotonic() - started
    assert counts.get("signed_off", 0) + counts.get("held", 0) + counts.get("cancelled", 0) == 600
    print(f"seeded 600 past reviews in {elapsed:.2f}s", counts)
    assert elapsed < 8, f"seeding took {elapsed:.1f}s"
