from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from partnerhub.core.models import Partner, Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import ScorecardSnapshot, ScorecardTemplate, TemplateVersion
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import MetricFactory

pytestmark = pytest.mark.django_db
SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)


@pytest.fixture
def version(tenant):
    with tenant_context(tenant):
        template = ScorecardTemplate.objects.create(tenant=tenant, name="Standard", is_default=True)
        return TemplateVersion.objects.create(
            tenant=tenant, template=template, number=1, status="active", effective_from=date(2025, 1, 1)
        )


@pytest.fixture
def metrics(tenant):
    return [
        MetricFactory(tenant=tenant, key="revenue", name="Revenue"),
        MetricFactory(tenant=tenant, key="csat", name="CSAT"),
    ]


def _items(metrics, revenue_points, csat_points):
    return [
        {
            "metric_id": metrics[0].pk,
            "weight": 60,
            "target": 100,
            "actual": revenue_points / 0.6,
            "normalised": None,
            "attainment": revenue_points / 0.6,
            "points": revenue_points,
            "rag": "green",
            "missing": False,
        },
        {
            "metric_id": metrics[1].pk,
            "weight": 40,
            "target": 4,
            "actual": None,
            "normalised": None,
            "attainment": None,
            "points": None,
            "rag": "",
            "missing": csat_points is None,
        }
        if csat_points is None
        else {
            "metric_id": metrics[1].pk,
            "weight": 40,
            "target": 4,
            "actual": 4,
            "normalised": None,
            "attainment": csat_points / 0.4,
            "points": csat_points,
            "rag": "amber",
            "missing": False,
        },
    ]


def _snapshot(tenant, partner, version, metrics, month, score, revenue=50.0, csat=30.0, period="month", **extra):
    values = {
        "score": Decimal(str(score)),
        "rag": "green" if score >= 80 else "amber" if score >= 60 else "red",
        "percentile": Decimal(50),
        "trend": "stable",
        "trend_explanation": "Up 1.0 points, within noise.",
        "items": _items(metrics, revenue, csat),
        "computed_at": timezone.now(),
        **extra,
    }
    with tenant_context(tenant):
        return ScorecardSnapshot.objects.create(
            tenant=tenant, partner=partner, period=period, period_start=month, template_version=version, **values
        )


def _portfolio(n, tenant, version, metrics):
    for i in range(n):
        partner = PartnerFactory(tenant=tenant, name=f"P{i:03d}", tier="gold" if i % 2 else "silver")
        _snapshot(tenant, partner, version, metrics, OCT, 50 + i)


def test_the_portfolio_lists_every_partner_of_the_latest_month_by_score(client, tenant, version, metrics):
    _portfolio(3, tenant, version, metrics)
    client.force_login(member(tenant, Role.EXECUTIVE).user)
    page = client.get(reverse("portfolio", kwargs={"tenant_slug": tenant.slug})).content.decode()
    table = page[page.index('id="portfolio-table"') :]  # the "turning red" card above lists the lowest first
    assert table.index("P002") < table.index("P001") < table.index("P000")
    assert "October 2026" in page


def test_the_portfolio_filters_by_tier(client, tenant, version, metrics):
    _portfolio(4, tenant, version, metrics)
    client.force_login(member(tenant, Role.MANAGER).user)
    page = client.get(reverse("portfolio", kwargs={"tenant_slug": tenant.slug}), {"tier": "gold"}).content.decode()
    table = page[page.index('id="portfolio-table"') :]  # the filters choose the table's rows, not the cards above
    assert "P001" in table
    assert "P003" in table
    assert "P000" not in table


@pytest.mark.parametrize("partners", [3, 30])
def test_the_portfolio_runs_the_same_queries_for_3_and_30_partners(
    client, tenant, version, metrics, partners, django_assert_num_queries
):
    _portfolio(partners, tenant, version, metrics)
    client.force_login(member(tenant, Role.MANAGER).user)
    client.get(reverse("portfolio", kwargs={"tenant_slug": tenant.slug}))
    # 14 (the tenant switcher's memberships and the latest month are kept between requests, partnerhub/core/tenancy),
    # plus the unread-notifications badge in the top bar, plus the head above the table: the RAG split, the partners
    # turning red, and the reviews app's panel (this week's reviews, overdue actions).
    with django_assert_num_queries(19):
        client.get(reverse("portfolio", kwargs={"tenant_slug": tenant.slug}))


def test_a_partner_user_cannot_see_the_portfolio(client, tenant, version, metrics):
    partner = PartnerFactory(tenant=tenant)
    client.force_login(member(tenant, Role.PARTNER, partner=partner).user)
    assert client.get(reverse("portfolio", kwargs={"tenant_slug": tenant.slug})).status_code == 403


def test_the_export_is_a_csv_and_an_xlsx_named_after_the_program_and_period(client, tenant, version, metrics):
    _portfolio(2, tenant, version, metrics)
    client.force_login(member(tenant, Role.MANAGER).user)
    csv_response = client.get(reverse("portfolio_csv", kwargs={"tenant_slug": tenant.slug}))
    xlsx_response = client.get(reverse("portfolio_xlsx", kwargs={"tenant_slug": tenant.slug}))
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert (
        csv_response["Content-Disposition"] == f'attachment; filename="{tenant.slug}-scorecards-month-2026-10-01.csv"'
    )
    assert csv_response.content.decode().splitlines()[1].startswith("P001,")
    assert [c.value for c in sheet[1]][:2] == ["Partner", "Type"]
    assert sheet.max_row == 3


def test_the_partner_scorecard_shows_each_metric_linked_to_the_glossary_and_what_moved_the_score(
    client, tenant, version, metrics
):
    partner = PartnerFactory(tenant=tenant, name="Acme")
    _snapshot(tenant, partner, version, metrics, SEP, 70, revenue=40.0, csat=30.0)
    _snapshot(
        tenant,
        partner,
        version,
        metrics,
        OCT,
        80,
        revenue=50.0,
        csat=30.0,
        dq_flag=True,
        dq_reasons=["Revenue reported 100 times the usual value in 2026-10."],
    )
    client.force_login(member(tenant, Role.MANAGER).user)
    page = client.get(reverse("partner_scorecard", kwargs={"tenant_slug": tenant.slug, "partner_id": partner.pk}))
    body = page.content.decode()
    glossary = reverse("metric_detail", kwargs={"tenant_slug": tenant.slug, "metric_id": metrics[0].pk})
    assert page.status_code == 200
    assert f'href="{glossary}"' in body
    assert "+10.0" in body
    assert "Revenue reported 100 times" in body
    assert "Up 1.0 points, within noise." in body
    assert "data-figure=" in body


def test_a_partner_user_sees_their_own_scorecard_with_the_segment_median_and_no_other_name(
    client, tenant, version, metrics
):
    own = PartnerFactory(tenant=tenant, name="Own Partner", partner_type=Partner.Type.SI, stage="growth")
    other = PartnerFactory(tenant=tenant, name="Rival Partner", partner_type=Partner.Type.SI, stage="growth")
    _snapshot(tenant, own, version, metrics, OCT, 60)
    _snapshot(tenant, other, version, metrics, OCT, 90)
    client.force_login(member(tenant, Role.PARTNER, partner=own).user)
    url = reverse("portal_scorecard", kwargs={"tenant_slug": tenant.slug})
    body = client.get(url).content.decode()
    assert "Own Partner" in body
    assert "Rival Partner" not in body
    # Two partners: their median would give the other's score away (2 x 75 - 60 = 90), so there is none.
    assert "75.0" not in body
    assert "too few partners of your type and stage" in body
    assert "Median of your segment" not in body  # nor a line of it on the chart
    third = PartnerFactory(tenant=tenant, name="Third Partner", partner_type=Partner.Type.SI, stage="growth")
    _snapshot(tenant, third, version, metrics, OCT, 70)
    body = client.get(url).content.decode()
    assert "70.0" in body  # the median of 60, 70 and 90
    assert "Median of your segment" in body  # drawn on the partner's own chart
    assert "Third Partner" not in body


def test_a_small_segment_reads_as_a_rank_and_a_large_one_as_a_percentile(client, tenant, version, metrics):
    small = [PartnerFactory(tenant=tenant, name=f"Small {i}", partner_type="si", stage="growth") for i in range(4)]
    for i, partner in enumerate(small):
        _snapshot(tenant, partner, version, metrics, OCT, 50 + 10 * i)  # Small 3 is best: rank 1 of 4
    large = [
        PartnerFactory(tenant=tenant, name=f"Large {i}", partner_type="reseller", stage="mature") for i in range(10)
    ]
    for i, partner in enumerate(large):
        _snapshot(tenant, partner, version, metrics, OCT, 40 + i, percentile=Decimal(5 + 10 * i))
    client.force_login(member(tenant, Role.MANAGER).user)
    page = client.get(reverse("portfolio", kwargs={"tenant_slug": tenant.slug}), {"scope": "all"}).content.decode()
    table = page[page.index('id="portfolio-table"') :]
    row = table[table.index(">Small 1<") :].split("</tr>")[0]
    assert "rank 3 of 4" in row
    row = table[table.index(">Large 9<") :].split("</tr>")[0]
    assert ">95<" in row
    assert "rank" not in row
    card = client.get(
        reverse("partner_scorecard", kwargs={"tenant_slug": tenant.slug, "partner_id": small[3].pk})
    ).content.decode()
    assert "Rank in segment" in card
    assert "1 of 4" in card
    assert "among 4 scored" in card


def test_a_quarter_to_date_is_labelled_on_every_page_and_is_never_the_previous_of_a_change(
    client, tenant, version, metrics
):
    own = PartnerFactory(tenant=tenant, name="Acme")
    _snapshot(tenant, own, version, metrics, date(2026, 7, 1), 70, period="quarter", months_covered=3)
    _snapshot(tenant, own, version, metrics, OCT, 80, period="quarter", months_covered=2, change_previous=None)
    label = "Quarter starting October 2026, to date (2 of 3 months)"
    client.force_login(member(tenant, Role.MANAGER).user)
    url = {"tenant_slug": tenant.slug}

    card = client.get(reverse("partner_scorecard", kwargs={**url, "partner_id": own.pk}), {"period": "quarter"})
    portfolio = client.get(reverse("portfolio", kwargs=url), {"period": "quarter"}).content.decode()
    export = client.get(reverse("portfolio_csv", kwargs=url), {"period": "quarter"}).content.decode()
    client.force_login(member(tenant, Role.PARTNER, partner=own).user)
    portal = client.get(reverse("portal_scorecard", kwargs=url), {"period": "quarter"}).content.decode()

    assert label in card.content.decode()
    assert card.context["card"].previous is None
    assert "Moved the score" not in card.content.decode()
    badge = '<span class="badge to-date" title="Quarter starting October 2026, to date (2 of 3 months)">'
    assert f"{badge}to date (2 of 3 months)</span>" in portfolio
    assert (
        "quarter starting October 2026 · to date (2 of 3 months): summed targets count those months only" in portfolio
    )
    assert "to date (2 of 3 months)" in export.splitlines()[1]
    assert label in portal


def test_the_portfolio_header_takes_the_quarter_to_date_from_the_period_not_from_the_rows_shown(
    client, tenant, version, metrics
):
    early = PartnerFactory(tenant=tenant, name="Early")
    late = PartnerFactory(tenant=tenant, name="Joined in November")
    _snapshot(tenant, early, version, metrics, OCT, 80, period="quarter", months_covered=2)
    _snapshot(tenant, late, version, metrics, OCT, 60, period="quarter", months_covered=1)
    client.force_login(member(tenant, Role.MANAGER).user)
    url = reverse("portfolio", kwargs={"tenant_slug": tenant.slug})

    only_late = client.get(url, {"period": "quarter", "q": "Joined"}).content.decode()

    assert "Early" not in only_late
    assert "quarter starting October 2026 · to date (2 of 3 months): summed targets" in only_late
    assert ">to date (1 of 3 months)</span>" in only_late


def test_a_complete_quarter_after_a_complete_one_shows_what_moved_the_score(client, tenant, version, metrics):
    own = PartnerFactory(tenant=tenant, name="Acme")
    _snapshot(tenant, own, version, metrics, date(2026, 4, 1), 70, revenue=40.0, period="quarter", months_covered=3)
    _snapshot(tenant, own, version, metrics, date(2026, 7, 1), 80, period="quarter", months_covered=3)
    client.force_login(member(tenant, Role.MANAGER).user)

    page = client.get(
        reverse("partner_scorecard", kwargs={"tenant_slug": tenant.slug, "partner_id": own.pk}), {"period": "quarter"}
    )

    assert "Quarter starting July 2026</dd>" in page.content.decode()
    assert "Moved the score" in page.content.decode()
