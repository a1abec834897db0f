from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.models import Partner, Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import ScorecardSnapshot
from tests.factories import member
from tests.scorecards.factories import MetricFactory, simple_scorecard

pytestmark = pytest.mark.django_db
MONTHS = [date(2026, m, 1) for m in range(1, 11)]
# Ceilings: session, user, memberships, tenant and the navigation (about 15, whatever the page), then the page's own
# reads. The counts must not move with the number of partners; the ceilings catch a page that starts reading more.
PORTFOLIO_QUERIES = 25  # 21 before the head above the table (RAG split, turning red, the reviews app's panel)
SCORECARD_QUERIES = 18


def _portfolio(tenant, start, count, metrics, version, owner):
    # In bulk, as a refresh would leave it: every partner scored in October, the first one for ten months.
    now = timezone.now()
    tiers, types = Partner.Tier.values, Partner.Type.values
    with tenant_context(tenant):
        partners = Partner.objects.bulk_create(
            Partner(
                tenant=tenant,
                name=f"Partner {i:05d}",
                partner_type=types[i % len(types)],
                tier=tiers[i % len(tiers)],
                stage=Partner.Stage.GROWTH,
                region=Partner.Region.EMEA,
                market="Germany",
                owner=owner,
            )
            for i in range(start, start + count)
        )

        def snapshot(partner, month, score):
            items = [
                {"metric_id": m.pk, "weight": 50.0, "target": 100.0, "actual": float(score), "normalised": None,
                 "attainment": float(score), "points": score / 2, "rag": "amber", "missing": False}
                for m in metrics
            ]  # fmt: skip
            return ScorecardSnapshot(
                tenant=tenant,
                partner=partner,
                period="month",
                period_start=month,
                template_version=version,
                score=Decimal(score),
                rag="green" if score >= 80 else "amber" if score >= 60 else "red",
                percentile=Decimal(50),
                change_previous=Decimal(1),
                trend="stable",
                trend_explanation="Within this partner's usual movement.",
                items=items,
                computed_at=now,
            )

        rows = [snapshot(p, MONTHS[-1], 40 + i % 60) for i, p in enumerate(partners)]
        rows += [snapshot(p, month, 60 + n) for p in partners[:1] for n, month in enumerate(MONTHS[:-1])]
        ScorecardSnapshot.objects.bulk_create(rows, batch_size=2000)
    return partners


@pytest.fixture
def grow(tenant):
    # Adds partners (with their snapshots) to the program: 100 first, then 4,900 more.
    metrics = [MetricFactory(tenant=tenant, key="revenue", name="Revenue"), MetricFactory(tenant=tenant, key="csat")]
    version = simple_scorecard(tenant, metrics)
    owner = member(tenant, Role.MANAGER)
    made = []

    def add(count):
        made.extend(_portfolio(tenant, len(made), count, metrics, version, owner))
        return made

    return add


def _queries(client, url, params=None):
    client.get(url, params)  # warm: session, caches
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


@pytest.mark.parametrize("params", [{}, {"sort": "change", "page": "2"}, {"tier": "gold"}])
def test_the_portfolio_runs_the_same_queries_at_100_and_5000_partners(client, tenant, grow, params):
    grow(100)
    client.force_login(member(tenant, Role.MANAGER).user)
    url = reverse("portfolio", kwargs={"tenant_slug": tenant.slug})
    at_100, _ = _queries(client, url, params)

    grow(4900)
    at_5000, page = _queries(client, url, params)

    assert at_5000 == at_100 <= PORTFOLIO_QUERIES
    assert f"{5000 if not params.get('tier') else 1250} partners" in page


def test_the_partner_scorecard_runs_the_same_queries_at_100_and_5000_partners(client, tenant, grow):
    first = grow(100)[0]
    client.force_login(member(tenant, Role.MANAGER).user)
    url = reverse("partner_scorecard", kwargs={"tenant_slug": tenant.slug, "partner_id": first.pk})
    at_100, _ = _queries(client, url)

    grow(4900)
    at_5000, page = _queries(client, url)

    assert at_5000 == at_100 <= SCORECARD_QUERIES
    assert "Partner 00000" in page
