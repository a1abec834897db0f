"""The deals list (program-wide and one partner's), its exports, a deal's page, the deals API, and the activity and
survey lists: what each shows, who may see it, and a query count that does not grow with the deals."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import Deal, DealReview, ImportBatch
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import (
    ActivityFactory,
    DealFactory,
    ImportBatchFactory,
    SurveyResponseFactory,
)

pytestmark = pytest.mark.django_db


def url(tenant, name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


@pytest.fixture
def deals(tenant):
    """Two partners; deals of every status, two imports from two CRMs, one deal under joint review."""
    acme = PartnerFactory(tenant=tenant, name="Acme Resellers")
    birch = PartnerFactory(tenant=tenant, name="Birch Systems")
    salesforce = ImportBatchFactory(
        tenant=tenant,
        source="salesforce",
        file_name="sf-opportunities.csv",
        status=ImportBatch.Status.COMMITTED,
        committed_at=timezone.now(),
    )
    hubspot = ImportBatchFactory(
        tenant=tenant,
        source="hubspot",
        file_name="hubspot-deals.xlsx",
        status=ImportBatch.Status.COMMITTED,
        committed_at=timezone.now(),
    )
    made = {
        "won": DealFactory(
            partner=acme,
            external_id="SF-001",
            account_name="Initech",
            stage="Closed Won",
            status=Deal.Status.WON,
            amount=Decimal("120000.00"),
            currency="EUR",
            probability=100,
            discount_pct=Decimal("12.50"),
            term_months=36,
            created_on=date(2026, 1, 10),
            close_date=date(2026, 3, 15),
            registration_status=Deal.Registration.APPROVED,
            registered_on=date(2026, 1, 10),
            batch=salesforce,
        ),
        "lost": DealFactory(
            partner=acme,
            external_id="SF-002",
            account_name="Globex",
            stage="Closed Lost",
            status=Deal.Status.LOST,
            amount=Decimal("8000.00"),
            created_on=date(2026, 1, 5),
            close_date=date(2026, 2, 1),
            batch=salesforce,
        ),
        "open": DealFactory(
            partner=birch,
            external_id="HS-17",
            account_name="=HYPERLINK(evil)",
            stage="appointmentscheduled",
            status=Deal.Status.OPEN,
            amount=Decimal("45000.00"),
            probability=60,
            created_on=date(2026, 2, 1),
            close_date=date(2026, 6, 30),
            registration_status=Deal.Registration.PENDING,
            is_renewal=True,
            batch=hubspot,
        ),
        "undated": DealFactory(
            partner=birch,
            external_id="MAN-1",
            account_name="Umbrella",
            amount=Decimal("500"),
            created_on=date(2025, 12, 1),
        ),
    }
    with tenant_context(tenant):
        DealReview.objects.create(
            tenant=tenant,
            deal=made["won"],
            partner=acme,
            pricing_integrity=4,
            discount_discipline=3,
            contract_terms=5,
            renewal_risk=4,
            technical_risk=5,
            quality=Decimal("4.20"),
            status=DealReview.Status.IN_REVIEW,
        )
    return {"acme": acme, "birch": birch, "salesforce": salesforce, "hubspot": hubspot, **made}


def listed(response):
    """The deal ids the list shows, in order."""
    import re

    return re.findall(r'data-deal-id="\d+">\s*<td><a href="[^"]+">([^<]+)</a>', response.content.decode())


# --- the list ---


def test_the_list_shows_every_deal_newest_first_with_amount_currency_and_source(client_for, tenant, deals):
    response = client_for(member(tenant, Role.MANAGER)).get(url(tenant, "deal_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert listed(response) == ["HS-17", "SF-001", "SF-002", "MAN-1"]
    assert "4 deals" in page
    assert "120,000 EUR" in page
    assert "salesforce" in page
    assert "hubspot" in page
    assert "In review" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "won"}, ["SF-001"]),
        ({"partner": "birch"}, ["HS-17", "MAN-1"]),
        ({"stage": "Closed Lost"}, ["SF-002"]),
        ({"registration": "none"}, ["SF-002", "MAN-1"]),
        ({"registration": "pending"}, ["HS-17"]),
        ({"close_from": "2026-02-15", "close_to": "2026-04-01"}, ["SF-001"]),
        ({"amount_min": "1000", "amount_max": "50000"}, ["HS-17", "SF-002"]),
        ({"source": "hubspot"}, ["HS-17"]),
        ({"batch": "salesforce"}, ["SF-001", "SF-002"]),
        ({"q": "glob"}, ["SF-002"]),
        ({"sort": "amount"}, ["MAN-1", "SF-002", "HS-17", "SF-001"]),
        ({"sort": "partner"}, ["SF-001", "SF-002", "HS-17", "MAN-1"]),
        ({"sort": "close_date"}, ["SF-002", "SF-001", "HS-17", "MAN-1"]),
        ({"sort": "-close_date"}, ["HS-17", "SF-001", "SF-002", "MAN-1"]),  # undated last, either way
    ],
)
def test_each_filter_and_sort_narrows_or_orders_the_list(client_for, tenant, deals, params, expected):
    query = {key: str(deals[value].pk) if key in ("partner", "batch") else value for key, value in params.items()}
    response = client_for(member(tenant, Role.EXECUTIVE)).get(url(tenant, "deal_list"), query)
    assert listed(response) == expected


def test_a_bad_filter_value_is_shown_as_an_error_and_the_other_filters_still_apply(client_for, tenant, deals):
    query = {"status": "open", "amount_min": "1000", "amount_max": "100", "close_from": "soon"}
    response = client_for(member(tenant, Role.MANAGER)).get(url(tenant, "deal_list"), query)
    page = response.content.decode()
    assert listed(response) == ["HS-17"]  # open, 1,000 or more; the contradicting maximum and the bad date dropped
    assert "At most must not be below at least." in page
    assert "Enter a valid date." in page


def test_an_htmx_filter_change_gets_the_table_alone_and_the_address_bar_follows(client_for, tenant, deals):
    response = client_for(member(tenant, Role.MANAGER)).get(
        url(tenant, "deal_list"), {"status": "lost", "q": ""}, HTTP_HX_REQUEST="true"
    )
    assert "<h1>" not in response.content.decode()
    assert listed(response) == ["SF-002"]
    assert response["HX-Push-Url"] == url(tenant, "deal_list") + "?status=lost"


def test_the_list_pages_fifty_at_a_time(client_for, tenant, deals):
    with tenant_context(tenant):
        Deal.objects.bulk_create(
            Deal(
                tenant=tenant, partner=deals["acme"], external_id=f"BULK-{i:03d}", amount=1, created_on=date(2026, 1, 1)
            )
            for i in range(60)
        )
    client = client_for(member(tenant, Role.MANAGER))
    first = client.get(url(tenant, "deal_list"), {"sort": "external_id"})
    second = client.get(url(tenant, "deal_list"), {"sort": "external_id", "page": 2})
    assert len(listed(first)) == 50
    assert len(listed(second)) == 14
    assert set(listed(first)).isdisjoint(listed(second))
    assert "Page 1 of 2" in first.content.decode()


def test_no_deal_yet_says_where_deals_come_from(client_for, tenant):
    page = client_for(member(tenant, Role.MANAGER)).get(url(tenant, "deal_list")).content.decode()
    assert "No deals yet. Deals arrive with a deals import" in page


# --- one partner's deals ---


def test_a_partners_list_shows_only_that_partners_deals_and_still_filters(client_for, tenant, deals):
    client = client_for(member(tenant, Role.MANAGER))
    everything = client.get(url(tenant, "partner_deal_list", partner_id=deals["birch"].pk))
    open_only = client.get(url(tenant, "partner_deal_list", partner_id=deals["birch"].pk), {"status": "open"})
    assert listed(everything) == ["HS-17", "MAN-1"]
    assert listed(open_only) == ["HS-17", "MAN-1"]
    assert "Deals of Birch Systems" in everything.content.decode()
    assert 'name="partner"' not in everything.content.decode()


def test_another_programs_partner_has_no_deals_page(client_for, tenant, other_tenant, deals):
    foreign = PartnerFactory(tenant=other_tenant)
    response = client_for(member(tenant, Role.MANAGER)).get(url(tenant, "partner_deal_list", partner_id=foreign.pk))
    assert response.status_code == 404


# --- who may see deals ---


@pytest.mark.parametrize(("role", "status"), [(Role.ADMIN, 200), (Role.EXECUTIVE, 200), (Role.PARTNER, 403)])
def test_the_programs_people_see_deals_and_a_partner_user_does_not(client_for, tenant, deals, role, status):
    who = member(tenant, role, partner=deals["acme"] if role == Role.PARTNER else None)
    client = client_for(who)
    assert client.get(url(tenant, "deal_list")).status_code == status
    assert client.get(url(tenant, "deal_detail", deal_id=deals["won"].pk)).status_code == status
    assert client.get(url(tenant, "partner_deal_list", partner_id=deals["acme"].pk)).status_code == status
    assert client.get(url(tenant, "deal_export_csv")).status_code == status


# --- a deal's page ---


def test_a_deals_page_shows_its_fields_with_units_its_import_and_its_review(client_for, tenant, deals):
    deal = deals["won"]
    page = client_for(member(tenant, Role.MANAGER)).get(url(tenant, "deal_detail", deal_id=deal.pk)).content.decode()
    for text in (
        "SF-001 · Initech",
        "120,000 EUR",
        "100 %",
        "12.5 %",
        "36 months",
        "2026-03-15",
        "Approved",
        "sf-opportunities.csv",
        "salesforce",
        "In review",
        "<strong>4.2</strong> / 5",
        "Discount discipline</dt><dd>3 / 5",
    ):
        assert text in page, text
    assert url(tenant, "import_detail", batch_id=deals["salesforce"].pk) in page


def test_a_deal_without_import_or_review_says_so(client_for, tenant, deals):
    page = (
        client_for(member(tenant, Role.MANAGER))
        .get(url(tenant, "deal_detail", deal_id=deals["undated"].pk))
        .content.decode()
    )
    assert "Not written by an import" in page
    assert "No review" in page


def test_another_programs_deal_is_not_found(client_for, tenant, other_tenant, deals):
    foreign = DealFactory(partner=PartnerFactory(tenant=other_tenant))
    response = client_for(member(tenant, Role.MANAGER)).get(url(tenant, "deal_detail", deal_id=foreign.pk))
    assert response.status_code == 404


# --- exports ---


def test_the_csv_export_holds_the_filtered_deals_formula_safe(client_for, tenant, deals):
    response = client_for(member(tenant, Role.MANAGER)).get(
        url(tenant, "deal_export_csv"), {"partner": deals["birch"].pk}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Disposition"] == 'attachment; filename="alpha-deals.csv"'
    assert rows[0][:8] == ["Deal id", "Partner", "Account", "Stage", "Status", "Amount", "Currency", "Probability (%)"]
    assert [r[0] for r in rows[1:]] == ["HS-17", "MAN-1"]
    assert rows[1][2] == "'=HYPERLINK(evil)"
    assert rows[1][5:8] == ["45000.00", "USD", "60"]
    assert rows[1][12] == "yes"
    assert rows[1][16] == "hubspot"


def test_the_xlsx_export_keeps_numbers_and_dates_as_such(client_for, tenant, deals):
    response = client_for(member(tenant, Role.MANAGER)).get(url(tenant, "deal_export_xlsx"), {"status": "won"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    values = dict(zip(header, row, strict=True))
    assert sheet.max_row == 2
    assert values["Amount"] == 120000
    assert values["Currency"] == "EUR"
    assert values["Close date"].date() == date(2026, 3, 15)
    assert values["Deal review"] == "In review"
    assert values["Deal quality (1-5)"] == pytest.approx(4.2)


# --- the API ---


def test_the_api_lists_deals_filtered_as_the_page_does(api_client_for, tenant, deals):
    client = api_client_for(member(tenant, Role.MANAGER))
    response = client.get(url(tenant, "api_deal_list"), {"source": "salesforce", "sort": "amount"})
    body = response.json()
    assert response.status_code == 200
    assert [d["external_id"] for d in body["results"]] == ["SF-002", "SF-001"]
    won = body["results"][1]
    assert (won["amount"], won["currency"], won["partner_name"], won["source"]) == (
        "120000.00",
        "EUR",
        "Acme Resellers",
        "salesforce",
    )
    assert won["review"]["status"] == "in_review"
    assert won["batch"]["file_name"] == "sf-opportunities.csv"


def test_the_api_refuses_a_bad_filter_with_the_field_named(api_client_for, tenant, deals):
    response = api_client_for(member(tenant, Role.MANAGER)).get(url(tenant, "api_deal_list"), {"status": "maybe"})
    assert response.status_code == 400
    assert "status" in response.json()["extra"]["fields"]


def test_the_api_detail_shows_one_deal_and_not_another_programs(api_client_for, tenant, other_tenant, deals):
    client = api_client_for(member(tenant, Role.MANAGER))
    foreign = DealFactory(partner=PartnerFactory(tenant=other_tenant))
    mine = client.get(url(tenant, "api_deal_detail", deal_id=deals["open"].pk))
    theirs = client.get(url(tenant, "api_deal_detail", deal_id=foreign.pk))
    assert mine.json()["external_id"] == "HS-17"
    assert mine.json()["review"] is None
    assert theirs.status_code == 404


def test_a_partner_user_may_not_read_deals_through_the_api(api_client_for, tenant, deals):
    client = api_client_for(member(tenant, Role.PARTNER, partner=deals["acme"]))
    assert client.get(url(tenant, "api_deal_list")).status_code == 403


# --- activities and survey responses ---


def test_the_activity_list_filters_by_partner_and_kind(client_for, tenant, deals):
    ActivityFactory(partner=deals["acme"], title="Acme webinar", kind="webinar")
    ActivityFactory(partner=deals["acme"], title="Acme training", kind="training")
    ActivityFactory(partner=deals["birch"], title="Birch webinar", kind="webinar")
    client = client_for(member(tenant, Role.MANAGER))
    page = client.get(url(tenant, "activity_list"), {"partner": deals["acme"].pk, "kind": "webinar"}).content.decode()
    assert "Acme webinar" in page
    assert "Acme training" not in page
    assert "Birch webinar" not in page
    assert "1 activity" in page


def test_the_survey_list_filters_by_partner_and_links_the_deal(client_for, tenant, deals):
    SurveyResponseFactory(partner=deals["acme"], deal=deals["won"], score=Decimal("4.50"), comment="Smooth rollout")
    SurveyResponseFactory(partner=deals["birch"], comment="Birch answer")
    client = client_for(member(tenant, Role.MANAGER))
    page = client.get(url(tenant, "survey_list"), {"partner": deals["acme"].pk}).content.decode()
    assert "Smooth rollout" in page
    assert "4.5 / 5" in page
    assert url(tenant, "deal_detail", deal_id=deals["won"].pk) in page
    assert "Birch answer" not in page


# --- bounded queries ---


def _grow(tenant, partners, batch, count, start):
    with tenant_context(tenant):
        made = Deal.objects.bulk_create(
            Deal(
                tenant=tenant,
                partner=partners[i % len(partners)],
                external_id=f"G-{i:05d}",
                account_name=f"Account {i}",
                stage=("Prospecting", "Negotiation", "Closed Won")[i % 3],
                amount=Decimal(1000 + i),
                created_on=date(2026, 1, 1),
                close_date=date(2026, 1 + i % 12, 1),
                batch=batch,
            )
            for i in range(start, start + count)
        )
        DealReview.objects.bulk_create(
            DealReview(
                tenant=tenant,
                deal=d,
                partner_id=d.partner_id,
                pricing_integrity=3,
                discount_discipline=3,
                contract_terms=3,
                renewal_risk=3,
                technical_risk=3,
                quality=3,
            )
            for d in made[::7]
        )


def _count(client, path, params=None):
    client.get(path, params)  # warm: session, caches
    with CaptureQueriesContext(connection) as context:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(context.captured_queries)


# Session, user, tenant, membership, the tenant setting's savepoint and the navigation (14, whatever the page), then the
# page's own reads: for the list, the filter choices (partners, stages, sources, imports), the count and the page of
# deals (partner, import and review joined). The counts must not move with the number of deals.
DEAL_LIST_QUERIES = 20


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("deal_list", {}),
        ("deal_list", {"sort": "amount", "page": "2", "stage": "Negotiation"}),
        ("partner_deal_list", {}),
        ("deal_detail", {}),
        ("api_deal_list", {"sort": "-amount"}),
        ("activity_list", {}),
        ("survey_list", {}),
    ],
)
def test_deal_pages_run_the_same_queries_at_10_and_1000_deals(client_for, api_client_for, tenant, name, params):
    partners = [PartnerFactory(tenant=tenant) for _ in range(3)]
    batch = ImportBatchFactory(tenant=tenant, source="crm", status=ImportBatch.Status.COMMITTED)
    manager = member(tenant, Role.MANAGER)
    client = api_client_for(manager) if name.startswith("api_") else client_for(manager)
    _grow(tenant, partners, batch, 10, 0)
    for i in range(10):
        ActivityFactory(partner=partners[i % 3])
        SurveyResponseFactory(partner=partners[i % 3])
    kwargs = {"partner_id": partners[0].pk} if name == "partner_deal_list" else {}
    if name == "deal_detail":
        with tenant_context(tenant):
            kwargs = {"deal_id": Deal.objects.order_by("id").first().pk}
    path = url(tenant, name, **kwargs)
    at_10 = _count(client, path, params)

    _grow(tenant, partners, batch, 990, 10)
    at_1000 = _count(client, path, params)

    assert at_1000 == at_10 <= DEAL_LIST_QUERIES
