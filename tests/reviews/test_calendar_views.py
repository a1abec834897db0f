"""The calendar pages: a month grid with each review in its day, the upcoming weeks, filters, flat query counts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import Cadence, CalendarFeed, Review
from tests.factories import PartnerFactory, member
from tests.reviews.factories import CadenceFactory, CycleFactory, ReviewFactory
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db

DAY_CELL = re.compile(
    r'<li class="cal-day[^"]*" data-day="(\d{4}-\d\d-\d\d)">(.*?)</li>\s*(?=<li class="cal-day|</ol>)', re.S
)
LIST_ROW = re.compile(r'data-review-id="(\d+)"')


def day_cells(response):
    return dict(DAY_CELL.findall(response.content.decode()))


def at(y, m, d, hour=15, minute=0):
    return datetime(y, m, d, hour, minute, tzinfo=UTC)


@pytest.fixture
def other_manager(tenant):
    return member(tenant, Role.MANAGER, user__first_name="Otto", user__last_name="Other")


@pytest.fixture
def cycle(tenant):
    return CycleFactory(cadence=CadenceFactory(tenant=tenant, name="QBR"))


@pytest.fixture
def health_cycle(tenant):
    cadence = CadenceFactory(
        tenant=tenant, name="Health", kind=Cadence.Kind.HEALTH_CHECK, frequency=Cadence.Frequency.MONTHLY
    )
    return CycleFactory(cadence=cadence)


def review(cycle, name, when, owner, **kwargs):
    partner = PartnerFactory(tenant=cycle.tenant, name=name, owner=owner)
    return ReviewFactory(cycle=cycle, partner=partner, scheduled_for=when, **kwargs)


def test_the_month_puts_each_review_in_its_day_cell(tenant, manager, cycle, client_for):
    review(cycle, "Acme Cloud", at(2026, 10, 15, 15, 30), manager)
    review(cycle, "Birch Systems", at(2026, 10, 3, 9), manager)
    review(cycle, "Cedar Labs", at(2026, 11, 20), manager)

    response = client_for(manager).get(tenant_url("calendar_month", tenant), {"month": "2026-10"})

    assert response.status_code == 200
    cells = day_cells(response)
    assert "Acme Cloud" in cells["2026-10-15"]
    assert "15:30" in cells["2026-10-15"]
    assert "QBR" in cells["2026-10-15"]
    assert "Scheduled" in cells["2026-10-15"]
    assert "Birch Systems" in cells["2026-10-03"]
    assert "Cedar Labs" not in response.content.decode()
    assert [d for d, html in cells.items() if "cal-review" in html] == ["2026-10-03", "2026-10-15"]


def test_the_grid_runs_monday_to_sunday_across_whole_weeks(tenant, manager, client_for):
    cells = day_cells(client_for(manager).get(tenant_url("calendar_month", tenant), {"month": "2026-10"}))
    days = list(cells)
    assert days[0] == "2026-09-28"  # the Monday before 1 October 2026 (a Thursday)
    assert days[-1] == "2026-11-01"
    assert len(days) % 7 == 0


def test_neighbouring_days_in_the_grid_show_their_reviews_too(tenant, manager, cycle, client_for):
    review(cycle, "Early November", at(2026, 11, 1), manager)
    cells = day_cells(client_for(manager).get(tenant_url("calendar_month", tenant), {"month": "2026-10"}))
    assert "Early November" in cells["2026-11-01"]


def test_today_is_highlighted_and_the_default_month_is_this_one(tenant, manager, client_for):
    today = timezone.localdate()
    page = client_for(manager).get(tenant_url("calendar_month", tenant)).content.decode()
    assert (
        f'cal-today" data-day="{today:%Y-%m-%d}"' in page or f'cal-today cal-empty" data-day="{today:%Y-%m-%d}"' in page
    )
    assert page.count("cal-today ") + page.count('cal-today"') == 1


def test_previous_and_next_month_links_keep_the_filters(tenant, manager, client_for):
    page = (
        client_for(manager)
        .get(tenant_url("calendar_month", tenant), {"month": "2026-01", "kind": "qbr"})
        .content.decode()
    )
    assert "?month=2025-12&amp;kind=qbr" in page
    assert "?month=2026-02&amp;kind=qbr" in page


def test_a_cancelled_review_shows_its_state(tenant, manager, cycle, client_for):
    review(cycle, "Gone Partner", at(2026, 10, 7), manager, state=Review.State.CANCELLED, cancel_reason="Merged")
    cell = day_cells(client_for(manager).get(tenant_url("calendar_month", tenant), {"month": "2026-10"}))["2026-10-07"]
    assert "cal-state-cancelled" in cell
    assert "Cancelled" in cell


def test_a_busy_day_lists_six_and_links_the_rest(tenant, manager, cycle, client_for):
    for n in range(9):
        review(cycle, f"Busy {n}", at(2026, 10, 14, 8 + n), manager)
    cell = day_cells(client_for(manager).get(tenant_url("calendar_month", tenant), {"month": "2026-10"}))["2026-10-14"]
    assert cell.count("cal-review ") == 6
    assert "+3 more" in cell
    assert "start=2026-10-14" in cell


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"Mine QBR", "Theirs QBR", "Mine health"}),
        ({"owner": "OTHER"}, {"Theirs QBR"}),
        ({"kind": "health_check"}, {"Mine health"}),
        ({"partner": "theirs"}, {"Theirs QBR"}),
        ({"owner": "MINE", "kind": "qbr"}, {"Mine QBR"}),
    ],
)
def test_filters_by_moderator_kind_and_partner_name(
    tenant, manager, other_manager, cycle, health_cycle, params, expected, client_for
):
    review(cycle, "Mine QBR", at(2026, 10, 5), manager)
    review(cycle, "Theirs QBR", at(2026, 10, 6), other_manager)
    review(health_cycle, "Mine health", at(2026, 10, 7), manager)
    ids = {"MINE": str(manager.pk), "OTHER": str(other_manager.pk)}
    query = {"month": "2026-10", **{k: ids.get(v, v) for k, v in params.items()}}

    page = client_for(manager).get(tenant_url("calendar_month", tenant), query).content.decode()
    listed = (
        client_for(manager).get(tenant_url("calendar_list", tenant), {"start": "2026-10-01", **query}).content.decode()
    )

    names = {"Mine QBR", "Theirs QBR", "Mine health"}
    assert {n for n in names if f'class="cal-partner">{n}<' in page} == expected
    assert {n for n in names if f">{n}</a>" in listed} == expected


def test_an_unknown_moderator_is_a_400_with_its_error_and_no_other_tenants_reviews(
    tenant, other_tenant, manager, cycle, client_for
):
    foreign = member(other_tenant, Role.MANAGER)
    response = client_for(manager).get(tenant_url("calendar_month", tenant), {"owner": foreign.pk, "month": "2026-10"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_a_bad_month_is_a_400_showing_this_month(tenant, manager, client_for):
    response = client_for(manager).get(tenant_url("calendar_month", tenant), {"month": "2026-13"})
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()
    assert f"{timezone.localdate():%B %Y}" in response.content.decode()


def test_the_calendar_shows_no_other_tenants_reviews(tenant, other_tenant, manager, cycle, client_for):
    review(cycle, "Ours", at(2026, 10, 5), manager)
    foreign_cycle = CycleFactory(cadence=CadenceFactory(tenant=other_tenant))
    review(foreign_cycle, "Hidden Foreign", at(2026, 10, 5), member(other_tenant, Role.MANAGER))
    for name in ("calendar_month", "calendar_list"):
        page = client_for(manager).get(tenant_url(name, tenant), {"month": "2026-10", "start": "2026-10-01"})
        assert "Ours" in page.content.decode()
        assert "Hidden Foreign" not in page.content.decode()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.EXECUTIVE])
def test_internal_roles_see_the_calendar(tenant, role, client_for):
    assert client_for(member(tenant, role)).get(tenant_url("calendar_month", tenant)).status_code == 200


def test_a_partner_user_may_not_see_the_calendar_but_may_subscribe(tenant, client_for):
    partner_user = member(tenant, Role.PARTNER, partner=PartnerFactory(tenant=tenant))
    client = client_for(partner_user)
    assert client.get(tenant_url("calendar_month", tenant)).status_code == 403
    assert client.get(tenant_url("calendar_list", tenant)).status_code == 403
    assert client.get(tenant_url("calendar_subscribe", tenant)).status_code == 200


def test_the_calendar_is_in_the_navigation_for_internal_roles_only(tenant, manager, client_for):
    page = client_for(manager).get(tenant_url("calendar_month", tenant)).content.decode()
    assert f'href="{tenant_url("calendar_month", tenant)}" aria-current="page">Calendar<' in page
    partner_user = member(tenant, Role.PARTNER, partner=PartnerFactory(tenant=tenant))
    portal = client_for(partner_user).get(tenant_url("calendar_subscribe", tenant)).content.decode()
    assert ">Calendar<" not in portal


# --- the list of upcoming weeks ---


def test_the_list_groups_upcoming_reviews_by_week(tenant, manager, cycle, client_for):
    monday = review(cycle, "Monday one", at(2026, 10, 12, 9), manager)
    sunday = review(cycle, "Sunday one", at(2026, 10, 18, 20), manager)
    next_week = review(cycle, "Next week", at(2026, 10, 19, 9), manager)
    review(cycle, "Before the start", at(2026, 10, 11, 9), manager)

    page = (
        client_for(manager)
        .get(tenant_url("calendar_list", tenant), {"start": "2026-10-12", "weeks": 2})
        .content.decode()
    )

    week42, week43 = page.split('id="week-2026-10-12"')[1].split('id="week-2026-10-19"')
    assert [int(i) for i in LIST_ROW.findall(week42)] == [monday.pk, sunday.pk]
    assert [int(i) for i in LIST_ROW.findall(week43)] == [next_week.pk]
    assert "Week 42" in page
    assert "Before the start" not in page
    assert "3 reviews" in page


def test_the_list_starts_today_by_default(tenant, manager, client_for):
    page = client_for(manager).get(tenant_url("calendar_list", tenant)).content.decode()
    assert f"from {timezone.localdate():%-d %B %Y}" in page


def test_too_many_weeks_is_a_400(tenant, manager, client_for):
    assert client_for(manager).get(tenant_url("calendar_list", tenant), {"weeks": 500}).status_code == 400


def test_each_review_links_to_its_page(tenant, manager, cycle, client_for):
    r = review(cycle, "Linked", at(2026, 10, 5), manager)
    page = client_for(manager).get(tenant_url("calendar_month", tenant), {"month": "2026-10"}).content.decode()
    assert f'href="{tenant_url("review_detail", tenant, review_id=r.pk)}"' in page


# --- query counts ---


def _month_queries(client, tenant):
    client.get(tenant_url("calendar_month", tenant), {"month": "2026-10"})  # warm up (session, content types)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(tenant_url("calendar_month", tenant), {"month": "2026-10"})
    assert response.status_code == 200
    return len(captured)


def _list_queries(client, tenant):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(tenant_url("calendar_list", tenant), {"start": "2026-10-01", "weeks": 8})
    assert response.status_code == 200
    return len(captured)


def _fill(cycle, owners, count, prefix):
    for n in range(count):
        review(cycle, f"{prefix} {n:03d}", at(2026, 10, 1 + n % 28, 8 + n % 9), owners[n % len(owners)])


def test_the_month_and_list_read_as_many_queries_for_50_reviews_as_for_5(
    tenant, manager, other_manager, cycle, client_for
):
    client = client_for(manager)
    _fill(cycle, [manager, other_manager], 5, "First")
    few = (_month_queries(client, tenant), _list_queries(client, tenant))
    _fill(
        CycleFactory(cadence=CadenceFactory(tenant=tenant, name="More"), period_start=date(2026, 7, 1)),
        [manager, other_manager],
        45,
        "More",
    )
    many = (_month_queries(client, tenant), _list_queries(client, tenant))
    with tenant_context(tenant):
        assert Review.objects.count() == 50
    assert few == many


# --- subscribing ---


def test_subscribing_shows_the_address_once_and_stores_only_its_hash(tenant, manager, client_for):
    client = client_for(manager)
    response = client.post(tenant_url("calendar_subscribe", tenant), {"action": "rotate"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = re.search(r"/calendar/feed/([\w-]+)\.ics", response.content.decode())[1]
    with tenant_context(tenant):
        feed = CalendarFeed.objects.get(membership=manager)
    assert token not in feed.token_hash
    assert len(feed.token_hash) == 64
    again = client.get(tenant_url("calendar_subscribe", tenant)).content.decode()
    assert token not in again
    assert "Get a new address" in again


def test_the_calendar_page_offers_to_subscribe(tenant, manager, client_for):
    page = client_for(manager).get(tenant_url("calendar_month", tenant)).content.decode()
    assert "Subscribe in your calendar app" in page
    assert "Create my calendar address" in page


def test_stopping_the_feed_deletes_it(tenant, manager, client_for):
    client = client_for(manager)
    client.post(tenant_url("calendar_subscribe", tenant), {"action": "rotate"})
    response = client.post(tenant_url("calendar_subscribe", tenant), {"action": "stop"})
    assert "no longer works" in response.content.decode()
    with tenant_context(tenant):
        assert not CalendarFeed.objects.filter(membership=manager).exists()
