"""The data-quality page: who may see it, what it lists, its filters and pages, and a flat query count."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerhub.core.models import Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import DataQualityFinding
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import FindingFactory, MetricFactory

pytestmark = pytest.mark.django_db

FINDING_ROW = re.compile(r'data-finding-id="(\d+)"')
Kind = DataQualityFinding.Kind


def page_url(tenant: Tenant) -> str:
    return reverse("quality_list", kwargs={"tenant_slug": tenant.slug})


def listed(response) -> set[int]:
    return {int(pk) for pk in FINDING_ROW.findall(response.content.decode())}


def many_findings(tenant: Tenant, count: int) -> list[DataQualityFinding]:
    """``count`` open findings over as many partners, each with a steward, in a few inserts."""
    steward = member(tenant, Role.MANAGER)
    metric = MetricFactory(tenant=tenant, key="revenue", name="Revenue")
    partners = [PartnerFactory(tenant=tenant, name=f"Bulk {n:03d}", data_steward=steward) for n in range(count)]
    with tenant_context(tenant):
        return DataQualityFinding.objects.bulk_create(
            [
                DataQualityFinding(
                    tenant=tenant,
                    partner=p,
                    metric=metric,
                    kind=Kind.OUTLIER,
                    month=date(2026, 9, 1),
                    detail=f"Finding of {p.name}.",
                    owner=steward,
                )
                for p in partners
            ]
        )


@pytest.fixture
def steward(tenant):
    return member(
        tenant, Role.MANAGER, user__email="steward@alpha.test", user__first_name="Stella", user__last_name="Steward"
    )


@pytest.fixture
def acme(tenant, steward):
    return PartnerFactory(tenant=tenant, name="Acme Cloud", data_steward=steward)


@pytest.fixture
def stale(tenant, acme, steward):
    metric = MetricFactory(tenant=tenant, key="certified_staff", name="Certified staff")
    return FindingFactory(
        tenant=tenant,
        partner=acme,
        metric=metric,
        kind=Kind.STALE,
        month=date(2026, 8, 1),
        owner=steward,
        detail="No Certified staff reported after 2026-07; the metric expects new data within 45 days.",
    )


@pytest.fixture
def reconciliation(tenant):
    partner = PartnerFactory(tenant=tenant, name="Birch Systems")
    metric = MetricFactory(tenant=tenant, key="pipeline_created", name="Pipeline created")
    return FindingFactory(
        tenant=tenant,
        partner=partner,
        metric=metric,
        kind=Kind.RECONCILIATION,
        month=date(2026, 9, 1),
        detail="Reported pipeline 120,000 vs 84,500 from deals (\u221230 %) in 2026-09.",
    )


def test_a_manager_sees_the_open_findings_with_partner_metric_kind_month_detail_and_owner(
    tenant, manager, stale, reconciliation, client_for
):
    response = client_for(manager).get(page_url(tenant))
    body = response.content.decode()
    assert response.status_code == 200
    assert listed(response) == {stale.pk, reconciliation.pk}
    assert reverse("partner_detail", kwargs={"tenant_slug": tenant.slug, "partner_id": stale.partner_id}) in body
    assert reverse("metric_detail", kwargs={"tenant_slug": tenant.slug, "metric_id": stale.metric_id}) in body
    assert "Stale source" in body
    assert "2026-08" in body
    assert "No Certified staff reported after 2026-07" in body
    assert "Stella Steward" in body


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EXECUTIVE])
def test_every_internal_role_sees_the_page(tenant, stale, role, client_for):
    response = client_for(member(tenant, role)).get(page_url(tenant))
    assert response.status_code == 200
    assert listed(response) == {stale.pk}


def test_a_partner_user_may_not_see_the_page(tenant, acme, stale, client_for):
    response = client_for(member(tenant, Role.PARTNER, partner=acme)).get(page_url(tenant))
    assert response.status_code == 403
    assert "No Certified staff" not in response.content.decode()


def test_resolved_and_foreign_findings_are_not_listed(tenant, other_tenant, manager, stale, client_for):
    FindingFactory(tenant=tenant, partner=stale.partner, status=DataQualityFinding.Status.RESOLVED)
    FindingFactory(tenant=other_tenant, partner=PartnerFactory(tenant=other_tenant, name="Foreign Partner"))
    response = client_for(manager).get(page_url(tenant))
    assert listed(response) == {stale.pk}
    assert "Foreign Partner" not in response.content.decode()


def test_the_counts_by_kind_are_on_top(tenant, manager, stale, reconciliation, client_for):
    body = client_for(manager).get(page_url(tenant)).content.decode()
    assert re.search(r'data-kind-count="stale"><strong>1</strong>', body)
    assert re.search(r'data-kind-count="reconciliation"><strong>1</strong>', body)
    assert re.search(r'data-kind-count="outlier"><strong>0</strong>', body)
    assert 'data-open-total="2"' in body


def test_the_page_filters_by_kind(tenant, manager, stale, reconciliation, client_for):
    response = client_for(manager).get(page_url(tenant), {"kind": "reconciliation"})
    assert listed(response) == {reconciliation.pk}


def test_the_page_filters_by_part_of_the_partner_name(tenant, manager, stale, reconciliation, client_for):
    response = client_for(manager).get(page_url(tenant), {"partner": "acme"})
    assert listed(response) == {stale.pk}


def test_an_unknown_kind_is_reported_and_lists_everything(tenant, manager, stale, reconciliation, client_for):
    response = client_for(manager).get(page_url(tenant), {"kind": "bogus"})
    assert response.status_code == 200
    assert listed(response) == {stale.pk, reconciliation.pk}
    assert "Select a valid choice" in response.content.decode()


def test_an_htmx_filter_change_gets_the_table_alone(tenant, manager, stale, reconciliation, client_for):
    response = client_for(manager).get(page_url(tenant), {"kind": "stale"}, headers={"HX-Request": "true"})
    assert listed(response) == {stale.pk}
    assert "<html" not in response.content.decode()
    assert response["HX-Push-Url"] == f"{page_url(tenant)}?kind=stale"


def test_the_page_shows_fifty_findings_at_a_time(tenant, manager, client_for):
    many_findings(tenant, 51)
    first = client_for(manager).get(page_url(tenant))
    second = client_for(manager).get(page_url(tenant), {"page": 2})
    assert len(listed(first)) == 50
    assert len(listed(second)) == 1
    assert "Page 1 of 2" in first.content.decode()


def test_the_queries_of_the_page_do_not_grow_with_the_number_of_findings(tenant, other_tenant, manager, client_for):
    many_findings(tenant, 3)
    other_manager = member(other_tenant, Role.MANAGER)
    many_findings(other_tenant, 30)
    small, large = client_for(manager), client_for(other_manager)
    with CaptureQueriesContext(connection) as few:
        assert len(listed(small.get(page_url(tenant)))) == 3
    with CaptureQueriesContext(connection) as more:
        assert len(listed(large.get(page_url(other_tenant)))) == 30
    assert len(more) == len(few)
