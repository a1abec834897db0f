"""The partner list shows each partner's health beside its profile: the latest monthly score, RAG and trend, read from
the stored snapshots in the list's own query (columns the scorecards app adds to the core's list), sortable."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerhub.core.models import Partner, Role
from partnerhub.core.navigation import declared_list_columns
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import ScorecardSnapshot
from tests.factories import PartnerFactory, member
from tests.recognition.factories import month_snapshot
from tests.scorecards.factories import MetricFactory, simple_scorecard
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db
# Session, user, tenant, membership and navigation (with the tenant's savepoints and settings), the filter form's
# markets and product lines, the count, the rows with their health.
LIST_QUERIES = 19


def _snapshot(partner, month, score, rag="", trend="stable"):
    snapshot = month_snapshot(partner, month, score)
    with tenant_context(partner.tenant):
        ScorecardSnapshot.objects.filter(pk=snapshot.pk).update(rag=rag, trend=trend)


def _names(page):
    return re.findall(r'<tr data-partner-id="\d+">\s*<td><a href="[^"]+">([^<]+)</a>', page)


@pytest.fixture
def program(tenant):
    made = {
        name: PartnerFactory(tenant=tenant, name=name)
        for name in ("Amber Co", "Green Co", "Red Co", "New Co", "Stopped Co")
    }
    _snapshot(made["Amber Co"], date(2026, 5, 1), 20, "red", "declining")  # an older month: not the latest
    _snapshot(made["Amber Co"], date(2026, 6, 1), 65.04, "amber", "declining")
    _snapshot(made["Green Co"], date(2026, 6, 1), 88, "green", "improving")
    _snapshot(made["Red Co"], date(2026, 6, 1), 31.5, "red", "stable")
    _snapshot(made["Stopped Co"], date(2026, 2, 1), 70, "amber", "not_enough")
    return made


def test_each_row_shows_its_latest_score_rag_and_trend_with_units_said_once(client_for, tenant, program):
    page = client_for(member(tenant, Role.MANAGER)).get(tenant_url("partner_list", tenant)).content.decode()
    amber = page[page.index(">Amber Co<") : page.index("</tr>", page.index(">Amber Co<"))]
    assert '<td class="num">65.0</td>' in amber
    assert '<span class="rag rag-amber">Amber</span>' in amber
    assert '<span class="trend trend-declining">Declining</span>' in amber
    fresh = page[page.index(">New Co<") : page.index("</tr>", page.index(">New Co<"))]
    assert "no score yet" in fresh
    stopped = page[page.index(">Stopped Co<") : page.index("</tr>", page.index(">Stopped Co<"))]
    assert '<td class="num">70.0</td>' in stopped  # its own latest month, however old
    assert "Not enough history" in stopped
    assert '<span class="th-help">0\N{EN DASH}100</span>' in page
    assert '<span class="th-help">last 12 months</span>' in page


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("", ["Amber Co", "Green Co", "New Co", "Red Co", "Stopped Co"]),
        ("-name", ["Stopped Co", "Red Co", "New Co", "Green Co", "Amber Co"]),
        ("score", ["Green Co", "Stopped Co", "Amber Co", "Red Co", "New Co"]),
        ("-score", ["Red Co", "Amber Co", "Stopped Co", "Green Co", "New Co"]),
        ("rag", ["Red Co", "Amber Co", "Stopped Co", "Green Co", "New Co"]),
        ("-rag", ["Green Co", "Stopped Co", "Amber Co", "Red Co", "New Co"]),
        ("trend", ["Amber Co", "Red Co", "Green Co", "New Co", "Stopped Co"]),
        ("-trend", ["Green Co", "Red Co", "Amber Co", "New Co", "Stopped Co"]),
        ("bogus", ["Amber Co", "Green Co", "New Co", "Red Co", "Stopped Co"]),
    ],
)
def test_every_health_column_sorts_and_no_score_comes_last_either_way(client_for, tenant, program, sort, order):
    page = client_for(member(tenant, Role.EXECUTIVE)).get(tenant_url("partner_list", tenant), {"sort": sort})
    assert _names(page.content.decode()) == order


def test_a_sorted_list_keeps_its_sort_when_filtered_and_its_filters_when_sorted(client_for, tenant, program):
    client = client_for(member(tenant, Role.MANAGER))
    page = client.get(tenant_url("partner_list", tenant), {"sort": "score", "q": "co"}).content.decode()
    assert '<input type="hidden" name="sort" value="score">' in page
    assert 'href="?q=co&amp;sort=-score"' in page  # the header flips the direction, keeps the filter
    assert 'aria-sort="descending"' in page
    fragment = client.get(tenant_url("partner_list", tenant), {"sort": "score", "q": "r"}, HTTP_HX_REQUEST="true")
    assert _names(fragment.content.decode()) == ["Green Co", "Amber Co", "Red Co"]


def _grow(tenant, version, start, count):
    now = timezone.now()
    with tenant_context(tenant):
        partners = Partner.objects.bulk_create(
            Partner(tenant=tenant, name=f"P {i:04d}", partner_type="reseller", tier="gold", region="emea")
            for i in range(start, start + count)
        )
        ScorecardSnapshot.objects.bulk_create(
            ScorecardSnapshot(
                tenant=tenant,
                partner=p,
                period="month",
                period_start=month,
                template_version=version,
                score=Decimal(40 + (i + m) % 60),
                rag="amber",
                trend="stable",
                computed_at=now,
            )
            for i, p in enumerate(partners)
            for m, month in enumerate([date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)])
        )


@pytest.mark.parametrize("sort", ["name", "score", "rag", "-trend"])
def test_the_list_runs_the_same_queries_at_60_and_600_partners(client_for, tenant, sort):
    version = simple_scorecard(tenant, [MetricFactory(tenant=tenant)])
    client = client_for(member(tenant, Role.MANAGER))
    url = tenant_url("partner_list", tenant)
    _grow(tenant, version, 0, 60)
    client.get(url, {"sort": sort})
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"sort": sort, "page": "2"})
    _grow(tenant, version, 60, 540)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url, {"sort": sort, "page": "2"}).content.decode()
    assert len(large.captured_queries) == len(small.captured_queries) <= LIST_QUERIES
    assert "600 partners" in page
    assert len(_names(page)) == 50
    rows = [q["sql"] for q in large.captured_queries if "scorecards_scorecardsnapshot" in q["sql"]]
    assert len(rows) == 1  # the health comes with the rows, in the same query


def test_the_scorecards_app_declares_the_partner_lists_health_columns():
    (columns,) = declared_list_columns("partner_list")
    assert columns.annotate == "scorecards.selectors.health.partners_with_health"
    assert set(columns.sorts) == {"score", "-score", "rag", "-rag", "trend", "-trend"}
