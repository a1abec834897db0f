"""A small program with snapshots written directly (not by the scoring engine), reviews, action items and forecasts:
the executive tests' data, varied enough that every measure and every kind of slice has something to count."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import ActionItem, Forecast, Review
from scorecards.models import MetricDefinition, ScorecardSnapshot, TemplateVersion
from tests.factories import PartnerFactory, member
from tests.reviews.factories import ActionItemFactory, CadenceFactory, CycleFactory, ReviewFactory
from tests.scorecards.factories import MetricFactory, simple_scorecard

MONTHS = [date(2025, m, 1) for m in range(1, 7)]
QUARTERS = [date(2025, 1, 1), date(2025, 4, 1)]
TODAY = date(2025, 7, 10)
RAGS = ["green", "amber", "red", ""]
TRENDS = ["improving", "stable", "declining", "not_enough"]


@dataclass
class Program:
    tenant: Tenant
    managers: list[Membership]
    partners: list[Partner]
    metrics: list[MetricDefinition]
    version: TemplateVersion
    executive: Membership | None = None
    admin: Membership | None = None
    extra: dict[str, object] = field(default_factory=dict)


def build_program(tenant: Tenant, *, partners: int = 12, seed: int = 7) -> Program:
    rng = random.Random(seed)
    managers = [member(tenant, Role.MANAGER), member(tenant, Role.MANAGER)]
    revenue = MetricFactory(tenant=tenant, key="revenue", name="Revenue", unit="currency")
    win_rate = MetricFactory(
        tenant=tenant, key="win_rate", name="Win rate", unit="percent", aggregation="average", timing="lagging"
    )
    pipeline = MetricFactory(tenant=tenant, key="pipeline_created", name="Pipeline created", timing="leading")
    metrics = [revenue, win_rate, pipeline]
    version = simple_scorecard(tenant, metrics, effective_from=date(2024, 1, 1))
    markets = ["Germany", "France", ""]
    lines = ["Cloud", "Security", "Data"]
    people = []
    for i in range(partners):
        people.append(
            PartnerFactory(
                tenant=tenant,
                name=f"Partner {i:03d}",
                partner_type=list(Partner.Type.values)[i % 5],
                tier=list(Partner.Tier.values)[i % 4],
                stage=list(Partner.Stage.values)[(i // 2) % 4],
                region=list(Partner.Region.values)[i % 3],
                market=markets[i % 3],
                product_lines=sorted(rng.sample(lines, k=0 if i % 7 == 0 else 1 + i % 2)),  # none, one or two
                owner=managers[i % 2] if i % 5 else None,
            )
        )
    with tenant_context(tenant):
        snapshots = []
        for partner in people:
            for period, starts in (("month", MONTHS), ("quarter", QUARTERS)):
                for start in starts:
                    if rng.random() < 0.1:
                        continue  # a gap
                    scored = rng.random() > 0.1
                    score = Decimal(str(round(rng.uniform(20, 100), 4))) if scored else None
                    change = Decimal(str(round(rng.uniform(-10, 10), 4))) if rng.random() > 0.3 else None
                    items = []
                    for metric in metrics:
                        present = rng.random() > 0.15
                        items.append(
                            {
                                "metric_id": metric.pk,
                                "weight": 33.33,
                                "target": round(rng.uniform(50, 150), 4),
                                "actual": round(rng.uniform(0, 200), 4) if present else None,
                                "attainment": None,
                                "points": None,
                                "rag": "",
                                "missing": not present,
                            }
                        )
                    snapshots.append(
                        ScorecardSnapshot(
                            tenant=tenant,
                            partner=partner,
                            period=period,
                            period_start=start,
                            months_covered=(2 if start == QUARTERS[-1] and partner.pk % 3 == 0 else 3)
                            if period == "quarter"
                            else 1,
                            template_version=version,
                            score=score,
                            rag=rng.choice(RAGS[:3]) if scored else "",
                            change_previous=change,
                            trend=rng.choice(TRENDS),
                            dq_flag=rng.random() < 0.2,
                            items=items,
                            computed_at=datetime(2025, 7, 1, tzinfo=UTC),
                        )
                    )
        ScorecardSnapshot.objects.bulk_create(snapshots)
    cadence = CadenceFactory(tenant=tenant)
    cycles = [
        CycleFactory(cadence=cadence, period_start=date(2025, 1, 1), period_end=date(2025, 3, 31)),
        CycleFactory(cadence=cadence, period_start=date(2025, 4, 1), period_end=date(2025, 6, 30)),
    ]
    states = list(Review.State.values)
    for n, partner in enumerate(people):
        for k in range(2):
            month = MONTHS[(n + 2 * k) % 6]
            review = ReviewFactory(
                cycle=cycles[k],
                partner=partner,
                scheduled_for=datetime(month.year, month.month, 10 + k, 15, tzinfo=UTC),
                state=states[(n + k) % len(states)],
                moderator=managers[n % 2],
            )
            ActionItemFactory(
                review=review,
                due_date=date(2025, (n + k) % 9 + 1, 15),
                status=list(ActionItem.Status.values)[(n + k) % 4],
            )
            if k == 0 and n % 2 == 0:
                with tenant_context(tenant):
                    Forecast.objects.create(
                        tenant=tenant,
                        review=review,
                        partner=partner,
                        quarter_start=QUARTERS[n % 2],
                        accuracy=Decimal(str(round(rng.uniform(40, 100), 2))),
                    )
    return Program(tenant=tenant, managers=managers, partners=people, metrics=metrics, version=version)
