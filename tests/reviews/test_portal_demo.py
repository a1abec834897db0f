from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.demo.review_portal import seed_portal
from partnerhub.demo.scorecards import seed_partner_data
from reviews.models import Forecast, ForecastLine, Review, SelfAssessment
from scorecards.models import Observation
from tests.factories import PartnerFactory, UserFactory, member
from tests.reviews.factories import CadenceFactory, CycleFactory, ReviewFactory
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)
QUARTERS = [date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)]


@pytest.fixture
def demo(tenant):
    manager = member(tenant, Role.MANAGER)
    partners = [PartnerFactory(tenant=tenant, name=f"Demo {i}", owner=manager) for i in range(3)]
    user = member(tenant, Role.PARTNER, partner=partners[0], user=UserFactory(email="partner1@demo.test"))
    seed_partner_data(tenant, months=24, today=TODAY)
    qbr = CadenceFactory(tenant=tenant, name="Quarterly business review", asks_forecast=True)
    health = CadenceFactory(tenant=tenant, name="Health check", asks_forecast=False, kind="health_check")
    reviews = {}
    for start in QUARTERS:
        cycle = CycleFactory(cadence=qbr, period_start=start, period_end=date(start.year, start.month + 2, 28))
        for partner in partners:
            past = start < date(2026, 10, 1)
            reviews[(partner.pk, start)] = ReviewFactory(
                cycle=cycle,
                partner=partner,
                scheduled_for=datetime(start.year, start.month, 15, 14, tzinfo=UTC),
                state=Review.State.SIGNED_OFF if past else Review.State.SCHEDULED,
            )
    ReviewFactory(
        cycle=CycleFactory(cadence=health, period_start=date(2026, 9, 1), period_end=date(2026, 9, 30)),
        partner=partners[0],
        state=Review.State.SIGNED_OFF,
    )
    return {"partners": partners, "user": user, "reviews": reviews}


def test_past_qbrs_get_a_self_assessment_and_a_forecast_on_real_deals_scored_when_their_quarter_ended(tenant, demo):
    result = seed_portal(tenant, today=TODAY)

    with tenant_context(tenant):
        forecasts = list(Forecast.objects.select_related("review").order_by("quarter_start", "partner_id"))
        matched = ForecastLine.objects.filter(deal__isnull=False).count()
        scored_observations = Observation.objects.filter(source="forecast scoring").count()
        assessed = set(SelfAssessment.objects.values_list("review_id", flat=True))
    assert (result["forecasts"], result["self_assessments"], result["scored"]) == (9, 9, 9)
    assert {f.quarter_start for f in forecasts} == set(QUARTERS[:3])
    assert all(f.accuracy is not None and 0 <= f.accuracy <= 100 for f in forecasts)
    assert len({f.accuracy for f in forecasts}) > 1  # not every partner forecasts equally well
    assert matched >= 9
    assert scored_observations == 9 * 3
    assert assessed == {f.review_id for f in forecasts}


def test_the_partner_users_upcoming_qbr_is_left_to_do(tenant, demo, client_for):
    seed_portal(tenant, today=TODAY)
    upcoming = demo["reviews"][(demo["partners"][0].pk, date(2026, 10, 1))]

    body = client_for(demo["user"]).get(tenant_url("portal_review_list", tenant)).content.decode()

    with tenant_context(tenant):
        assert not Forecast.objects.filter(review=upcoming).exists()
        assert not SelfAssessment.objects.filter(review=upcoming).exists()
    assert "Self-assessment due" in body
    assert "Forecast for Q4 2026 due" in body
    assert "% accurate" in body


def test_seeding_twice_writes_nothing_more(tenant, demo):
    seed_portal(tenant, today=TODAY)

    again = seed_portal(tenant, today=TODAY)

    assert again == {"self_assessments": 0, "forecasts": 0, "forecast_lines": 0, "scored": 0}


def test_a_program_without_reviews_seeds_nothing(other_tenant):
    assert seed_portal(other_tenant, today=TODAY) == {
        "self_assessments": 0,
        "forecasts": 0,
        "forecast_lines": 0,
        "scored": 0,
    }
