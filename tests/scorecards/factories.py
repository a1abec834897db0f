"""Factories for the scorecards models, plus builders of import files (CSV and XLSX bytes) for the import tests.

Every factory writes inside its object's own tenant (``TenantOwnedFactory``); children take the tenant of their
partner, so ``DealFactory(partner=p)`` needs nothing else.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import factory

from scorecards.models import (
    Activity,
    Deal,
    ImportBatch,
    ImportMapping,
    MetricDefinition,
    Observation,
    SurveyResponse,
)
from tests.factories import MembershipFactory, PartnerFactory, TenantFactory, TenantOwnedFactory


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
