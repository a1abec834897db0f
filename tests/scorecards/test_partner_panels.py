"""The partner page shows the partner's latest score, data-quality findings, deals, activities and survey responses:
page panels the scorecards app declares on its AppConfig, collected by the wiring and rendered in the core page's
slots, which name no app."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.registry import _page_panels, page_panels
from recognition.views.sections import partner_panel
from scorecards.views import panels
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import (
    ActivityFactory,
    DealFactory,
    FindingFactory,
    MetricFactory,
    SurveyResponseFactory,
    partner_records,
)

pytestmark = pytest.mark.django_db


def partner_page(client, partner):
    return client.get(reverse("partner_detail", kwargs={"tenant_slug": partner.tenant.slug, "partner_id": partner.pk}))


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
    assert "6,000 USD" in page
    assert "Joint launch webinar" in page
    assert "All 1 activity" in page
    assert f"?partner={acme.pk}" in page
    assert "4.5 / 5" in page
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
    partner_records(tenant, partner, 10)
    partner_page(client, partner)
    with CaptureQueriesContext(connection) as small:
        assert partner_page(client, partner).status_code == 200
    partner_records(tenant, partner, 990, start=10)
    with CaptureQueriesContext(connection) as large:
        page = partner_page(client, partner).content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)
    assert "All 1,000 deals" in page


def test_the_scorecards_app_fills_the_summary_and_the_records_in_the_order_it_lists_them():
    slots = page_panels()
    assert slots["partner_summary"][:2] == [panels.score_panel, partner_panel]  # INSTALLED_APPS order
    assert slots["partner_records"] == [
        panels.quality_panel,
        panels.deals_panel,
        panels.activities_panel,
        panels.surveys_panel,
    ]


def test_an_app_may_declare_one_panel_or_several_for_a_slot(monkeypatch):
    from django.apps import apps

    monkeypatch.setattr(
        apps.get_app_config("reviews"),
        "page_panels",
        {"partner_records": "scorecards.views.panels.deals_panel", "x": ("scorecards.views.panels.score_panel",)},
    )
    _page_panels.cache_clear()
    try:
        slots = page_panels()
    finally:
        _page_panels.cache_clear()
    assert slots["partner_records"][-1] is panels.deals_panel  # after the scorecards app's own
    assert slots["x"] == [panels.score_panel]


@pytest.mark.parametrize(
    "panel",
    [panels.score_panel, panels.quality_panel, panels.deals_panel, panels.activities_panel, panels.surveys_panel],
)
@pytest.mark.parametrize(("role", "shown"), [(Role.EXECUTIVE, True), (Role.ADMIN, True), (Role.PARTNER, False)])
def test_each_panel_shows_to_the_programs_people_and_never_to_a_partner_user(tenant, panel, role, shown):
    partner = PartnerFactory(tenant=tenant)
    who = member(tenant, role, partner=partner if role == Role.PARTNER else None)
    request = RequestFactory().get("/")
    request.tenant, request.membership, request.user = tenant, who, who.user
    with tenant_context(tenant):
        html = panel(request, slot="partner_records", partner=partner)
    assert ('<section class="card' in html) is shown
    assert (html == "") is not shown


def test_the_quality_panel_lists_the_partners_open_findings_only(client_for, tenant):
    acme, other = PartnerFactory(tenant=tenant, name="Acme"), PartnerFactory(tenant=tenant, name="Other")
    revenue = MetricFactory(tenant=tenant, name="Revenue")
    FindingFactory(partner=acme, metric=revenue, kind="stale", month=date(2026, 5, 1), detail="No revenue since March")
    FindingFactory(partner=acme, kind="outlier", month=date(2026, 4, 1), detail="Resolved one", status="resolved")
    FindingFactory(partner=other, kind="stale", month=date(2026, 5, 1), detail="Not about Acme")
    page = partner_page(client_for(member(tenant, Role.MANAGER)), acme).content.decode()
    assert "No revenue since March" in page
    assert "May 2026" in page
    assert "Resolved one" not in page
    assert "Not about Acme" not in page
    assert "All 1 open finding →" in page
    assert reverse("quality_list", kwargs={"tenant_slug": tenant.slug}) + "?partner=Acme" in page
