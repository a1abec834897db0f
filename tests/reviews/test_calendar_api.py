"""The calendar API: reviews in a date range of at most 100 days, filtered, in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.core.models import Role
from tests.factories import PartnerFactory, member
from tests.reviews.factories import CadenceFactory, CycleFactory, ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar(api_client_for):
    def read(membership, **params):
        return api_client_for(membership).get(f"/api/v1/t/{membership.tenant.slug}/calendar/", params)

    return read


@pytest.fixture
def cycle(tenant):
    return CycleFactory(cadence=CadenceFactory(tenant=tenant, name="QBR"))


def review(cycle, name, when, owner):
    return ReviewFactory(
        cycle=cycle, partner=PartnerFactory(tenant=cycle.tenant, name=name, owner=owner), scheduled_for=when
    )


def test_the_range_holds_the_reviews_of_its_days_end_included(tenant, manager, cycle, calendar):
    review(cycle, "Before", datetime(2026, 9, 30, 23, 59, tzinfo=UTC), manager)
    first = review(cycle, "First", datetime(2026, 10, 1, 0, 0, tzinfo=UTC), manager)
    last = review(cycle, "Last", datetime(2026, 10, 31, 23, 0, tzinfo=UTC), manager)
    review(cycle, "After", datetime(2026, 11, 1, 0, 0, tzinfo=UTC), manager)

    response = calendar(manager, start="2026-10-01", end="2026-10-31")

    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body] == [first.pk, last.pk]
    assert body[0]["partner"] == {"id": first.partner_id, "name": "First"}
    assert body[0]["kind"] == "qbr"
    assert body[0]["state"] == "scheduled"
    assert body[0]["moderator"] == manager.pk
    assert body[0]["url"].startswith("/t/alpha/")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-01-01", "end": "2026-04-12"}, "end"),  # 101 days
        ({"start": "2026-10-10", "end": "2026-10-01"}, "end"),
        ({"start": "not-a-date", "end": "2026-10-01"}, "start"),
        ({"start": "2026-10-01", "end": "2026-10-02", "kind": "party"}, "kind"),
    ],
)
def test_a_bad_range_or_filter_is_a_400(tenant, manager, params, field, calendar):
    response = calendar(manager, **params)
    assert response.status_code == 400
    assert field in str(response.json())


def test_a_range_of_exactly_100_days_is_fine(tenant, manager, calendar):
    assert calendar(manager, start="2026-01-01", end="2026-04-11").status_code == 200


def test_without_a_range_the_next_30_days_are_listed(tenant, manager, calendar):
    assert calendar(manager).status_code == 200


def test_filters_by_moderator_kind_and_partner(tenant, manager, cycle, calendar):
    other = member(tenant, Role.MANAGER)
    mine = review(cycle, "Mine", datetime(2026, 10, 5, tzinfo=UTC), manager)
    theirs = review(cycle, "Theirs", datetime(2026, 10, 6, tzinfo=UTC), other)
    window = {"start": "2026-10-01", "end": "2026-10-31"}
    assert [r["id"] for r in calendar(manager, owner=other.pk, **window).json()] == [theirs.pk]
    assert [r["id"] for r in calendar(manager, partner="min", **window).json()] == [mine.pk]
    assert calendar(manager, kind="health_check", **window).json() == []


def test_a_moderator_of_another_tenant_is_a_400(tenant, other_tenant, manager, calendar):
    foreign = member(other_tenant, Role.MANAGER)
    response = calendar(manager, owner=foreign.pk, start="2026-10-01", end="2026-10-31")
    assert response.status_code == 400


def test_a_partner_user_may_not_read_the_calendar(tenant, calendar):
    partner_user = member(tenant, Role.PARTNER, partner=PartnerFactory(tenant=tenant))
    assert calendar(partner_user).status_code == 403


def test_the_calendar_reads_as_many_queries_for_50_reviews_as_for_5(tenant, manager, cycle, calendar):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = calendar(manager, start="2026-10-01", end="2026-10-31")
        return len(captured), len(response.json())

    for n in range(5):
        review(cycle, f"First {n}", datetime(2026, 10, 1 + n, tzinfo=UTC), manager)
    few, five = queries()
    for n in range(45):
        review(cycle, f"More {n}", datetime(2026, 10, 1 + n % 28, 12, tzinfo=UTC), member(tenant, Role.MANAGER))
    many, fifty = queries()
    assert (five, fifty) == (5, 50)
    assert few == many
