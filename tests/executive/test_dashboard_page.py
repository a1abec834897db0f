from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.services.dashboard import dashboard_precompute
from scorecards.models import ScorecardSnapshot
from tests.executive.world import TODAY, build_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(tenant):
    program = build_program(tenant)
    dashboard_precompute(tenant=tenant, today=TODAY)
    return program


def _get(client, path, **params):
    return client.get(f"/t/alpha/executive/{path}", params)


def test_an_executive_lands_on_the_dashboard_and_a_manager_on_their_portfolio(tenant, actor, client_for):
    assert client_for(actor(Role.EXECUTIVE)).get("/t/alpha/").url == "/t/alpha/executive/"
    assert client_for(actor(Role.MANAGER)).get("/t/alpha/").url == "/t/alpha/scorecards/"


def test_the_dashboard_shows_outcomes_first_and_the_figures_of_remediation_and_recognition(program, actor, client_for):
    response = _get(client_for(actor(Role.EXECUTIVE)), "")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Q2 2025" in body  # the latest quarter
    assert body.index("Program health") < body.index("Results against target") < body.index("Top and bottom movers")
    assert "Not yet available" not in body  # remediation and recognition declare their figures
    assert "Figures computed" in body
    assert 'data-figure="' in body


def test_filters_by_market_and_product_line_slice_the_figures(program, actor, client_for):
    client = client_for(actor(Role.EXECUTIVE))
    response = _get(client, "", market="Germany", product_line="Cloud", granularity="month", at="2025-06-01")
    assert response.status_code == 200
    with tenant_context(program.tenant):
        expected = ScorecardSnapshot.objects.filter(
            period="month",
            period_start=date(2025, 6, 1),
            score__isnull=False,
            partner__market="Germany",
            partner__product_lines__contains=["Cloud"],
        ).count()
    listed = _get(client, "partners/", market="Germany", product_line="Cloud", granularity="month", at="2025-06-01")
    assert listed.status_code == 200
    assert f"{expected} partner" in listed.content.decode()


def test_the_partners_behind_red_are_the_red_scorecards_of_the_period(program, actor, client_for):
    response = _get(client_for(actor(Role.MANAGER)), "partners/", granularity="month", at="2025-05-01", show="rag:red")
    body = response.content.decode()
    with tenant_context(program.tenant):
        red = set(
            ScorecardSnapshot.objects.filter(period="month", period_start=date(2025, 5, 1), rag="red").values_list(
                "partner__name", flat=True
            )
        )
    assert red
    assert {p.name for p in program.partners if p.name in body} == red


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"market": "Atlantis"}, "Select a valid choice"),
        ({"granularity": "month", "at": "2031-01-01"}, "is in the future"),
        ({"granularity": "month", "at": "2019-01-01"}, "There are no figures for January 2019"),
        ({"granularity": "decade"}, "Select a valid choice"),
    ],
)
def test_a_filter_or_period_the_program_does_not_have_is_a_clear_message(program, actor, client_for, params, message):
    response = _get(client_for(actor(Role.EXECUTIVE)), "", **params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_unknown_figure_behind_a_number_is_a_clear_message(program, actor, client_for):
    response = _get(client_for(actor(Role.EXECUTIVE)), "partners/", show="rag:purple")
    assert response.status_code == 400
    assert "There is no RAG status" in response.content.decode()


def test_the_tables_download_as_csv_and_xlsx_and_the_dashboard_as_pdf(program, actor, client_for):
    client = client_for(actor(Role.EXECUTIVE))
    figures = _get(client, "tables.csv", table="figures")
    rows = list(csv.reader(io.StringIO(figures.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Figure", "Value", "Unit"]
    assert any(r[0] == "Open remediation plans" and r[1].isdigit() for r in rows)
    assert figures["Content-Disposition"].startswith('attachment; filename="alpha-dashboard-figures-')
    assert _get(client, "tables.xlsx", table="metrics").content[:2] == b"PK"
    pdf = _get(client, "dashboard.pdf", market="France")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert _get(client, "tables.csv", table="nothing").status_code == 400


def test_a_partner_user_may_not_see_the_dashboard(program, actor, client_for):
    assert _get(client_for(actor(Role.PARTNER)), "").status_code == 403


def _queries(client, **params):
    with CaptureQueriesContext(connection) as captured:
        assert _get(client, "", **params).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "params",
    [{}, {"market": "Germany", "product_line": "Cloud"}, {"region": "emea", "market": "France", "tier": "gold"}],
)
def test_the_page_makes_as_many_queries_for_a_large_program_as_for_a_small_one(
    tenant, other_tenant, actor, client_for, params
):
    build_program(tenant, partners=6)
    build_program(other_tenant, partners=60, seed=9)
    for t in (tenant, other_tenant):
        dashboard_precompute(tenant=t, today=TODAY)
    small = client_for(actor(Role.EXECUTIVE))
    large = client_for(actor(Role.EXECUTIVE, tenant=other_tenant))

    small_count = _queries(small, **params)
    with CaptureQueriesContext(connection) as captured:
        assert large.get("/t/beta/executive/", params).status_code == 200
    assert len(captured) == small_count
