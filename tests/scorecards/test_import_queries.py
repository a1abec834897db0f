"""Imports work in bulk: the number of queries of a preview or commit does not grow with the number of rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import Deal, ImportChange
from scorecards.services.imports import import_commit, import_preview
from tests.factories import PartnerFactory
from tests.scorecards.factories import DEAL_HEADER, DealFactory, MetricFactory, csv_bytes, deal_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(tenant):
    return [PartnerFactory(tenant=tenant, name=f"Partner {n}", external_id=f"P-{n}") for n in range(5)]


def rows_of(kind, n):
    """``n`` valid rows of ``kind`` spread over the five partners."""
    start = date(2024, 1, 1)
    if kind == "deals":
        return csv_bytes(DEAL_HEADER, [row for p in range(5) for row in deal_rows(f"P-{p}", n // 5, start=p * n)])
    if kind == "observations":
        return csv_bytes(
            ["partner", "metric", "month", "value"],
            [[f"P-{i % 5}", f"metric_{(i // 5) % 4}", f"{2000 + i // 20:04d}-01", str(i)] for i in range(n)],
        )
    if kind == "activities":
        return csv_bytes(
            ["partner", "kind", "title", "date", "attendees"],
            [
                [f"P-{i % 5}", "webinar", f"Webinar {i}", (start + timedelta(days=i % 300)).isoformat(), "10"]
                for i in range(n)
            ],
        )
    return csv_bytes(
        ["partner", "survey", "respondent", "date", "score"],
        [
            [f"P-{i % 5}", "csat", f"r{i}@example.test", (start + timedelta(days=i % 300)).isoformat(), "4"]
            for i in range(n)
        ],
    )


def queries_to_preview_and_commit(tenant, actor, kind, content):
    with tenant_context(tenant):
        with CaptureQueriesContext(connection) as previewing:
            batch = import_preview(tenant=tenant, actor=actor, kind=kind, file_name="f.csv", content=content)
        assert batch.errors == []
        with CaptureQueriesContext(connection) as committing:
            import_commit(tenant=tenant, actor=actor, batch=batch)
    return len(previewing), len(committing)


@pytest.mark.parametrize("kind", ["deals", "observations", "activities", "surveys"])
def test_a_commit_of_500_rows_runs_the_same_queries_as_one_of_10(tenant, manager, partners, kind):
    for n in range(4):
        MetricFactory(tenant=tenant, key=f"metric_{n}")

    queries_to_preview_and_commit(tenant, manager, kind, rows_of(kind, 5))  # the first commit saves the mapping

    small = queries_to_preview_and_commit(tenant, manager, kind, rows_of(kind, 10))
    large = queries_to_preview_and_commit(tenant, manager, kind, rows_of(kind, 500))

    assert large == small


def test_a_commit_reads_and_writes_in_a_bounded_number_of_queries(
    tenant, manager, partners, django_assert_max_num_queries
):
    content = rows_of("deals", 500)
    with tenant_context(tenant):
        batch = import_preview(tenant=tenant, actor=manager, kind="deals", file_name="f.csv", content=content)

        with django_assert_max_num_queries(16):
            import_commit(tenant=tenant, actor=manager, batch=batch)


def test_twenty_thousand_deals_commit_in_bulk(tenant, manager, partners):
    DealFactory(partner=partners[0], external_id="D-000000")  # one update among the creations
    content = csv_bytes(DEAL_HEADER, deal_rows("P-0", 20_000))
    with tenant_context(tenant):
        batch = import_preview(tenant=tenant, actor=manager, kind="deals", file_name="big.csv", content=content)
        progress = []
        with CaptureQueriesContext(connection) as committing:
            batch = import_commit(
                tenant=tenant, actor=manager, batch=batch, progress=lambda done, total: progress.append(done)
            )
        statements = [q["sql"] for q in committing.captured_queries]

        assert batch.counts == {"new": 19_999, "updated": 1, "unchanged": 0, "invalid": 0}
        assert Deal.objects.count() == 20_000
        assert ImportChange.objects.filter(batch=batch).count() == 20_000
    # Four chunks of 5,000: one read, one upsert and one history insert each, plus a fixed dozen.
    assert sum(s.startswith('INSERT INTO "scorecards_deal"') for s in statements) == 4
    assert sum(s.startswith('INSERT INTO "scorecards_importchange"') for s in statements) == 4
    assert len(statements) <= 30
    assert progress == [5000, 10000, 15000, 20000, 20000]
