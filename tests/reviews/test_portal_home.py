"""The portal home speaks to the partner: their score against their segment and tier (a rank in a small group, a
percentile in a large one, the segment named), their next review, what is due from them with dates, and the latest
shared decisions; nothing of another partner, nothing internal."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerhub.core.models import Partner
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import Review
from scorecards.domain.standing import MIN_PERCENTILE_GROUP, addressed_to_partner, standing_in_group
from tests.factories import PartnerFactory
from tests.reviews.factories import ActionItemFactory
from tests.reviews.portal_world import portal, qbr, shared_and_internal_record, upcoming_qbr
from tests.reviews.review_program import snapshot, this_month
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db
_names = itertools.count().__next__
RESELLER, GROWTH, GOLD = Partner.Type.RESELLER, Partner.Stage.GROWTH, Partner.Tier.GOLD


@pytest.fixture
def world(tenant):
    return portal(tenant)


def _segment(world, scores, **fields):
    """Scored peers of the partner's segment (reseller, growth) in this month; other fields as given."""
    for score in scores:
        peer = PartnerFactory(
            tenant=world.tenant, name=f"PEER-{_names()}-MARKER", partner_type=RESELLER, stage=GROWTH, **fields
        )
        snapshot(peer, this_month(), score=score, rag="green" if score >= 80 else "amber")


def _home(client_for, world):
    response = client_for(world.partner_user).get(tenant_url("portal_home", world.tenant))
    assert response.status_code == 200
    return response.content.decode()


def _own(world, score=72.5, **fields):
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(partner_type=RESELLER, stage=GROWTH, tier=GOLD, **fields)
        world.partner.refresh_from_db()
    snapshot(
        world.partner,
        this_month(),
        score=score,
        rag="amber",
        change=3.5,
        explanation="No clear change: within this partner's usual month-to-month movement of ±4.0.",
    )


def test_a_small_segment_is_said_as_a_rank_and_named(world, client_for):
    _own(world)
    _segment(world, [90, 60, 50, 40, 70])  # with the partner: six, the partner second
    body = _home(client_for, world)
    assert "Your score" in body
    assert "72.5" in body
    assert "of 100" in body
    assert "Reseller partners, growth stage: 6 partners with a score" in body
    assert "you rank <strong>2 of 6</strong>" in body
    assert "median <strong>65.0</strong>" in body  # of 90, 72.5, 70, 60, 50, 40
    assert "percentile" not in body.lower().split("your segment", 1)[1].split("your tier", 1)[0]
    assert "within your usual month-to-month movement" in body  # said to the reader, not about "this partner"
    assert "+3.5 points on the month before" in body
    assert "PEER-" not in body  # no other partner's name


def test_a_large_segment_is_said_as_a_percentile(world, client_for):
    _own(world)
    _segment(world, [10 * n for n in range(1, MIN_PERCENTILE_GROUP)])  # nine peers: 10 ... 90
    body = _home(client_for, world)
    # Seven of the ten score below 72.5: 100 * (7 + 0.5) / 10.
    assert "you score higher than <strong>75&nbsp;%</strong> of them (rank 3 of 10)" in body


def test_the_tier_group_counts_partners_of_the_tier_in_any_segment(world, client_for):
    _own(world)
    _segment(world, [90], tier=GOLD)
    other = PartnerFactory(tenant=world.tenant, partner_type=Partner.Type.SI, tier=GOLD)
    snapshot(other, this_month(), score=50, rag="red")
    body = _home(client_for, world)
    tier = body.split("Your tier</dt>", 1)[1].split("</dd>", 1)[0]
    assert "Gold: 3 partners with a score" in tier
    assert "you rank <strong>2 of 3</strong>" in tier
    assert "median <strong>72.5</strong>" in tier


def test_a_median_of_two_is_never_shown(world, client_for):
    _own(world)
    _segment(world, [90])
    body = _home(client_for, world)
    segment = body.split("Your segment</dt>", 1)[1].split("</dd>", 1)[0]
    assert "rank <strong>2 of 2</strong>" in segment
    assert "median" not in segment  # it would give the other partner's 90 away


def test_before_the_first_scorecard_the_home_says_when_it_comes(world, client_for):
    assert "Your first scorecard appears after the first month of data is in." in _home(client_for, world)


def test_the_next_review_and_what_is_due_from_the_partner_with_dates(world, client_for):
    review = upcoming_qbr(world.tenant, world.partner)  # a week ahead, asks a forecast; due 10 days before: late
    mine = ActionItemFactory(
        review=review,
        description="Send the pipeline export",
        owner=world.partner_user,
        due_date=timezone.localdate() - timedelta(days=2),
    )
    ActionItemFactory(review=review, description="OUR-SIDE-ITEM", owner=world.manager)
    ActionItemFactory(review=review, description="INTERNAL-ITEM", owner=world.partner_user, visibility="internal")
    body = _home(client_for, world)
    assert "Your next review" in body
    assert "Quarterly business review" in body
    assert "(in 7 days)" in body
    due = body.split("Due from you", 1)[1].split("Latest shared decisions", 1)[0]
    assert "Self-assessment</a> for the quarterly business review" in due
    assert "Pipeline forecast for Q" in due
    input_due = timezone.localtime(review.scheduled_for).date() - timedelta(
        days=review.cadence.self_assessment_lead_days
    )
    assert f"was due {input_due:%-d %b %Y}" in due  # ten days before the review: already late
    assert "Send the pipeline export" in due
    assert f"was due {mine.due_date:%-d %b %Y}" in due
    assert "OUR-SIDE-ITEM" not in due  # ours, not theirs; counted below
    assert "INTERNAL-ITEM" not in body
    assert "1 of your action items is overdue." in due
    assert "2 open action items in all, 1 on your side." in due


def test_a_next_review_whose_date_has_passed_says_how_long_ago_not_in_minus_days(world, client_for):
    qbr(world.tenant, world.partner, scheduled_for=timezone.now() - timedelta(days=3))  # not marked as held
    body = _home(client_for, world)
    assert "(3 days ago, not marked as held yet)" in body
    assert "in -" not in body


def test_the_latest_shared_decisions_and_never_an_internal_one(world, client_for):
    held = qbr(world.tenant, world.partner, state=Review.State.SIGNED_OFF)
    shared_and_internal_record(held)
    cancelled = qbr(world.tenant, world.partner, state=Review.State.CANCELLED)
    shared_and_internal_record(cancelled, tag="-CANCELLED")
    sibling = qbr(world.tenant, world.sibling, state=Review.State.SIGNED_OFF)
    shared_and_internal_record(sibling, tag="-SIBLING")
    body = _home(client_for, world)
    decisions = body.split("Latest shared decisions", 1)[1]
    assert "SHARED-DECISION" in decisions
    assert "INTERNAL-DECISION" not in body
    assert "SHARED-DECISION-SIBLING" not in body
    assert "SHARED-DECISION-CANCELLED" not in body


def test_nothing_waiting_is_said_plainly(world, client_for):
    body = _home(client_for, world)
    assert "No review is scheduled yet." in body
    assert "Nothing is waiting for you." in body
    assert "No shared decision yet" in body


def test_the_home_reads_the_same_number_of_queries_for_few_or_many_records(world, client_for, tenant):
    counts = []
    for n in (2, 12):
        _segment(world, [40 + i for i in range(n)])
        for _ in range(n):
            review = qbr(world.tenant, world.partner, state=Review.State.SIGNED_OFF)
            shared_and_internal_record(review)
        client = client_for(world.partner_user)
        client.get(tenant_url("portal_home", world.tenant))
        with CaptureQueriesContext(connection) as captured:
            client.get(tenant_url("portal_home", world.tenant))
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("score", "others", "rank", "percentile", "median"),
    [
        (70.0, [], 1, None, None),
        (70.0, [80.0], 2, None, None),
        (70.0, [80.0, 60.0], 2, None, 70.0),
        (70.0, [70.0, 60.0], 1, None, 70.0),  # ties share the better rank
        (70.0, [float(n) for n in range(9)], 1, 95.0, 4.5),  # ten: 100 * (9 + 0.5) / 10
    ],
)
def test_standing_in_a_group(score, others, rank, percentile, median):
    standing = standing_in_group(score, others)
    assert (standing.size, standing.rank, standing.percentile, standing.median) == (
        len(others) + 1,
        rank,
        percentile,
        median,
    )
    assert standing.says_rank is (percentile is None)


def test_a_sentence_about_the_partner_is_said_to_the_partner():
    assert addressed_to_partner("Within this partner's usual movement.") == "Within your usual movement."
