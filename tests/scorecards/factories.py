"""Factories for the scorecards models, and builders on top of them: whole template versions, a data-quality world,
import files (CSV and XLSX bytes).

Every factory writes inside its object's own tenant (``TenantOwnedFactory``); children take the tenant of their
partner (or parent), so ``DealFactory(partner=p)`` needs nothing else.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import factory

from partnerhub.core.domain.periods import add_months
from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import (
    Activity,
    DataQualityFinding,
    Deal,
    ImportBatch,
    ImportMapping,
    MetricDefinition,
    Observation,
    ScorecardTemplate,
    SurveyResponse,
    TargetRule,
    TemplateItem,
    TemplateVersion,
)
from tests.factories import MembershipFactory, PartnerFactory, TenantFactory, TenantOwnedFactory, member


class MetricFactory(TenantOwnedFactory):
    class Meta:
        model = MetricDefinition
        django_get_or_create = ("tenant", "key")

    tenant = factory.SubFactory(TenantFactory)
    key = factory.Sequence(lambda n: f"metric_{n:04d}")
    name = factory.LazyAttribute(lambda o: o.key.replace("_", " ").capitalize())
    definition = "A metric for tests."
    unit = MetricDefinition.Unit.COUNT
    direction = MetricDefinition.Direction.HIGHER
    timing = MetricDefinition.Timing.LAGGING
    category = MetricDefinition.Category.PIPELINE
    aggregation = MetricDefinition.Aggregation.SUM


class ObservationFactory(TenantOwnedFactory):
    class Meta:
        model = Observation

    partner = factory.SubFactory(PartnerFactory)
    tenant = factory.SelfAttribute("partner.tenant")
    metric = factory.SubFactory(MetricFactory, tenant=factory.SelfAttribute("..tenant"))
    month = date(2025, 1, 1)
    value = Decimal("100")


class DealFactory(TenantOwnedFactory):
    class Meta:
        model = Deal

    partner = factory.SubFactory(PartnerFactory)
    tenant = factory.SelfAttribute("partner.tenant")
    external_id = factory.Sequence(lambda n: f"D-{n:06d}")
    account_name = "Initech"
    stage = "Negotiation"
    amount = Decimal("1000.00")
    created_on = date(2025, 1, 5)
    status = Deal.Status.OPEN


class ActivityFactory(TenantOwnedFactory):
    class Meta:
        model = Activity

    partner = factory.SubFactory(PartnerFactory)
    tenant = factory.SelfAttribute("partner.tenant")
    kind = Activity.Kind.WEBINAR
    title = factory.Sequence(lambda n: f"Joint webinar {n}")
    date = date(2025, 2, 10)
    attendees = 40
    leads = 5


class SurveyResponseFactory(TenantOwnedFactory):
    class Meta:
        model = SurveyResponse

    partner = factory.SubFactory(PartnerFactory)
    tenant = factory.SelfAttribute("partner.tenant")
    survey = SurveyResponse.Survey.CSAT
    respondent_type = SurveyResponse.Respondent.CUSTOMER
    respondent = factory.Sequence(lambda n: f"customer{n}@example.test")
    date = date(2025, 3, 1)
    score = Decimal("4.00")
    scale_max = 5


class ImportBatchFactory(TenantOwnedFactory):
    class Meta:
        model = ImportBatch

    tenant = factory.SubFactory(TenantFactory)
    kind = ImportBatch.Kind.DEALS
    source = "upload"
    file_name = factory.Sequence(lambda n: f"deals-{n}.csv")
    content = b""
    uploaded_by = factory.SubFactory(MembershipFactory, tenant=factory.SelfAttribute("..tenant"))
    status = ImportBatch.Status.PREVIEWED


class ImportMappingFactory(TenantOwnedFactory):
    class Meta:
        model = ImportMapping

    tenant = factory.SubFactory(TenantFactory)
    kind = ImportBatch.Kind.DEALS
    source = "salesforce"
    columns = factory.LazyFunction(dict)
    headers = factory.LazyFunction(list)


class MetricDefinitionFactory(TenantOwnedFactory):
    """A metric with every glossary field filled in (the glossary tests show and edit them)."""

    class Meta:
        model = MetricDefinition

    tenant = factory.SubFactory(TenantFactory)
    key = factory.Sequence(lambda n: f"metric_{n:04d}")
    name = factory.Sequence(lambda n: f"Metric {n:04d}")
    definition = "What this metric means, in plain words."
    unit = MetricDefinition.Unit.COUNT
    direction = MetricDefinition.Direction.HIGHER
    timing = MetricDefinition.Timing.LEADING
    category = MetricDefinition.Category.ENGAGEMENT
    aggregation = MetricDefinition.Aggregation.SUM
    data_source = "Joint engagement log"


class FindingFactory(TenantOwnedFactory):
    class Meta:
        model = DataQualityFinding

    partner = factory.SubFactory(PartnerFactory)
    tenant = factory.SelfAttribute("partner.tenant")
    metric = factory.SubFactory(MetricFactory, tenant=factory.SelfAttribute("..tenant"))
    kind = DataQualityFinding.Kind.OUTLIER
    month = date(2026, 1, 1)
    detail = factory.Sequence(lambda n: f"Finding number {n}.")


# --- template versions ---


class TemplateFactory(TenantOwnedFactory):
    class Meta:
        model = ScorecardTemplate

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Scorecard {n}")
    partner_type = ""
    stage = ""
    is_default = False


class VersionFactory(TenantOwnedFactory):
    class Meta:
        model = TemplateVersion

    template = factory.SubFactory(TemplateFactory)
    tenant = factory.SelfAttribute("template.tenant")
    number = factory.Sequence(lambda n: n + 1)
    status = TemplateVersion.Status.ACTIVE
    effective_from = date(2025, 1, 1)
    rationale = "For tests."


class ItemFactory(TenantOwnedFactory):
    class Meta:
        model = TemplateItem

    version = factory.SubFactory(VersionFactory)
    tenant = factory.SelfAttribute("version.tenant")
    metric: Any = None
    weight = Decimal("50")
    normalise = False


class TargetRuleFactory(TenantOwnedFactory):
    class Meta:
        model = TargetRule

    item = factory.SubFactory(ItemFactory)
    tenant = factory.SelfAttribute("item.tenant")
    tier = ""
    stage = ""
    monthly_target = Decimal("100")


def build_version(
    template: ScorecardTemplate,
    *,
    number: int,
    effective_from: date | None,
    status: str = TemplateVersion.Status.ACTIVE,
    items: Iterable[tuple[MetricDefinition, float, bool, Mapping[tuple[str, str], float]]],
    **thresholds: Any,
) -> TemplateVersion:
    """A version with its items, each ``(metric, weight, normalise, {(tier, stage): monthly target})``."""
    version = VersionFactory(
        template=template,
        number=number,
        effective_from=effective_from,
        status=status,
        **{name: Decimal(str(value)) for name, value in thresholds.items()},
    )
    for metric, weight, normalise, targets in items:
        item = ItemFactory(version=version, metric=metric, weight=Decimal(str(weight)), normalise=normalise)
        for (tier, stage), target in targets.items():
            TargetRuleFactory(item=item, tier=tier, stage=stage, monthly_target=Decimal(str(target)))
    return version


def simple_scorecard(
    tenant: Tenant,
    metrics: Iterable[MetricDefinition],
    *,
    target: float = 100,
    effective_from: date = date(2024, 1, 1),
) -> TemplateVersion:
    """A default template with one active version weighting ``metrics`` equally (weights summing to 100)."""
    metrics = list(metrics)
    template = TemplateFactory(tenant=tenant, name="Default", is_default=True)
    base, extra = divmod(10_000, len(metrics))
    weights = [(base + (1 if i < extra else 0)) / 100 for i in range(len(metrics))]
    return build_version(
        template,
        number=1,
        effective_from=effective_from,
        items=[(m, w, False, {("", ""): target}) for m, w in zip(metrics, weights, strict=True)],
    )


# --- the data-quality world ---


def month_of(start: date, offset: int) -> date:
    """The first day of the month ``offset`` months after ``start``'s month."""
    return add_months(start, offset)


def observe(tenant: Tenant, partner: Partner, metric: MetricDefinition, values: dict[date, float]) -> None:
    """Store ``values`` (month -> value) for one partner and metric, in one insert."""
    with tenant_context(tenant):
        Observation.objects.bulk_create(
            [
                Observation(tenant=tenant, partner=partner, metric=metric, month=month, value=Decimal(str(value)))
                for month, value in values.items()
            ]
        )


def series(start: date, values: list[float]) -> dict[date, float]:
    """Consecutive months from ``start`` with ``values``."""
    return {month_of(start, i): value for i, value in enumerate(values)}


def deal(tenant: Tenant, partner: Partner, **fields: Any) -> Deal:
    """A deal as the data-quality and derived-metric tests expect it: opened 2026-01-05 unless told otherwise."""
    return DealFactory(tenant=tenant, partner=partner, **{"created_on": date(2026, 1, 5), **fields})


@dataclass
class World:
    tenant: Tenant
    steward: Membership
    data_owner: Membership
    manager: Membership
    acme: Partner  # has a data steward; a revenue outlier in 2026-09
    birch: Partner  # no steward; stopped reporting revenue after 2026-07
    cedar: Partner  # no steward; reported pipeline 120,000, deals say 84,500
    revenue: MetricDefinition
    pipeline: MetricDefinition


def build(tenant: Tenant) -> World:
    steward = member(tenant, Role.MANAGER)
    data_owner = member(tenant, Role.MANAGER)
    manager = member(tenant, Role.MANAGER)
    revenue = MetricFactory(tenant=tenant, key="revenue", name="Revenue", data_owner=data_owner)
    pipeline = MetricFactory(tenant=tenant, key="pipeline_created", name="Pipeline created", derived_from_deals=True)
    acme = PartnerFactory(tenant=tenant, name="Acme", data_steward=steward)
    birch = PartnerFactory(tenant=tenant, name="Birch")
    cedar = PartnerFactory(tenant=tenant, name="Cedar")
    observe(tenant, acme, revenue, series(date(2025, 9, 1), [100.0] * 12 + [500.0]))
    observe(tenant, birch, revenue, series(date(2026, 1, 1), [50.0] * 7))
    observe(tenant, cedar, pipeline, {date(2026, 9, 1): 120000.0})
    deal(tenant, cedar, amount=Decimal("80000"), created_on=date(2026, 9, 3))
    deal(tenant, cedar, amount=Decimal("4500"), created_on=date(2026, 9, 28))
    return World(tenant, steward, data_owner, manager, acme, birch, cedar, revenue, pipeline)


# --- the glossary ---


def metric_form_data(metric: MetricDefinition, **overrides: Any) -> dict[str, Any]:
    """The edit form's fields as a browser would post them, from ``metric``'s stored values."""
    data = {
        "name": metric.name,
        "definition": metric.definition,
        "unit": metric.unit,
        "direction": metric.direction,
        "timing": metric.timing,
        "category": metric.category,
        "aggregation": metric.aggregation,
        "data_source": metric.data_source,
        "data_owner": metric.data_owner_id or "",
        "freshness_days": metric.freshness_days,
    }
    return {**data, **overrides}


def partners_of_every_tier(tenant: Tenant, owner: Membership, count: int) -> list[Partner]:
    tiers = list(Partner.Tier.values)
    stages = list(Partner.Stage.values)
    return [
        PartnerFactory(
            tenant=tenant,
            name=f"Demo Partner {n:02d}",
            external_id=f"DP-{n:03d}",
            tier=tiers[n % len(tiers)],
            stage=stages[n % len(stages)],
            partner_type=list(Partner.Type.values)[n % len(Partner.Type.values)],
            product_lines=["Cloud", "Security"][: 1 + n % 2],
            owner=owner,
        )
        for n in range(count)
    ]


# --- import files ---


def csv_bytes(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> bytes:
    """A CSV file as a spreadsheet would save it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """An Excel workbook with one sheet; dates and numbers stay typed cells."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


DEAL_HEADER = ("external_id", "partner", "account_name", "stage", "amount", "currency", "created_on", "close_date")


def deal_rows(partner_ref: str, count: int, *, start: int = 0, amount: str = "1000.00") -> list[list[str]]:
    """``count`` deal rows of one partner, ids D-<n> from ``start``, in our own field names' order (DEAL_HEADER)."""
    return [
        [f"D-{n:06d}", partner_ref, f"Account {n}", "Negotiation", amount, "USD", "2025-01-15", "2025-06-30"]
        for n in range(start, start + count)
    ]


def partner_records(tenant: Tenant, partner: Partner, count: int, start: int = 0) -> None:
    """``count`` deals, joint activities and survey responses of ``partner`` (numbered from ``start``), in bulk."""
    day = date(2024, 1, 1)
    with tenant_context(tenant):
        Deal.objects.bulk_create(
            Deal(
                tenant=tenant,
                partner=partner,
                external_id=f"P{partner.pk}-{i:05d}",
                account_name=f"Account {i}",
                amount=Decimal(1000 + i),
                created_on=day + timedelta(days=i % 700),
            )
            for i in range(start, start + count)
        )
        Activity.objects.bulk_create(
            Activity(tenant=tenant, partner=partner, kind="webinar", title=f"Webinar {i}", date=day + timedelta(days=i))
            for i in range(start, start + count)
        )
        SurveyResponse.objects.bulk_create(
            SurveyResponse(
                tenant=tenant,
                partner=partner,
                survey="csat",
                respondent_type="customer",
                respondent=f"r{i}@example.test",
                date=day + timedelta(days=i),
                score=4,
            )
            for i in range(start, start + count)
        )
