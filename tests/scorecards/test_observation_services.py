from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.errors import CrossTenantReferenceError
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import Observation
from scorecards.services.observations import observations_record_scored
from tests.factories import PartnerFactory
from tests.scorecards.factories import MetricFactory, ObservationFactory

pytestmark = pytest.mark.django_db

JUL, AUG, SEP = date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)


def _stored(tenant, metric):
    with tenant_context(tenant):
        return sorted(
            Observation.objects.for_tenant(tenant)
            .filter(metric=metric)
            .values_list("partner_id", "month", "value", "source")
        )


def test_new_values_are_written_with_their_source(tenant):
    partners = PartnerFactory.create_batch(3, tenant=tenant)
    metric = MetricFactory(tenant=tenant)
    values = {(p.pk, JUL): Decimal("80.5000") for p in partners}

    with tenant_context(tenant):
        recorded = observations_record_scored(tenant=tenant, metric=metric, values=values, source="scoring")

    assert (recorded.written, recorded.partner_ids) == (3, frozenset(p.pk for p in partners))
    assert _stored(tenant, metric) == sorted((p.pk, JUL, Decimal("80.5000"), "scoring") for p in partners)


def test_unchanged_rows_are_skipped_and_changed_ones_updated_in_place(tenant, django_assert_num_queries):
    partner = PartnerFactory(tenant=tenant)
    metric = MetricFactory(tenant=tenant)
    ObservationFactory(partner=partner, metric=metric, month=JUL, value=Decimal("70"), source="scoring")
    ObservationFactory(partner=partner, metric=metric, month=AUG, value=Decimal("70"), source="upload")
    values = {
        (partner.pk, JUL): Decimal("70.0000"),
        (partner.pk, AUG): Decimal("70.0000"),
        (partner.pk, SEP): Decimal("70.0000"),
    }

    with tenant_context(tenant), django_assert_num_queries(2):  # the stored rows, one upsert
        recorded = observations_record_scored(tenant=tenant, metric=metric, values=values, source="scoring")

    assert (recorded.written, recorded.partner_ids) == (2, frozenset({partner.pk}))
    assert _stored(tenant, metric) == [(partner.pk, m, Decimal("70.0000"), "scoring") for m in (JUL, AUG, SEP)]


def test_nothing_to_record_reads_nothing(tenant, django_assert_num_queries):
    metric = MetricFactory(tenant=tenant)

    with tenant_context(tenant), django_assert_num_queries(0):
        recorded = observations_record_scored(tenant=tenant, metric=metric, values={}, source="scoring")

    assert (recorded.written, recorded.partner_ids) == (0, frozenset())


def test_another_tenants_metric_is_refused(tenant, other_tenant):
    partner = PartnerFactory(tenant=tenant)
    foreign = MetricFactory(tenant=other_tenant)

    with tenant_context(tenant), pytest.raises(CrossTenantReferenceError):
        observations_record_scored(
            tenant=tenant, metric=foreign, values={(partner.pk, JUL): Decimal(1)}, source="scoring"
        )
