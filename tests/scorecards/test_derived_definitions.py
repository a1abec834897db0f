"""Each deal-derived metric against its glossary definition: the rule the definition states, computed here by hand
from a small deal book (plain Python, not the engine's code), must give what the engine gives, month by month and
quarter by quarter. A derived metric without a rule here fails the catalog test below."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from statistics import mean

import pandas as pd
import pytest

from partnerhub.core.tenancy.context import tenant_context
from scorecards.domain.deal_metrics import DEAL_COLUMNS, deal_metrics
from scorecards.domain.glossary_defaults import DEFAULT_METRICS, DEFAULT_METRICS_BY_KEY
from scorecards.models import DealReview
from scorecards.selectors.deal_reviews import deal_quality_by_partner_month
from scorecards.services.deal_reviews import deal_reviews_refresh, scorecard_settings
from tests.factories import PartnerFactory
from tests.scorecards.factories import DealFactory


@dataclass(frozen=True)
class D:
    partner: int
    amount: float
    created: date
    closed: date | None
    status: str
    discount: float = 0.0
    renewal: bool = False


# Partner 1 has a deal in almost every case a definition names; partner 2 starts in March.
BOOK = (
    D(1, 1000.0, date(2025, 12, 10), date(2026, 1, 20), "won", discount=15.0),  # exactly the standard discount
    D(1, 3000.0, date(2026, 1, 5), date(2026, 1, 25), "won", discount=15.5, renewal=True),
    D(1, 500.0, date(2026, 1, 10), date(2026, 1, 28), "lost", renewal=True),
    D(1, 2000.0, date(2026, 1, 15), date(2026, 1, 12), "won", discount=5.0),  # closed before it was opened
    D(1, 700.0, date(2026, 2, 1), None, "open"),
    D(1, 400.0, date(2026, 2, 3), date(2026, 3, 30), "lost"),  # March: a loss and nothing else
    D(1, 900.0, date(2026, 2, 10), None, "won"),  # won without a close date: counts nowhere but pipeline
    D(1, 1200.0, date(2026, 5, 2), date(2026, 5, 20), "won", discount=30.0, renewal=True),  # April: nothing at all
    D(2, 300.0, date(2026, 3, 15), date(2026, 4, 2), "lost", renewal=True),
)
MONTHS = [date(2025, 12, 1), *(date(2026, m, 1) for m in range(1, 6))]

Period = Callable[[date], date]


def month_of(day: date) -> date:
    return day.replace(day=1)


def quarter_of(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def closed_in(deals: list[D], period: Period, start: date) -> list[D]:
    # "closed in the month": won or lost, by close date
    return [d for d in deals if d.status in ("won", "lost") and d.closed is not None and period(d.closed) == start]


def share(part: list[D], whole: list[D]) -> float | None:
    # a ratio with an empty denominator is missing
    return 100 * len(part) / len(whole) if whole else None


def average(values: list[float]) -> float | None:
    return mean(values) if values else None


def pipeline_created(deals: list[D], period: Period, start: date) -> float | None:
    # the opportunities opened in the month, whatever their status; 0 from the first opportunity's month on
    if not deals or start < min(period(d.created) for d in deals):
        return None
    return sum(d.amount for d in deals if period(d.created) == start)


def win_rate(deals: list[D], period: Period, start: date) -> float | None:
    closed = closed_in(deals, period, start)
    return share([d for d in closed if d.status == "won"], closed)


def won_in(deals: list[D], period: Period, start: date) -> list[D]:
    return [d for d in closed_in(deals, period, start) if d.status == "won"]


def avg_deal_size(deals: list[D], period: Period, start: date) -> float | None:
    return average([d.amount for d in won_in(deals, period, start)])


def sales_cycle_days(deals: list[D], period: Period, start: date) -> float | None:
    # opening to winning, won deals only; a close before the opening counts as 0 days
    return average([max((d.closed - d.created).days, 0) for d in won_in(deals, period, start) if d.closed])


def discount_discipline(deals: list[D], period: Period, start: date) -> float | None:
    won = won_in(deals, period, start)
    return share([d for d in won if d.discount <= 15], won)


def renewal_rate(deals: list[D], period: Period, start: date) -> float | None:
    renewals = [d for d in closed_in(deals, period, start) if d.renewal]
    return share([d for d in renewals if d.status == "won"], renewals)


# key -> (the rule its definition states, phrases the definition must say for that rule to be the one partners read)
RULES: dict[str, tuple[Callable[[list[D], Period, date], float | None], tuple[str, ...]]] = {
    "pipeline_created": (pipeline_created, ("opened with us in the month", "whatever happens", "counts 0")),
    "win_rate": (win_rate, ("closed in the month (won or lost, by close date)", "open deals do not count", "no value")),
    "avg_deal_size": (avg_deal_size, ("deals you won in the month (by close date)", "no value")),
    "sales_cycle_days": (
        sales_cycle_days,
        ("opening an opportunity to winning it", "deals you won in the month (by close date)", "counts as 0 days"),
    ),
    "discount_discipline": (discount_discipline, ("deals you won in the month (by close date)", "15% or less")),
    "renewal_rate": (renewal_rate, ("renewal deals closed in the month", "(renewed or lost, by close date)")),
}
# Derived from deals through the deal-review rubric (a database read), held to its definition further down.
DEAL_QUALITY = "deal_quality"


def engine(period: str) -> dict[tuple[int, date, str], float]:
    frame = pd.DataFrame.from_records(
        [(d.partner, d.amount, d.created, d.closed, d.status, d.discount, d.renewal) for d in BOOK],
        columns=list(DEAL_COLUMNS),
    )
    result = deal_metrics(frame, MONTHS, period=period)  # type: ignore[arg-type]
    return {(r.partner_id, r.month.date(), r.metric): r.value for r in result.itertuples()}


def test_every_derived_metric_of_the_default_glossary_is_held_to_its_definition_here():
    derived = {spec.key for spec in DEFAULT_METRICS if spec.derived_from_deals}
    assert {*RULES, DEAL_QUALITY} == derived


@pytest.mark.parametrize("key", sorted(RULES))
def test_the_definition_states_the_rule_the_test_computes(key):
    definition = DEFAULT_METRICS_BY_KEY[key].definition.lower()
    assert [phrase for phrase in RULES[key][1] if phrase.lower() not in definition] == []


@pytest.mark.parametrize(("period", "period_of"), [("month", month_of), ("quarter", quarter_of)])
@pytest.mark.parametrize("key", sorted(RULES))
def test_the_engine_computes_what_the_definition_says(key, period, period_of):
    rule = RULES[key][0]
    starts = sorted({period_of(m) for m in MONTHS})
    expected = {
        (partner, start): rule([d for d in BOOK if d.partner == partner], period_of, start)
        for partner in (1, 2)
        for start in starts
    }
    computed = engine(period)
    actual = {(partner, start): computed.get((partner, start, key)) for partner, start in expected}
    assert actual == pytest.approx(expected)


def test_the_book_reaches_every_case_the_definitions_name():
    # a value, a 0 and a missing month for each metric, so no rule passes by never being exercised
    monthly = {
        key: [rule([d for d in BOOK if d.partner == partner], month_of, m) for partner in (1, 2) for m in MONTHS]
        for key, (rule, _) in RULES.items()
    }
    assert all(None in values for values in monthly.values())
    assert all(any(v not in (None, 0) for v in values) for values in monthly.values())
    assert {key for key, values in monthly.items() if 0 in values} >= {"pipeline_created", "win_rate"}


@pytest.mark.django_db
def test_deal_quality_is_the_mean_rubric_score_of_the_large_deals_opened_in_the_month(tenant):
    definition = DEFAULT_METRICS_BY_KEY[DEAL_QUALITY].definition
    assert "at or above the program's deal-review amount) opened in the month" in definition
    assert "each deal scores the mean of" in definition
    with tenant_context(tenant):
        threshold = scorecard_settings(tenant=tenant).deal_review_threshold
        partner = PartnerFactory(tenant=tenant)
        opened = [date(2026, 1, 5), date(2026, 1, 20), date(2026, 1, 25), date(2026, 3, 9)]
        large = [
            DealFactory(tenant=tenant, partner=partner, amount=threshold + extra, created_on=day, status=status)
            for extra, day, status in zip(
                (Decimal(0), Decimal(50000), Decimal(900000), Decimal(1)),
                opened,
                ("won", "open", "lost", "open"),
                strict=True,
            )
        ]
        small = DealFactory(tenant=tenant, partner=partner, amount=threshold - 1, created_on=date(2026, 2, 3))
        deal_reviews_refresh(tenant=tenant)
        reviews = {r.deal_id: r for r in DealReview.objects.for_tenant(tenant)}
        computed = deal_quality_by_partner_month(tenant=tenant)
    criteria = ("pricing_integrity", "discount_discipline", "contract_terms", "renewal_risk", "technical_risk")
    assert small.pk not in reviews
    assert set(reviews) == {d.pk for d in large}
    assert all(r.quality == Decimal(sum(getattr(r, c) for c in criteria)) / 5 for r in reviews.values())
    expected = {
        month: mean(float(reviews[d.pk].quality) for d in large if month_of(d.created_on) == month)
        for month in {month_of(d.created_on) for d in large}
    }
    actual = {row.month: row.value for row in computed.itertuples() if row.partner_id == partner.pk}
    assert actual == pytest.approx(expected, abs=1e-4)
    assert date(2026, 2, 1) not in actual  # a month with no large deal opened has no value
