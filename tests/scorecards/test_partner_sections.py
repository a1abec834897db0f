"""The partner page shows the partner's latest deals, activities and survey responses: sections the scorecards app
declares on its AppConfig, collected by the wiring and rendered by the core page, which names no app."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerhub.context_processors import navigation
from partnerhub.core.models import Role
from partnerhub.core.navigation import PartnerSection
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.registry import partner_sections
from scorecards.models import Activity, Deal, SurveyResponse
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import ActivityFactory, DealFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db


def partner_page(client, partner):
    return client.get(reverse("partner_detail", kwargs={"tenant_slug": partner.tenant.slug, "partner_id": partner.pk}))


def _fill(tenant, partner, count, start=0):
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


def test_the_partner_page_shows_the_latest_deals_activities_and_surveys_and_links_to_all(client_for, tenant):
    acme, other = PartnerFactory(tenant=tenant, name="Acme"), PartnerFactory(tenant=tenant, name="Other")
    for i in range(7):
        DealFactory(partner=acme, external_id=f"ACME-{i}", created_on=date(2026, 1, 1 + i), amount=Decimal(1000 * i))
    DealFactory(partner=other, external_id="OTHER-1", created_on=date(2026, 2, 1))
    ActivityFactory(partner=acme, title="Joint launch webinar", attendees=120, leads=14)
    SurveyResponseFactory(partner=acme, score=Decimal("4.50"), comment="Great partner")
    SurveyResponseFactory(partner=other, comment="Not about Acme")
    page = partner_page(client_for(member(tenant, Role.EXECUTIVE)), acme).content.decode()
    shown = [f"ACME-{i}" for i in range(7) if f">ACME-{i}</a>" in page]
    assert shown == ["ACME-2", "ACME-3", "ACME-4", "ACME-5", "ACME-6"]  # the five latest
    assert page.index(">ACME-6<") < page.index(">ACME-2<")
    assert "OTHER-1" not in page
    assert "All 7 deals of Acme" in page
    assert reverse("partner_deal_list", kwargs={"tenant_slug": tenant.slug, "partner_id": acme.pk}) in page
    assert "6,000.00 USD" in page
    assert "Joint launch webinar" in page
    assert "All 1 activity" in page
    assert f"?partner={acme.pk}" in page
    assert "4.5 of 5" in page
    assert "Great partner" in page
    assert "Not about Acme" not in page


def test_a_partner_with_no_data_says_where_it_comes_from(client_for, tenant):
    page = partner_page(client_for(member(tenant, Role.MANAGER)), PartnerFactory(tenant=tenant)).content.decode()
    assert "No deals yet: they arrive with a deals import." in page
    assert "No joint activities yet" in page
    assert "No survey responses yet" in page


def test_the_partner_page_runs_the_same_queries_at_10_and_1000_rows_of_each(client_for, tenant):
    partner = PartnerFactory(tenant=tenant)
    client = client_for(member(tenant, Role.MANAGER))
    _fill(tenant, partner, 10)
    partner_page(client, partner)
    with CaptureQueriesContext(connection) as small:
        assert partner_page(client, partner).status_code == 200
    _fill(tenant, partner, 990, start=10)
    with CaptureQueriesContext(connection) as large:
        page = partner_page(client, partner).content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)
    assert "All 1,000 deals" in page


def test_the_scorecards_app_declares_its_three_sections_in_order():
    assert [s.key for s in partner_sections()] == ["partner-deals", "partner-activities", "partner-surveys"]


def test_two_sections_with_one_key_are_a_configuration_error(monkeypatch):
    from django.apps import apps

    config = apps.get_app_config("reviews")
    twin = PartnerSection("partner-deals", "x.html", "x.y", "deals.view", order=1)
    monkeypatch.setattr(config, "partner_sections", (twin,), raising=False)
    with pytest.raises(ImproperlyConfigured, match="share a key"):
        partner_sections()


@pytest.mark.parametrize(("role", "keys"), [(Role.EXECUTIVE, 3), (Role.PARTNER, 0)])
def test_a_member_gets_only_the_sections_their_role_may_see(tenant, role, keys):
    who = member(tenant, role, partner=PartnerFactory(tenant=tenant) if role == Role.PARTNER else None)
    request = RequestFactory().get("/")
    request.tenant, request.membership, request.user = tenant, who, who.user
    assert len(navigation(request)["partner_sections"]) == keys
