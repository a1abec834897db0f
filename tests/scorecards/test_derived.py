"""Deal-derived metrics: each rule on a hand-made DataFrame, then the tenant selector over real deals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from partnerhub.core.tenancy.context import tenant_context
from scorecards.domain.deal_metrics import DEAL_COLUMNS, DEAL_METRIC_KEYS, OUTPUT_COLUMNS, deal_metrics
from scorecards.domain.glossary_defaults import DEFAULT_METRICS
from scorecards.models import Deal
from scorecards.selectors.deal_metrics import deal_metrics_for_tenant
from tests.factories import PartnerFactory
from tests.scorecards.factories import deal

JAN, FEB, MAR, APR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)


def deals_frame(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=list(DEAL_COLUMNS))


# partner 1: two wins and a loss closed in February (one win and the loss are renewals), an open deal in April;
# partner 2: one loss in March.
BOOK = deals_frame(
    (1, 1000.0, date(2026, 1, 5), date(2026, 2, 10), "won", 10.0, False),
    (1, 3000.0, date(2026, 1, 20), date(2026, 2, 25), "won", 20.0, True),
    (1, 500.0, date(2026, 2, 1), date(2026, 2, 20), "lost", 0.0, True),
    (1, 800.0, date(2026, 4, 1), None, "open", 0.0, False),
    (2, 700.0, date(2026, 3, 1), date(2026, 3, 1), "lost", 0.0, False),
)


def values(frame: pd.DataFrame) -> dict[tuple[int, date, str], float]:
    return {(r.partner_id, r.month.date(), r.metric): round(r.value, 4) for r in frame.itertuples()}


def test_the_metric_keys_are_the_catalog_keys_of_the_deal_derived_metrics():
    # deal_quality is derived from deals too, but through the deal-quality rubric (scorecards.domain.deal_rubric).
    rubric = {"deal_quality"}
    assert set(DEAL_METRIC_KEYS) == {spec.key for spec in DEFAULT_METRICS if spec.derived_from_deals} - rubric
    assert set(deal_metrics(BOOK)["metric"]) == set(DEAL_METRIC_KEYS)


def test_pipeline_created_sums_the_amounts_of_the_deals_created_in_the_month_whatever_their_status():
    result = values(deal_metrics(BOOK))
    assert result[(1, JAN, "pipeline_created")] == 4000.0
    assert result[(1, FEB, "pipeline_created")] == 500.0
    assert result[(1, APR, "pipeline_created")] == 800.0


def test_pipeline_created_is_zero_after_the_first_deal_and_absent_before_it():
    result = values(deal_metrics(BOOK))
    assert result[(1, MAR, "pipeline_created")] == 0.0
    assert (2, FEB, "pipeline_created") not in result
    assert result[(2, APR, "pipeline_created")] == 0.0


def test_win_rate_is_won_over_won_and_lost_among_the_deals_closed_in_the_month():
    result = values(deal_metrics(BOOK))
    assert result[(1, FEB, "win_rate")] == round(100 * 2 / 3, 4)
    assert result[(2, MAR, "win_rate")] == 0.0


def test_average_deal_size_is_the_mean_amount_of_the_deals_won_in_the_month():
    assert values(deal_metrics(BOOK))[(1, FEB, "avg_deal_size")] == 2000.0


def test_sales_cycle_is_the_mean_of_days_from_creation_to_close_of_the_deals_won_in_the_month():
    frame = deals_frame(
        (1, 100.0, date(2026, 1, 1), date(2026, 2, 10), "won", 0.0, False),
        (1, 100.0, date(2026, 2, 1), date(2026, 2, 21), "won", 0.0, False),
        (1, 100.0, date(2025, 1, 1), date(2026, 2, 1), "lost", 0.0, False),
    )
    assert values(deal_metrics(frame))[(1, FEB, "sales_cycle_days")] == (40 + 20) / 2


def test_a_deal_closed_before_it_was_created_counts_as_zero_days():
    frame = deals_frame(
        (1, 100.0, date(2026, 2, 20), date(2026, 2, 10), "won", 0.0, False),
        (1, 100.0, date(2026, 2, 1), date(2026, 2, 11), "won", 0.0, False),
    )
    assert values(deal_metrics(frame))[(1, FEB, "sales_cycle_days")] == 5.0


def test_discount_discipline_is_the_share_of_won_deals_at_or_under_the_threshold():
    frame = deals_frame(
        (1, 100.0, JAN, date(2026, 2, 3), "won", 15.0, False),
        (1, 100.0, JAN, date(2026, 2, 4), "won", 15.01, False),
        (1, 100.0, JAN, date(2026, 2, 5), "won", 0.0, False),
        (1, 100.0, JAN, date(2026, 2, 6), "won", 40.0, False),
        (1, 100.0, JAN, date(2026, 2, 7), "lost", 90.0, False),
    )
    assert values(deal_metrics(frame))[(1, FEB, "discount_discipline")] == 50.0


def test_a_program_threshold_replaces_the_default_of_15_percent():
    assert values(deal_metrics(BOOK, discount_threshold=25))[(1, FEB, "discount_discipline")] == 100.0


def test_renewal_rate_is_the_share_of_closed_renewal_deals_that_were_won():
    assert values(deal_metrics(BOOK))[(1, FEB, "renewal_rate")] == 50.0


def test_a_ratio_with_nothing_to_divide_by_has_no_row_rather_than_a_zero():
    result = values(deal_metrics(BOOK))
    assert (1, JAN, "win_rate") not in result
    assert (2, MAR, "avg_deal_size") not in result
    assert (2, MAR, "renewal_rate") not in result


def test_open_deals_and_closed_deals_without_a_close_date_count_only_towards_pipeline():
    frame = deals_frame(
        (1, 100.0, JAN, date(2026, 1, 9), "open", 50.0, True),
        (1, 200.0, JAN, None, "won", 0.0, False),
    )
    assert set(deal_metrics(frame)["metric"]) == {"pipeline_created"}


def test_only_the_months_asked_for_are_returned():
    result = deal_metrics(BOOK, [date(2026, 2, 14), MAR])
    assert {m.date() for m in result["month"]} == {FEB, MAR}


def test_a_quarter_is_computed_from_its_deals_not_from_the_monthly_rates():
    frame = deals_frame(
        (1, 100.0, JAN, date(2026, 1, 20), "won", 0.0, False),
        (1, 100.0, JAN, date(2026, 2, 20), "lost", 0.0, False),
        (1, 100.0, JAN, date(2026, 2, 21), "lost", 0.0, False),
        (1, 100.0, JAN, date(2026, 3, 22), "lost", 0.0, False),
    )
    result = values(deal_metrics(frame, period="quarter"))
    assert result[(1, JAN, "win_rate")] == 25.0
    assert result[(1, JAN, "pipeline_created")] == 400.0


def test_no_deals_give_an_empty_frame_with_the_output_columns():
    result = deal_metrics(deals_frame())
    assert list(result.columns) == OUTPUT_COLUMNS
    assert result.empty


# --- the selector ---


@pytest.mark.django_db
def test_the_tenant_selector_reads_the_deals_once_and_only_the_tenants_own(
    tenant, other_tenant, django_assert_num_queries
):
    own = PartnerFactory(tenant=tenant)
    foreign = PartnerFactory(tenant=other_tenant)
    deal(tenant, own, amount=Decimal("1250.50"), created_on=date(2026, 3, 4))
    deal(tenant, own, amount=Decimal("750"), created_on=date(2026, 3, 9), close_date=date(2026, 3, 30), status="won")
    deal(other_tenant, foreign, amount=Decimal("99999"), created_on=date(2026, 3, 4))
    with tenant_context(tenant), django_assert_num_queries(1):
        result = deal_metrics_for_tenant(tenant=tenant)
    assert values(result) == {
        (own.pk, MAR, "pipeline_created"): 2000.5,
        (own.pk, MAR, "win_rate"): 100.0,
        (own.pk, MAR, "avg_deal_size"): 750.0,
        (own.pk, MAR, "sales_cycle_days"): 21.0,
        (own.pk, MAR, "discount_discipline"): 100.0,
    }


@pytest.mark.django_db
def test_the_tenant_selector_limits_partners_and_months(tenant):
    first, second = PartnerFactory(tenant=tenant), PartnerFactory(tenant=tenant)
    deal(tenant, first, created_on=date(2025, 11, 3))
    deal(tenant, first, created_on=date(2026, 2, 3), close_date=date(2026, 4, 2), status=Deal.Status.WON)
    deal(tenant, second, created_on=date(2026, 2, 3))
    with tenant_context(tenant):
        result = deal_metrics_for_tenant(tenant=tenant, partner_ids=[first.pk], start=FEB, end=date(2026, 3, 31))
    assert values(result) == {(first.pk, FEB, "pipeline_created"): 1000.0, (first.pk, MAR, "pipeline_created"): 0.0}
