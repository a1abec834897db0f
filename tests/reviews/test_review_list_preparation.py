"""The review list shows what needs preparing: the partner's health, the pre-read, the partner's input and overdue
actions; "needs attention" keeps the reviews ahead that need something done, each with its reasons; bounded queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerhub.core.tenancy.context import tenant_context
from reviews.models import Forecast, Review, SelfAssessment
from tests.factories import PartnerFactory
from tests.reviews.factories import ActionItemFactory, CadenceFactory, CycleFactory, ReviewFactory
from tests.reviews.review_program import months_ago, program, snapshot, this_month
from tests.reviews.test_review_page import _as
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db


def _days(n: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=n)


@pytest.fixture
def world(tenant):
    """One review per situation, in one cycle; every partner has a snapshot in the program's latest month."""
    p = program(tenant, scheduled_for=_days(20))  # "Northwind Traders": on track
    cycle = p.review.cycle
    snapshot(p.partner, this_month(), score=81, rag="green")
    reviews = {"Northwind Traders": p.review}

    def review(name, *, when=20, rag="green", trend="stable", **fields):
        partner = PartnerFactory(tenant=tenant, name=name, owner=p.moderator)
        snapshot(partner, this_month(), score={"green": 85, "amber": 65, "red": 40}[rag], rag=rag, trend=trend)
        reviews[name] = ReviewFactory(
            cycle=cycle, partner=partner, moderator=p.moderator, scheduled_for=_days(when), **fields
        )
        return reviews[name]

    review("Red Partner", rag="red")
    review("Declining Partner", rag="amber", trend="declining")
    behind = review("Behind On Actions")
    ActionItemFactory(review=behind, due_date=timezone.localdate() - timedelta(days=3))
    ActionItemFactory(review=behind, due_date=timezone.localdate() - timedelta(days=1), status="done")
    review("Late Input", self_assessment_due=timezone.localdate() - timedelta(days=1))
    inputs_in(review("Input In", self_assessment_due=timezone.localdate() - timedelta(days=1)))
    inputs_in(review("Pre-read Late", when=2))  # its pre-read was due 7 days before: five days ago
    inputs_in(review("Not Held", when=-2, state=Review.State.PREPARING, preread_generated_at=_days(-9)))
    review("Held Red", when=-5, rag="red", state=Review.State.HELD)
    recovered = review("Was Red Once")  # red a year ago, green now: not at risk
    snapshot(recovered.partner, months_ago(12), score=30, rag="red")
    return p, reviews


def inputs_in(review):
    """The partner's self-assessment and forecast for ``review``, submitted."""
    with tenant_context(review.tenant):
        SelfAssessment.objects.create(
            tenant=review.tenant, review=review, partner=review.partner, submitted_at=timezone.now()
        )
        Forecast.objects.create(
            tenant=review.tenant,
            review=review,
            partner=review.partner,
            quarter_start=review.cycle.period_start,
            submitted_at=timezone.now(),
        )


def _rows(client, p, **query):
    response = _as(client, p.executive).get(tenant_url("review_list", p.tenant), query)
    assert response.status_code == 200
    return {row.review.partner.name: row for row in response.context["rows"]}


def test_needs_attention_keeps_the_reviews_ahead_that_need_something_each_with_its_reasons(client, world):
    p, _ = world
    rows = _rows(client, p, attention="on")
    assert {name: row.reasons for name, row in rows.items()} == {
        "Red Partner": ["Red"],
        "Declining Partner": ["Declining"],
        "Behind On Actions": ["1 overdue action"],
        "Late Input": ["Self-assessment late", "Forecast late"],  # the QBR cadence asks a forecast too
        "Pre-read Late": ["Pre-read not ready"],
        "Not Held": ["Not marked as held"],
    }


def test_the_list_without_the_filter_shows_every_review_and_flags_only_those_needing_attention(client, world):
    p, reviews = world
    rows = _rows(client, p, when="")
    assert set(rows) == set(reviews)
    assert rows["Northwind Traders"].reasons == []
    assert rows["Input In"].reasons == []
    assert rows["Was Red Once"].reasons == []
    assert rows["Held Red"].reasons == []  # held: nothing left to prepare
    assert [entry.submitted_at is not None for entry in rows["Input In"].inputs] == [True, True]


def test_the_list_shows_score_rag_trend_pre_read_and_overdue_actions(client, world):
    p, _reviews = world
    response = _as(client, p.executive).get(tenant_url("review_list", p.tenant), {"when": ""})
    row = next(r for r in response.context["rows"] if r.review.partner.name == "Declining Partner")
    assert (float(row.health.score), row.health.rag, row.health.trend) == (65.0, "amber", "declining")
    behind = next(r for r in response.context["rows"] if r.review.partner.name == "Behind On Actions")
    assert behind.review.overdue_actions == 1  # the done one is not overdue
    assert {r.review.partner.name: r.preread for r in response.context["rows"]}["Pre-read Late"] == "late"
    body = response.content.decode()
    assert "Self-assessment late" in body
    assert "scores of " in body
    assert ", 0 to 100" in body


def test_the_head_counts_what_needs_attention_and_the_load_by_week(client, world):
    p, _ = world
    response = _as(client, p.executive).get(tenant_url("review_list", p.tenant))
    summary = response.context["summary"]
    # Not yet held: nine of the ten (one is held); six need attention, each for one reason.
    assert (summary.open, summary.attention) == (9, 6)
    assert (summary.at_risk, summary.overdue_actions, summary.input_late) == (2, 1, 1)
    assert (summary.preread_late, summary.not_held) == (1, 1)
    load = response.context["load"]
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    assert len(load) == 8
    assert load[0].week == monday
    not_held_this_week = timezone.localdate(_days(-2)) >= monday
    assert sum(week.reviews for week in load) == 8 + not_held_this_week
    assert 'data-figure="' in response.content.decode()


def test_the_switch_to_needs_attention_spans_every_date_and_keeps_other_filters(client, world):
    p, _ = world
    response = _as(client, p.executive).get(tenant_url("review_list", p.tenant), {"kind": "qbr", "when": "upcoming"})
    assert response.context["attention_url"].endswith("?kind=qbr&attention=on")
    rows = _rows(client, p, kind="qbr", attention="on")
    assert "Not Held" in rows  # its date has passed: "upcoming" would have hidden it


def _busy_program(tenant, n):
    p = program(tenant)
    cadence = CadenceFactory(tenant=tenant, asks_forecast=True)
    cycle = CycleFactory(cadence=cadence)
    for i in range(n):
        partner = PartnerFactory(tenant=tenant, owner=p.moderator)
        snapshot(partner, this_month(), score=40 + i, rag="red" if i % 2 else "amber", trend="declining")
        review = ReviewFactory(cycle=cycle, partner=partner, moderator=p.moderator, scheduled_for=_days(3 + i % 5))
        ActionItemFactory(review=review, due_date=timezone.localdate() - timedelta(days=2))
        with tenant_context(tenant):
            SelfAssessment.objects.create(tenant=tenant, review=review, partner=partner, submitted_at=timezone.now())
    return p


@pytest.mark.parametrize("query", [{}, {"attention": "on"}])
def test_the_list_reads_the_same_number_of_queries_for_4_or_24_reviews_with_everything(
    client, tenant, other_tenant, query
):
    counts = []
    for t, n in ((tenant, 4), (other_tenant, 24)):
        p = _busy_program(t, n)
        client.logout()
        with CaptureQueriesContext(connection) as captured:
            response = _as(client, p.executive).get(tenant_url("review_list", t), query)
        assert response.status_code == 200
        assert len(response.context["rows"]) >= n
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_a_partners_own_state_is_prepared_for_in_its_next_review_only(client, world):
    p, reviews = world
    red = reviews["Red Partner"]
    later_cycle = CycleFactory(cadence=red.cadence, period_start=red.cycle.period_end + timedelta(days=1))
    later = ReviewFactory(cycle=later_cycle, partner=red.partner, moderator=p.moderator, scheduled_for=_days(40))

    def reasons(**query):
        response = _as(client, p.executive).get(tenant_url("review_list", p.tenant), query)
        return {row.review.pk: row.reasons for row in response.context["rows"]}

    every = reasons(when="")
    assert every[red.pk] == ["Red"]
    assert every[later.pk] == []  # the same red partner, a month later: nothing to prepare yet
    needing = reasons(attention="on")
    assert red.pk in needing
    assert later.pk not in needing
