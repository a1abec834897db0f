from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.core.models import Partner
from partnerhub.core.selectors.program import PartnerFilters
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import Observation
from scorecards.selectors.snapshots import (
    SNAPSHOT_PERIOD_MONTH,
    latest_period,
    partner_snapshots,
    portfolio_snapshots,
    snapshot_latest_at,
    snapshot_latest_scores,
)
from scorecards.services.snapshots import snapshot_refresh
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import MetricFactory, simple_scorecard

pytestmark = pytest.mark.django_db
TODAY = date(2025, 5, 10)


@pytest.fixture
def partners(tenant):
    metric = MetricFactory(tenant=tenant, key="revenue")
    simple_scorecard(tenant, [metric])
    owner = member(tenant)
    people = [
        PartnerFactory(tenant=tenant, name=f"Partner {i}", tier=tier, owner=owner)
        for i, tier in enumerate([Partner.Tier.GOLD, Partner.Tier.SILVER, Partner.Tier.GOLD, Partner.Tier.SILVER])
    ]
    with tenant_context(tenant):
        Observation.objects.bulk_create(
            Observation(tenant=tenant, partner=p, metric=metric, month=date(2025, m, 1), value=Decimal(80 + i + m))
            for i, p in enumerate(people)
            for m in range(1, 5)
        )
    snapshot_refresh(tenant=tenant, today=TODAY)
    return people


def test_the_portfolio_lists_one_snapshot_per_partner_by_name_in_one_query(tenant, partners, django_assert_num_queries):
    with tenant_context(tenant), django_assert_num_queries(1):
        rows = list(portfolio_snapshots(tenant=tenant, period="month", period_start=date(2025, 4, 1)))
        owners = {row.partner.owner.user.email for row in rows}

    assert [row.partner.name for row in rows] == ["Partner 0", "Partner 1", "Partner 2", "Partner 3"]
    assert len(owners) == 1


def test_the_portfolio_filters_on_the_partner(tenant, partners):
    with tenant_context(tenant):
        rows = portfolio_snapshots(
            tenant=tenant, period="quarter", period_start=date(2025, 4, 1), filters=PartnerFilters(tier="gold")
        )
        names = [row.partner.name for row in rows]

    assert names == ["Partner 0", "Partner 2"]


def test_a_partners_snapshots_come_oldest_first(tenant, partners, django_assert_num_queries):
    with tenant_context(tenant), django_assert_num_queries(1):
        starts = [s.period_start for s in partner_snapshots(tenant=tenant, partner=partners[1], period="month")]

    assert starts == [date(2025, m, 1) for m in range(1, 5)]


def test_the_latest_period_is_the_newest_with_snapshots(tenant, partners, other_tenant):
    with tenant_context(tenant):
        assert latest_period(tenant=tenant, period="month") == date(2025, 4, 1)
        assert latest_period(tenant=tenant, period="quarter") == date(2025, 4, 1)
    with tenant_context(other_tenant):
        assert latest_period(tenant=other_tenant, period="month") is None


def test_another_tenant_sees_none_of_the_snapshots(tenant, partners, other_tenant):
    with tenant_context(other_tenant):
        assert not portfolio_snapshots(tenant=other_tenant, period="month", period_start=date(2025, 4, 1)).exists()


def test_latest_scores_give_each_partners_latest_month_in_one_query(tenant, partners, django_assert_num_queries):
    with tenant_context(tenant), django_assert_num_queries(1):
        scores = snapshot_latest_scores(
            tenant=tenant,
            period=SNAPSHOT_PERIOD_MONTH,
            partner_ids=[p.pk for p in partners],
            on_or_before=date(2025, 3, 31),
        )

    assert {pk: s.period_start for pk, s in scores.items()} == {p.pk: date(2025, 3, 1) for p in partners}


def test_latest_at_reads_one_query_per_distinct_period_and_caps_at_the_latest(tenant, partners):
    wanted = {
        10: (partners[0].pk, date(2025, 2, 14)),
        11: (partners[1].pk, date(2025, 2, 20)),
        12: (partners[2].pk, date(2025, 9, 1)),  # after the latest month with snapshots: April's
    }

    with tenant_context(tenant), CaptureQueriesContext(connection) as queries:
        found = snapshot_latest_at(tenant=tenant, period=SNAPSHOT_PERIOD_MONTH, wanted=wanted)
        facts = {key: (s.partner_id, s.period_start, s.months_covered, len(s.items)) for key, s in found.items()}

    assert {key: fact[:2] for key, fact in facts.items()} == {
        10: (partners[0].pk, date(2025, 2, 1)),
        11: (partners[1].pk, date(2025, 2, 1)),
        12: (partners[2].pk, date(2025, 4, 1)),
    }
    # The latest period, then one query per distinct period start: the snapshot rows alone, nothing joined (the
    # pre-read, its caller, has the partners already and uses no template).
    assert len(queries) == 3
    assert not any("JOIN" in q["sql"] for q in queries)
