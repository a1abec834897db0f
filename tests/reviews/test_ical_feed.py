"""A member's iCalendar feed: reachable without a login by its token only, and holding their reviews only."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import Attendee, Review
from tests.factories import PartnerFactory, member
from tests.reviews.factories import CadenceFactory, CycleFactory, ReviewFactory
from tests.reviews.test_ical_parser import parse_ical

pytestmark = pytest.mark.django_db
SOON = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=10)


@pytest.fixture
def subscribe(client_for):
    def feed_path(membership):
        """Create (or rotate) the member's feed through the page; return the feed's path."""
        response = client_for(membership).post(
            reverse("calendar_subscribe", kwargs={"tenant_slug": membership.tenant.slug}), {"action": "rotate"}
        )
        assert response.status_code == 200
        return re.search(r"http://testserver(/t/[\w-]+/calendar/feed/[\w-]+\.ics)", response.content.decode())[1]

    return feed_path


def fetch(path, client=None):
    return (client or Client()).get(path)


@pytest.fixture
def cycle(tenant):
    return CycleFactory(cadence=CadenceFactory(tenant=tenant, name="Quarterly"))


def review_for(cycle, name, owner, when=SOON, **kwargs):
    return ReviewFactory(
        cycle=cycle, partner=PartnerFactory(tenant=cycle.tenant, name=name, owner=owner), scheduled_for=when, **kwargs
    )


def attend(review, membership, side=Attendee.Side.INTERNAL):
    with tenant_context(review.tenant):
        Attendee.objects.create(tenant=review.tenant, review=review, membership=membership, side=side)


def summaries(response):
    return sorted(e["SUMMARY"] for e in parse_ical(response.content.decode()).events)


def test_the_feed_works_without_a_login_and_is_valid_icalendar(tenant, manager, cycle, subscribe):
    r = review_for(cycle, "Acme, Inc.", manager)
    response = fetch(subscribe(manager))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = parse_ical(response.content.decode())
    (event,) = parsed.events
    assert event["UID"] == f"review-{r.pk}@alpha.partnerhub"
    assert event["SUMMARY"] == "QBR: Acme, Inc."
    assert event["DTSTART"] == f"{SOON:%Y%m%dT%H%M%SZ}"
    assert event["DTEND"] == f"{SOON + timedelta(hours=1):%Y%m%dT%H%M%SZ}"
    assert event["STATUS"] == "CONFIRMED"
    assert event["URL"].startswith("http://testserver/t/alpha/")


def test_an_internal_feed_holds_the_reviews_one_moderates_or_attends_and_no_others(tenant, manager, cycle, subscribe):
    colleague = member(tenant, Role.MANAGER)
    review_for(cycle, "Moderated", manager)
    attended = review_for(cycle, "Attended", colleague)
    attend(attended, manager)
    review_for(cycle, "Not mine", colleague)
    as_partner_side = review_for(cycle, "Listed on the partner side", colleague)
    attend(as_partner_side, manager, side=Attendee.Side.PARTNER)
    assert summaries(fetch(subscribe(manager))) == ["QBR: Attended", "QBR: Moderated"]


def test_an_internal_feed_describes_the_review(tenant, manager, cycle, subscribe):
    review_for(cycle, "Acme", manager)
    (event,) = parse_ical(fetch(subscribe(manager)).content.decode()).events
    assert "Moderator: " in event["DESCRIPTION"]
    assert "State: Scheduled" in event["DESCRIPTION"]


def test_a_partner_users_feed_holds_their_companys_reviews_with_no_internal_details(tenant, manager, cycle, subscribe):
    own = review_for(cycle, "Own Company", manager, cancel_reason="")
    review_for(cycle, "Another Company", manager)
    partner_user = member(tenant, Role.PARTNER, partner=own.partner)
    body = fetch(subscribe(partner_user)).content.decode()
    (event,) = parse_ical(body).events
    assert event["SUMMARY"] == "QBR: Own Company"
    assert "Another Company" not in body
    assert "Moderator" not in body
    assert "State:" not in body
    assert event["DESCRIPTION"] == event["URL"]


def test_a_cancelled_review_is_in_the_feed_as_cancelled(tenant, manager, cycle, subscribe):
    review_for(cycle, "Called off", manager, state=Review.State.CANCELLED, cancel_reason="Partner merged")
    (event,) = parse_ical(fetch(subscribe(manager)).content.decode()).events
    assert event["STATUS"] == "CANCELLED"


def test_old_reviews_drop_out_of_the_feed(tenant, manager, cycle, subscribe):
    review_for(cycle, "Long ago", manager, when=timezone.now() - timedelta(days=200))
    review_for(cycle, "Last month", manager, when=timezone.now() - timedelta(days=30))
    assert summaries(fetch(subscribe(manager))) == ["QBR: Last month"]


def test_a_wrong_token_is_a_404(tenant, manager, subscribe):
    subscribe(manager)
    path = reverse("calendar_feed", kwargs={"tenant_slug": tenant.slug, "feed_token": "not-a-token"})
    assert fetch(path).status_code == 404


def test_another_tenants_token_is_a_404_here_and_works_there(tenant, other_tenant, manager, client_for, subscribe):
    foreign_path = subscribe(member(other_tenant, Role.MANAGER))
    token = re.search(r"/feed/([\w-]+)\.ics", foreign_path)[1]
    here = reverse("calendar_feed", kwargs={"tenant_slug": tenant.slug, "feed_token": token})
    assert fetch(here).status_code == 404
    assert fetch(here, client_for(manager)).status_code == 404
    assert fetch(foreign_path).status_code == 200


def test_a_rotated_token_stops_working(tenant, manager, cycle, subscribe):
    review_for(cycle, "Acme", manager)
    first = subscribe(manager)
    second = subscribe(manager)
    assert first != second
    assert fetch(first).status_code == 404
    assert fetch(second).status_code == 200


def test_a_stopped_feed_stops_working(tenant, manager, client_for, subscribe):
    path = subscribe(manager)
    client_for(manager).post(reverse("calendar_subscribe", kwargs={"tenant_slug": tenant.slug}), {"action": "stop"})
    assert fetch(path).status_code == 404


def test_a_deactivated_members_feed_stops_working(tenant, manager, subscribe):
    path = subscribe(manager)
    with tenant_context(tenant):
        manager.is_active = False
        manager.save(update_fields=["is_active"])
    assert fetch(path).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_feed_only_answers_reads(tenant, manager, method, subscribe):
    path = subscribe(manager)
    assert getattr(Client(), method)(path).status_code == 405
    wrong = reverse("calendar_feed", kwargs={"tenant_slug": tenant.slug, "feed_token": "nope"})
    assert getattr(Client(), method)(wrong).status_code == 404


def test_the_feed_reads_as_many_queries_for_50_reviews_as_for_5(tenant, manager, cycle, subscribe):
    path = subscribe(manager)
    for n in range(5):
        review_for(cycle, f"First {n}", manager, when=SOON + timedelta(days=n))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert fetch(path).status_code == 200
        return len(captured)

    few = queries()
    for n in range(45):
        attend(review_for(cycle, f"More {n}", member(tenant, Role.MANAGER), when=SOON + timedelta(hours=n)), manager)
    many = queries()
    assert len(parse_ical(fetch(path).content.decode()).events) == 50
    assert few == many
