"""Resolving a finding from the data-quality page (POST only, managers and admins, this tenant's findings only).

Until ``scorecards/urls.py`` mounts the route, these tests mount it themselves (pytest-django's ``urls`` marker):
the same view, at the same path and name the page links to.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import include, path, reverse

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import DataQualityFinding
from scorecards.views import data_quality as views_quality
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import FindingFactory

urlpatterns = [
    path(
        "t/<slug:tenant_slug>/quality/<int:finding_id>/resolve/",
        views_quality.quality_finding_resolve_view,
        name="quality_finding_resolve",
    ),
    path("", include("partnerhub.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
Status = DataQualityFinding.Status


def resolve_url(finding: DataQualityFinding, tenant) -> str:
    return reverse("quality_finding_resolve", kwargs={"tenant_slug": tenant.slug, "finding_id": finding.pk})


def status_of(finding: DataQualityFinding) -> str:
    with tenant_context(finding.tenant):
        return DataQualityFinding.objects.for_tenant(finding.tenant).get(pk=finding.pk).status


@pytest.fixture
def finding(tenant):
    return FindingFactory(tenant=tenant, partner=PartnerFactory(tenant=tenant, name="Acme"), month=date(2026, 9, 1))


def test_the_page_offers_a_resolve_button_to_a_manager(tenant, finding, client_for):
    body = client_for(member(tenant, Role.MANAGER)).get(reverse("quality_list", args=[tenant.slug])).content.decode()
    assert f'action="{resolve_url(finding, tenant)}"' in body


def test_the_page_offers_no_resolve_button_to_an_executive(tenant, finding, client_for):
    body = client_for(member(tenant, Role.EXECUTIVE)).get(reverse("quality_list", args=[tenant.slug])).content.decode()
    assert resolve_url(finding, tenant) not in body


def test_a_manager_resolves_a_finding_and_returns_to_the_filtered_list(tenant, finding, client_for):
    response = client_for(member(tenant, Role.MANAGER)).post(
        resolve_url(finding, tenant), {"return_query": "kind=outlier&page=2&next=https://evil.example"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("quality_list", args=[tenant.slug]) + "?kind=outlier&page=2"
    assert status_of(finding) == Status.RESOLVED


def test_resolving_an_already_resolved_finding_says_so_and_changes_nothing(tenant, finding, client_for):
    client = client_for(member(tenant, Role.MANAGER))
    client.post(resolve_url(finding, tenant))
    response = client.post(resolve_url(finding, tenant), follow=True)
    assert "already resolved" in response.content.decode()
    assert status_of(finding) == Status.RESOLVED


def test_an_executive_may_not_resolve_a_finding(tenant, finding, client_for):
    response = client_for(member(tenant, Role.EXECUTIVE)).post(resolve_url(finding, tenant))
    assert response.status_code == 403
    assert status_of(finding) == Status.OPEN


def test_resolving_is_a_post(tenant, finding, client_for):
    response = client_for(member(tenant, Role.MANAGER)).get(resolve_url(finding, tenant))
    assert response.status_code == 405
    assert status_of(finding) == Status.OPEN


def test_another_tenants_finding_is_a_404(tenant, other_tenant, client_for):
    foreign = FindingFactory(tenant=other_tenant, partner=PartnerFactory(tenant=other_tenant))
    response = client_for(member(tenant, Role.MANAGER)).post(resolve_url(foreign, tenant))
    assert response.status_code == 404
    assert status_of(foreign) == Status.OPEN
