"""Deal-derived money metrics in a program with deals in several currencies: each amount converts into the reporting
currency at the rate in force on its own date (issue 15), never added as it stands; no rate, no value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.tenancy.context import tenant_context
from scorecards.domain.currency import RateTable
from scorecards.models import ExchangeRate, ScorecardSnapshot
from scorecards.selectors.deal_metrics import deal_metrics_for_tenant
from scorecards.services.snapshots import snapshot_refresh
from tests.factories import PartnerFactory
from tests.scorecards.factories import DealFactory, MetricFactory, simple_scorecard

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def test_a_rate_applies_from_its_date_until_the_next_one():
    table = RateTable.from_rows([("EUR", "USD", date(2026, 1, 1), 1.1), ("EUR", "USD", date(2026, 1, 15), 1.2)])

    assert table.rate_on("EUR", "USD", date(2026, 1, 14)) == 1.1
    assert table.rate_on("EUR", "USD", date(2026, 1, 15)) == 1.2
    assert table.rate_on("EUR", "USD", date(2027, 6, 1)) == 1.2
    assert table.rate_on("EUR", "USD", date(2025, 12, 31)) is None
    assert table.rate_on("USD", "USD", date(2020, 1, 1)) == 1.0


def test_only_the_inverse_pair_known_converts_at_one_over_its_rate():
    table = RateTable.from_rows([("USD", "GBP", date(2026, 1, 1), 0.8)])

    assert table.rate_on("GBP", "USD", date(2026, 2, 1)) == pytest.approx(1.25)


def test_convert_leaves_an_amount_without_a_rate_as_missing_never_unconverted():
    table = RateTable.from_rows([("EUR", "USD", date(2026, 1, 1), 1.1)])

    out = table.convert([100, 100, 100], ["USD", "EUR", "CHF"], [JAN, FEB, FEB], to="USD")

    assert out.amounts[:2].tolist() == pytest.approx([100.0, 110.0])
    assert out.missing.tolist() == [False, False, True]


def _rates(tenant):
    with tenant_context(tenant):
        for day, rate in [(date(2026, 1, 1), "1.10"), (date(2026, 1, 15), "1.20"), (date(2026, 3, 1), "1.30")]:
            ExchangeRate.objects.create(tenant=tenant, from_currency="EUR", to_currency="USD", date=day, rate=rate)


def _book(tenant):
    partner = PartnerFactory(tenant=tenant, name="Mixed currencies")
    DealFactory(tenant=tenant, partner=partner, amount=Decimal(1000), currency="USD", created_on=date(2026, 1, 10))
    # 1,000 EUR opened on 20 January (1.20), won on 10 March (1.30).
    DealFactory(
        tenant=tenant,
        partner=partner,
        amount=Decimal(1000),
        currency="EUR",
        created_on=date(2026, 1, 20),
        close_date=date(2026, 3, 10),
        status="won",
    )
    # 500 CHF in February: the program has no CHF rate at all.
    DealFactory(tenant=tenant, partner=partner, amount=Decimal(500), currency="CHF", created_on=date(2026, 2, 3))
    return partner


def _values(frame):
    return {(row.month.date(), row.metric): row.value for row in frame.itertuples()}


def test_pipeline_created_converts_each_deal_at_the_rate_of_the_day_it_was_opened(tenant):
    _rates(tenant)
    _book(tenant)

    with tenant_context(tenant):
        values = _values(deal_metrics_for_tenant(tenant=tenant, start=JAN, end=MAR))

    assert values[(JAN, "pipeline_created")] == pytest.approx(1000 + 1000 * 1.20)
    assert values[(MAR, "pipeline_created")] == 0.0


def test_a_month_holding_an_amount_with_no_rate_has_no_pipeline_value_rather_than_a_wrong_one(tenant):
    _rates(tenant)
    _book(tenant)

    with tenant_context(tenant):
        values = _values(deal_metrics_for_tenant(tenant=tenant, start=JAN, end=MAR))

    assert (FEB, "pipeline_created") not in values


def test_average_deal_size_converts_a_won_deal_at_the_rate_of_its_close_date(tenant):
    _rates(tenant)
    _book(tenant)

    with tenant_context(tenant):
        values = _values(deal_metrics_for_tenant(tenant=tenant, start=JAN, end=MAR))

    assert values[(MAR, "avg_deal_size")] == pytest.approx(1300.0)


def test_a_program_in_euros_converts_dollar_deals_with_the_inverse_rate(tenant):
    tenant.currency = "EUR"
    tenant.save(update_fields=["currency"])
    _rates(tenant)
    partner = PartnerFactory(tenant=tenant)
    DealFactory(tenant=tenant, partner=partner, amount=Decimal(1200), currency="USD", created_on=date(2026, 1, 20))

    with tenant_context(tenant):
        values = _values(deal_metrics_for_tenant(tenant=tenant, start=JAN, end=JAN))

    assert values[(JAN, "pipeline_created")] == pytest.approx(1000.0)


def test_the_snapshot_refresh_scores_the_converted_pipeline(tenant):
    pipeline = MetricFactory(
        tenant=tenant, key="pipeline_created", name="Pipeline created", unit="currency", derived_from_deals=True
    )
    simple_scorecard(tenant, [pipeline], target=10000)
    _rates(tenant)
    partner = _book(tenant)

    snapshot_refresh(tenant=tenant, today=date(2026, 4, 10))

    with tenant_context(tenant):
        rows = ScorecardSnapshot.objects.filter(partner=partner, period="month").values_list("period_start", "items")
        actuals = {start: items[0]["actual"] for start, items in rows}
    assert actuals[JAN] == pytest.approx(2200.0)
    assert actuals[FEB] is None  # the CHF deal has no rate: no value, never 2,200 + 500
    assert actuals[MAR] == 0.0
