from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from django.urls import reverse

from partnerhub.core.errors import InvalidStateError, PermissionDeniedError
from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.domain.deal_rubric import score_deals
from scorecards.models import DealReview
from scorecards.selectors.deal_reviews import deal_quality_by_partner_month
from scorecards.services.deal_reviews import deal_review_transition, deal_reviews_refresh
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import DealFactory


def _deal(**overrides):
    base = {
        "partner_id": 1,
        "amount": 100.0,
        "median_amount": 100.0,
        "discount_pct": 0.0,
        "term_months": 36.0,
        "is_renewal": False,
        "registration_status": "approved",
        "probability": 80,
        "status": "open",
    }
    return {**base, **overrides}


@pytest.mark.parametrize(
    ("overrides", "criterion", "expected"),
    [
        ({"amount": 150.0}, "pricing_integrity", 5),
        ({"amount": 250.0}, "pricing_integrity", 4),
        ({"amount": 40.0}, "pricing_integrity", 4),
        ({"amount": 1200.0}, "pricing_integrity", 1),
        ({"discount_pct": 5.0}, "discount_discipline", 5),
        ({"discount_pct": 12.0}, "discount_discipline", 3),
        ({"discount_pct": 40.0}, "discount_discipline", 1),
        ({"term_months": 24.0}, "contract_terms", 4),
        ({"term_months": 6.0}, "contract_terms", 2),
        ({"term_months": None}, "contract_terms", 1),
        ({"is_renewal": True, "registration_status": ""}, "renewal_risk", 5),
        ({"registration_status": "pending"}, "renewal_risk", 3),
        ({"registration_status": ""}, "renewal_risk", 2),
        ({"registration_status": "rejected"}, "renewal_risk", 1),
        ({"probability": 55}, "technical_risk", 4),
        ({"probability": 5}, "technical_risk", 1),
        ({"status": "won", "probability": 0}, "technical_risk", 5),
        ({"status": "lost", "probability": 90}, "technical_risk", 1),
    ],
)
def test_each_rubric_criterion_follows_its_documented_rule(overrides, criterion, expected):
    scores = score_deals(pd.DataFrame([_deal(**overrides)]))
    assert int(scores.loc[0, criterion]) == expected


def test_a_deal_quality_is_the_mean_of_its_five_criteria():
    scores = score_deals(pd.DataFrame([_deal(discount_pct=12.0, term_months=6.0)]))
    assert float(scores.loc[0, "quality"]) == pytest.approx((5 + 3 + 2 + 4 + 5) / 5)


@pytest.fixture
def large_deals(tenant):
    partner = PartnerFactory(tenant=tenant)
    small = [DealFactory(partner=partner, amount=Decimal(1000), external_id=f"S{i}") for i in range(3)]
    big = [
        DealFactory(partner=partner, amount=Decimal(90000), external_id=f"B{i}", created_on=date(2026, 9, 3))
        for i in range(2)
    ]
    return partner, small, big


@pytest.mark.django_db
def test_deals_above_the_threshold_are_queued_once_and_the_refresh_is_idempotent(tenant, large_deals):
    with tenant_context(tenant):
        first = deal_reviews_refresh(tenant=tenant)
        second = deal_reviews_refresh(tenant=tenant)
        reviewed = set(DealReview.objects.values_list("deal__external_id", flat=True))
    assert (first.queued, second.queued, second.rescored) == (2, 0, 0)
    assert reviewed == {"B0", "B1"}


@pytest.mark.django_db
def test_a_review_moves_from_queued_to_in_review_to_approved_or_changes_requested(tenant, large_deals):
    manager = member(tenant, Role.MANAGER)
    with tenant_context(tenant):
        deal_reviews_refresh(tenant=tenant)
        one, two = DealReview.objects.order_by("id")
        deal_review_transition(tenant=tenant, actor=manager, review=one, action="start")
        deal_review_transition(tenant=tenant, actor=manager, review=one, action="approve")
        deal_review_transition(tenant=tenant, actor=manager, review=two, action="start")
        with pytest.raises(InvalidStateError, match="Say what must change"):
            deal_review_transition(tenant=tenant, actor=manager, review=two, action="request_changes")
        deal_review_transition(
            tenant=tenant, actor=manager, review=two, action="request_changes", comment="Discount needs sign-off"
        )
        with pytest.raises(InvalidStateError, match="cannot be decided"):
            deal_review_transition(tenant=tenant, actor=manager, review=one, action="approve")
    assert (one.status, one.reviewer, two.status, two.comment) == (
        DealReview.Status.APPROVED,
        manager,
        DealReview.Status.CHANGES_REQUESTED,
        "Discount needs sign-off",
    )


@pytest.mark.django_db
def test_an_executive_may_not_decide_a_review(tenant, large_deals):
    executive = member(tenant, Role.EXECUTIVE)
    with tenant_context(tenant):
        deal_reviews_refresh(tenant=tenant)
        review = DealReview.objects.first()
        with pytest.raises(PermissionDeniedError):
            deal_review_transition(tenant=tenant, actor=executive, review=review, action="start")


@pytest.mark.django_db
def test_the_deal_quality_metric_is_the_mean_quality_per_partner_and_month(tenant, large_deals):
    partner, _, _ = large_deals
    with tenant_context(tenant):
        deal_reviews_refresh(tenant=tenant)
        expected = float(sum(r.quality for r in DealReview.objects.all()) / 2)
        frame = deal_quality_by_partner_month(tenant=tenant)
    assert frame.to_dict("records") == [
        {
            "partner_id": partner.pk,
            "month": date(2026, 9, 1),
            "metric": "deal_quality",
            "value": pytest.approx(expected),
        }
    ]


@pytest.mark.django_db
def test_the_review_queue_page_lists_queued_deals_and_a_manager_starts_one(client, tenant, large_deals):
    manager = member(tenant, Role.MANAGER)
    with tenant_context(tenant):
        deal_reviews_refresh(tenant=tenant)
        review = DealReview.objects.order_by("id").first()
    client.force_login(manager.user)
    url = reverse("deal_review_list", kwargs={"tenant_slug": tenant.slug})
    page = client.get(url).content.decode()
    response = client.post(
        reverse("deal_review_action", kwargs={"tenant_slug": tenant.slug, "deal_review_id": review.pk}),
        {"action": "start"},
    )
    with tenant_context(tenant):
        review.refresh_from_db()
    assert "B0" in page
    assert "S0" not in page
    assert response.status_code == 302
    assert review.status == DealReview.Status.IN_REVIEW


@pytest.mark.django_db
def test_a_partner_user_cannot_open_the_review_queue(client, tenant, large_deals):
    partner, _, _ = large_deals
    client.force_login(member(tenant, Role.PARTNER, partner=partner).user)
    assert client.get(reverse("deal_review_list", kwargs={"tenant_slug": tenant.slug})).status_code == 403
