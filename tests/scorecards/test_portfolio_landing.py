"""The portfolio as a manager's landing page: their own partners by default (Mine / All partners), what needs
attention first (this week's reviews and overdue actions from the reviews app, partners turning red), the RAG chart."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.utils import timezone

from partnerhub.core.domain.periods import add_months
from partnerhub.core.models import Role
from tests.factories import PartnerFactory, UserFactory, member
from tests.reviews.factories import ActionItemFactory, CycleFactory, ReviewFactory
from tests.reviews.review_program import snapshot, this_month
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(tenant):
    """Maya owns four partners (one turned red this month, one red for two months, one green, one unscored), Otto
    owns two (one red); each has a review or an action that needs attention."""
    maya = member(tenant, Role.MANAGER, user=UserFactory(first_name="Maya", last_name="Mine"))
    otto = member(tenant, Role.MANAGER, user=UserFactory(first_name="Otto", last_name="Other"))
    now, last = this_month(), add_months(this_month(), -1)

    def partner(name, owner, *scores):
        made = PartnerFactory(tenant=tenant, name=name, owner=owner)
        for month, (score, rag) in zip((now, last), scores, strict=False):
            snapshot(made, month, score=score, rag=rag)
        return made

    turned = partner("Turned Red", maya, (45, "red"), (66, "amber"))
    partner("Long Red", maya, (38, "red"), (41, "red"))
    partner("Steady Green", maya, (88, "green"), (86, "green"))
    partner("Unscored", maya, (None, ""))
    foreign_red = partner("Otto Red", otto, (30, "red"), (70, "amber"))
    partner("Otto Green", otto, (90, "green"))
    cycle = CycleFactory(cadence__tenant=tenant)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    this_week = ReviewFactory(cycle=cycle, partner=turned, moderator=maya, scheduled_for=soon)
    theirs = ReviewFactory(cycle=cycle, partner=foreign_red, moderator=otto, scheduled_for=soon)
    later = CycleFactory(
        cadence=cycle.cadence,
        period_start=cycle.period_end + timedelta(days=1),
        period_end=cycle.period_end + timedelta(days=90),
    )
    ReviewFactory(cycle=later, partner=turned, moderator=maya, scheduled_for=soon + timedelta(days=30))
    due = timezone.localdate()
    ActionItemFactory(review=this_week, description="Send the joint account plan", due_date=due - timedelta(days=12))
    ActionItemFactory(review=this_week, description="Already done", status="done", due_date=due - timedelta(days=20))
    ActionItemFactory(review=theirs, description="Otto's partner's item", due_date=due - timedelta(days=2))
    return maya, otto


def _page(client, who, **query):
    client.force_login(who.user)
    response = client.get(tenant_url("portfolio", who.tenant), query)
    assert response.status_code == 200
    return response


def _names(response):
    return [s.partner.name for s in response.context["page"].object_list]


def test_a_manager_lands_on_their_own_partners_and_may_switch_to_all(client, desk):
    maya, _ = desk
    client.force_login(maya.user)
    assert client.get(tenant_url("tenant_home", maya.tenant))["Location"] == tenant_url("portfolio", maya.tenant)
    mine = _page(client, maya)
    assert mine.context["scope"] == "mine"
    assert set(_names(mine)) == {"Turned Red", "Long Red", "Steady Green", "Unscored"}
    body = mine.content.decode()
    assert 'aria-current="page">My partners <span class="scope-count">4</span>' in body
    assert 'All partners <span class="scope-count">6</span>' in body
    assert "Your partners' scorecards" in body
    every = _page(client, maya, scope="all")
    assert len(_names(every)) == 6
    assert every.context["scope"] == "all"


def test_the_owner_filter_and_a_member_owning_nobody_mean_all_partners(client, desk, tenant):
    maya, otto = desk
    assert set(_names(_page(client, maya, owner=otto.pk))) == {"Otto Red", "Otto Green"}
    admin = member(tenant, Role.ADMIN)
    response = _page(client, admin)
    assert response.context["scope"] == "all"
    assert not response.context["offer_scope"]
    assert "My partners" not in response.content.decode()


def test_the_export_follows_the_scope(client, desk):
    maya, _ = desk
    client.force_login(maya.user)
    text = client.get(tenant_url("portfolio_csv", maya.tenant)).content.decode("utf-8-sig")
    names = {row[0] for row in list(csv.reader(io.StringIO(text)))[1:]}
    assert names == {"Turned Red", "Long Red", "Steady Green", "Unscored"}


def test_partners_turning_red_come_first_and_say_what_they_were(client, desk):
    maya, _ = desk
    red = _page(client, maya).context["red"]
    assert (red["turned"], red["total"]) == (1, 2)
    assert [(row.partner.name, row.turned_red, row.previous_rag) for row in red["rows"]] == [
        ("Turned Red", True, "amber"),
        ("Long Red", False, "red"),
    ]
    everyone = _page(client, maya, scope="all").context["red"]
    assert [row.partner.name for row in everyone["rows"]] == ["Otto Red", "Turned Red", "Long Red"]


def test_the_rag_chart_counts_the_partners_in_scope_and_is_drawn_from_our_own_files(client, desk):
    maya, _ = desk
    response = _page(client, maya)
    assert response.context["rag_counts"] == [
        ("green", "Green", 1),
        ("amber", "Amber", 0),
        ("red", "Red", 2),
        ("none", "No score", 1),
    ]
    body = response.content.decode()
    figure = json.loads(unescape(body.split('data-figure="', 1)[1].split('"', 1)[0]))
    assert figure["data"][0]["y"] == [1, 0, 2, 1]
    assert "vendor/plotly/plotly-cartesian.min.js" in body
    assert "<script>" not in body  # no inline script: the CSP allows our own files only
    assert 'aria-label="Partners by RAG in ' in body
    assert "2 red" in body


def test_the_rag_filter_keeps_one_colour(client, desk):
    maya, _ = desk
    assert set(_names(_page(client, maya, rag="red"))) == {"Turned Red", "Long Red"}
    assert set(_names(_page(client, maya, rag="none"))) == {"Unscored"}
    assert len(_names(_page(client, maya, rag="purple"))) == 4  # an unknown colour filters nothing


def test_this_weeks_reviews_and_overdue_actions_come_from_the_reviews_app_for_the_managers_partners(client, desk):
    maya, _ = desk
    body = _page(client, maya).content.decode()
    week = body[body.index("Reviews in the next 7 days") : body.index("Overdue action items")]
    assert "Turned Red" in week
    assert "Otto Red" not in week
    assert "<strong>1</strong> review to prepare or hold" in week
    actions = body[body.index("Overdue action items") : body.index("Partners turning red")]
    assert "Send the joint account plan" in actions
    assert "12 days overdue" in actions
    assert "Otto&#x27;s partner&#x27;s item" not in actions
    assert "Already done" not in actions
    everyone = _page(client, maya, scope="all").content.decode()
    assert "<strong>2</strong> reviews to prepare or hold" in everyone
    assert "Otto&#x27;s partner&#x27;s item" in everyone


def test_the_table_fragment_of_a_filter_change_has_no_head(client, desk):
    maya, _ = desk
    client.force_login(maya.user)
    response = client.get(tenant_url("portfolio", maya.tenant), {"tier": "gold"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Needs your attention" not in body
    assert "portfolio-table" not in body
