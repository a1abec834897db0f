"""The default metric catalog every new program starts with: the living glossary's first entries.

Keys are part of the contract: the deal-derived metrics are computed under these exact keys, imports and the demo
refer to them, and an admin can reword a metric but never rename its key.
"""

from __future__ import annotations

from dataclasses import dataclass

from scorecards.models import MetricDefinition

Unit = MetricDefinition.Unit
Direction = MetricDefinition.Direction
Timing = MetricDefinition.Timing
Category = MetricDefinition.Category
Aggregation = MetricDefinition.Aggregation

DERIVED = "CRM opportunities (computed by PartnerHub)"


@dataclass(frozen=True)
class MetricSpec:
    """One default metric, as seeded into a new program (admins may edit everything but the key afterwards)."""

    key: str
    name: str
    definition: str
    unit: str
    aggregation: str
    timing: str
    category: str
    direction: str = Direction.HIGHER
    derived_from_deals: bool = False
    data_source: str = ""
    freshness_days: int = 45

    def to_model(self, tenant_id: int) -> MetricDefinition:
        return MetricDefinition(
            tenant_id=tenant_id,
            key=self.key,
            name=self.name,
            definition=self.definition,
            unit=self.unit,
            direction=self.direction,
            timing=self.timing,
            category=self.category,
            aggregation=self.aggregation,
            data_source=self.data_source,
            derived_from_deals=self.derived_from_deals,
            freshness_days=self.freshness_days,
        )


DEFAULT_METRICS: tuple[MetricSpec, ...] = (
    # --- pipeline ---
    MetricSpec(
        key="pipeline_created",
        name="Pipeline created",
        definition=(
            "The total value of the opportunities you opened with us in the month (by the date each was opened), "
            "whatever happens to them later. It shows how much future business you are building. From the month "
            "of your first opportunity on, a month in which you opened none counts 0. Amounts are in the program's "
            "currency: one in another currency converts at the rate in force on the day it was opened, and a month "
            "holding an amount with no rate for its day has no value."
        ),
        unit=Unit.CURRENCY,
        aggregation=Aggregation.SUM,
        timing=Timing.LEADING,
        category=Category.PIPELINE,
        derived_from_deals=True,
        data_source=DERIVED,
        freshness_days=35,
    ),
    MetricSpec(
        key="deal_registrations",
        name="Deal registrations",
        definition=(
            "How many deals you registered with us in the month. Registering a deal early protects it for you "
            "and lets us support it."
        ),
        unit=Unit.COUNT,
        aggregation=Aggregation.SUM,
        timing=Timing.LEADING,
        category=Category.PIPELINE,
        data_source="Deal registration portal",
    ),
    MetricSpec(
        key="sales_cycle_days",
        name="Sales cycle (days)",
        definition=(
            "The average number of days from opening an opportunity to winning it, for the deals you won in the "
            "month (by close date). Lost deals are left out: this is how fast business is won, and a quickly "
            "lost deal is no sign of speed. Shorter is better. A close date before the opening date counts as 0 "
            "days; a month with no deal won has no value, not 0."
        ),
        unit=Unit.DAYS,
        aggregation=Aggregation.AVERAGE,
        timing=Timing.LAGGING,
        category=Category.PIPELINE,
        direction=Direction.LOWER,
        derived_from_deals=True,
        data_source=DERIVED,
        freshness_days=35,
    ),
    MetricSpec(
        key="forecast_accuracy",
        name="Forecast accuracy",
        definition=(
            "How close the business you forecast for the period came to the business you actually closed, as a "
            "percentage (100% means the forecast was exactly right)."
        ),
        unit=Unit.PERCENT,
        aggregation=Aggregation.AVERAGE,
        timing=Timing.LAGGING,
        category=Category.PIPELINE,
        data_source="Partner forecast vs. closed deals",
        freshness_days=100,
    ),
    MetricSpec(
        key="revenue",
        name="Revenue",
        definition=(
            "The revenue from our products that you booked in the month, including renewals and services sold "
            "with them."
        ),
        unit=Unit.CURRENCY,
        aggregation=Aggregation.SUM,
        timing=Timing.LAGGING,
        category=Category.PIPELINE,
        data_source="Finance (billing system)",
    ),
    # --- deal quality ---
    MetricSpec(
        key="win_rate",
        name="Win rate",
        definition=(
            "Of the deals closed in the month (won or lost, by close date), the share you won. Lost deals count "
            "against it; open deals do not count yet. A month with no deal closed has no value, not 0."
        ),
        unit=Unit.PERCENT,
        aggregation=Aggregation.AVERAGE,
        timing=Timing.LAGGING,
        category=Category.DEAL_QUALITY,
        derived_from_deals=True,
        data_source=DERIVED,
        freshness_days=35,
    ),
    MetricSpec(
        key="avg_deal_size",
        name="Average deal size",
        definition=(
            "The average value of the deals you won in the month (by close date). A month with no deal won has no "
            "value, not 0. Amounts are in the program's currency: one in another currency converts at the rate in "
            "force on its close date, and a month holding an amount with no rate for its day has no value."
        ),
        unit=Unit.CURRENCY,
        aggregation=Aggregation.AVERAGE,
        timing=Timing.LAGGING,
        category=Category.DEAL_QUALITY,
        derived_from_deals=True,
        data_source=DERIVED,
        freshness_days=35,
    ),
    MetricSpec(
        key="discount_discipline",
        name="Discount discipline",
        definition=(
            "Of the deals you won in the month (by close date), the share sold within the standard discount "
            "(15% or less). Higher means prices held up. A month with no deal won has no value, not 0."
        ),
        unit=Unit.PERCENT,
        aggregation=Aggregation.AVERAGE,
        timing=Timing.LAGGING,
        category=Category.DEAL_QUALITY,
        derived_from_deals=True,
        data_source=DERIVED,
        freshness_days=35,
    ),
    # --- engagement ---
    MetricSpec(
        key="joint_activities",
        name="Joint activities",
        definition=(
            "How many things we did together in the month: webinars, co-selling campaigns, integration "
            "milestones, trainings and certifications."
        ),
        unit=Unit.COUNT,
        aggregation=Aggregation.SUM,
        timing=Timing.LEADING,
        category=Category.ENGAGEMENT,
        data_source="Joint engagement log",
    ),
    MetricSpec(
        key="marketing_leads",
        name="Marketing leads",
        definition=(
            "New sales leads from marketing in the month: joint campaigns, webinars and your own campaigns for "
            "our products."
        ),
        unit=Unit.COUNT,
        aggregation=Aggregation.SUM,
        timing=Timing.LEADING,
        category=Category.ENGAGEMENT,
        data_source="Marketing automation",
    ),
    # --- customer ---
    MetricSpec(
        key="csat",
        name="Customer satisfaction (CSAT)",
        definition=(
            "How satisfied your customers say they are after a deal or project, on a scale from 1 (very "
            "unhappy) to 5 (very happy), averaged over the answers of the month."
        ),
        unit=Unit.SCORE,
        aggregation=Aggregation.AVERAGE,
        timing=Timing.LAGGING,
        category=Category.CUSTOMER,
        data_source="Customer satisfaction survey",
        freshness_days=60,
    ),
    MetricSpec(
        key="deal_quality",
        name="Deal quality",
        definition=(
            "The average rubric score, from 1 to 5, of your large deals (at or above the program's deal-review "
            "amount) opened in the month: each deal scores the mean of pricing integrity, discount discipline, "
            "contract terms, renewal risk and technical risk, each 1 (weak) to 5 (sound). A month in which you "
            "opened no large deal has no value."
        ),
        unit=Unit.SCORE,
        aggregation=Aggregation.AVERAGE,
        timing=Timing.LEADING,
        category=Category.DEAL_QUALITY,
        derived_from_deals=True,
        data_source="Deal-quality rubric (computed by PartnerHub)",
        freshness_days=60,
    ),
    MetricSpec(
        key="renewal_rate",
        name="Renewal rate",
        definition=(
            "Of the renewal deals closed in the month (renewed or lost, by close date), the share your customers "
            "renewed. A month with no renewal closed has no value, not 0."
        ),
        unit=Unit.PERCENT,
        aggregation=Aggregation.AVERAGE,
        timing=Timing.LAGGING,
        category=Category.CUSTOMER,
        derived_from_deals=True,
        data_source=DERIVED,
        freshness_days=35,
    ),
    MetricSpec(
        key="customer_retention",
        name="Customer retention",
        definition=(
            "Of the customers you had a year ago, the share that still uses our products through you at the end "
            "of the month."
        ),
        unit=Unit.PERCENT,
        aggregation=Aggregation.AVERAGE,
        timing=Timing.LAGGING,
        category=Category.CUSTOMER,
        data_source="Customer success platform",
    ),
    # --- capability ---
    MetricSpec(
        key="certified_staff",
        name="Certified staff",
        definition=(
            "How many of your people hold a current certification on our products at the end of the month. "
            "The latest count is what counts, not a total."
        ),
        unit=Unit.COUNT,
        aggregation=Aggregation.LAST,
        timing=Timing.LEADING,
        category=Category.CAPABILITY,
        data_source="Learning management system",
        freshness_days=100,
    ),
    MetricSpec(
        key="training_completions",
        name="Training completions",
        definition="How many courses on our products your people completed in the month.",
        unit=Unit.COUNT,
        aggregation=Aggregation.SUM,
        timing=Timing.LEADING,
        category=Category.CAPABILITY,
        data_source="Learning management system",
    ),
    # --- collaboration ---
    MetricSpec(
        key="time_to_first_response",
        name="Time to first response",
        definition=(
            "How many hours, on average, it took to give a first answer to a lead, a deal question or a support "
            "request passed between us. Lower is better."
        ),
        unit=Unit.HOURS,
        aggregation=Aggregation.AVERAGE,
        timing=Timing.LEADING,
        category=Category.COLLABORATION,
        direction=Direction.LOWER,
        data_source="Shared inbox and support desk",
    ),
    MetricSpec(
        key="partner_sentiment",
        name="Partner sentiment",
        definition=(
            "How your team feels about working with us, from a short monthly pulse survey, on a scale from "
            "0 (not at all positive) to 10 (very positive)."
        ),
        unit=Unit.SCORE,
        aggregation=Aggregation.AVERAGE,
        timing=Timing.LEADING,
        category=Category.COLLABORATION,
        data_source="Partner pulse survey",
        freshness_days=60,
    ),
    MetricSpec(
        key="collaboration_quality",
        name="Collaboration quality",
        definition=(
            "How well our teams work together on shared deals and plans, as rated by our own people on a scale "
            "from 1 (poor) to 5 (excellent)."
        ),
        unit=Unit.SCORE,
        aggregation=Aggregation.AVERAGE,
        timing=Timing.LEADING,
        category=Category.COLLABORATION,
        data_source="Internal collaboration survey",
        freshness_days=60,
    ),
)

DEFAULT_METRICS_BY_KEY: dict[str, MetricSpec] = {spec.key: spec for spec in DEFAULT_METRICS}
