"""The partner page is the partner's hub: its score, tier, reviews and actions, plan, funds and records come from the
apps above the core as page panels, each shown to the roles that may see it, in a number of queries that does not
grow with the partner's data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerhub.core.domain.periods import add_months
from partnerhub.core.models import PartnerOwnerChange, Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import Review
from scorecards.models import DataQualityFinding, ScorecardSnapshot
from tests.factories import PartnerFactory, member
from tests.recognition.factories import month_snapshot
from tests.recognition.invest_factories import AllocationFactory, FundRequestFactory
from tests.remediation.factories import CheckpointFactory, PlanFactory
from tests.reviews.factories import ActionItemFactory, ReviewFactory
from tests.scorecards.factories import partner_records
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db

# Session, user, membership, tenant and navigation, the partner and its history, then every panel's own reads (a
# dozen panels, at most four queries each). The count must not move with the partner's data; the ceiling catches a
# panel that starts reading more.
PARTNER_PAGE_QUERIES = 35  # 45 before the tier panel read the stored standing and the switcher was kept
PANEL_HEADINGS = {
    "score": "Latest score",
    "tier": "Tier and recognition",
    "reviews": "Reviews and actions",
    "plan": "Improvement plan",
    "funds": "Funds",
    "quality": "Data-quality findings",
    "deals": "Latest deals",
    "activities": "Latest joint activities",
    "surveys": "Latest survey responses",
    "history": "History",
}


@pytest.fixture
def owner(tenant):
    return member(tenant, Role.MANAGER)


@pytest.fixture
def partner(tenant, owner):
    return PartnerFactory(tenant=tenant, name="Acme Resellers", owner=owner, market="Germany")


def _fill(tenant, partner, owner, start, count):
    """``count`` more of everything the page shows about ``partner``: months of snapshots, findings, deals,
    activities, surveys, reviews (half past, half to come) with an action each, owner changes, allocations with a
    request waiting each, checkpoints of its open plan."""
    now = timezone.now()
    with tenant_context(tenant):
        plan = PlanFactory(partner=partner) if start == 0 else None
    for i in range(start, start + count):
        month_snapshot(partner, add_months(date(2020, 1, 1), i), score=50 + i % 40)
        review = ReviewFactory(
            partner=partner, cycle__tenant=tenant, scheduled_for=now + timedelta(days=(i % 2 * 2 - 1) * (i + 1))
        )
        ActionItemFactory(review=review, due_date=date(2026, 1, 1) + timedelta(days=i))
        FundRequestFactory(allocation=AllocationFactory(budget__tenant=tenant, partner=partner))
    with tenant_context(tenant):
        for i in range(start, start + count):
            DataQualityFinding.objects.create(
                tenant=tenant, partner=partner, kind="stale", month=add_months(date(2020, 1, 1), i), detail=f"Stale {i}"
            )
            PartnerOwnerChange.objects.create(
                tenant=tenant, partner=partner, previous_owner=owner, new_owner=owner, changed_by=owner, reason=f"#{i}"
            )
    partner_records(tenant, partner, count, start)
    if plan is not None:
        CheckpointFactory(plan=plan)


def _page(client, partner):
    return client.get(tenant_url("partner_detail", partner.tenant, partner_id=partner.pk))


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.EXECUTIVE])
def test_the_partner_page_runs_the_same_queries_with_2_and_25_of_everything(client_for, tenant, partner, owner, role):
    client = client_for(owner if role == Role.MANAGER else member(tenant, role))
    _fill(tenant, partner, owner, 0, 2)
    _page(client, partner)  # warm: session, caches
    with CaptureQueriesContext(connection) as small:
        assert _page(client, partner).status_code == 200

    _fill(tenant, partner, owner, 2, 23)
    _page(client, partner)  # warm again: the factories' writes drop what pages keep (the switcher's memberships)
    with CaptureQueriesContext(connection) as large:
        page = _page(client, partner).content.decode()

    assert len(large.captured_queries) == len(small.captured_queries) <= PARTNER_PAGE_QUERIES
    for heading in PANEL_HEADINGS.values():
        assert heading in page
    assert "All 25 deals of Acme Resellers" in page
    assert "All 25 open findings" in page
    assert "(25, " in page  # 25 open action items, some of them overdue
    assert 'Requests waiting for a decision <span class="muted">(25)</span>' in page


def test_a_partner_user_never_reaches_the_partner_page(client_for, tenant, partner, owner):
    _fill(tenant, partner, owner, 0, 1)
    contact = member(tenant, Role.PARTNER, partner=partner)
    response = _page(client_for(contact), partner)
    assert response.status_code == 403
    assert "Latest score" not in response.content.decode()


def test_an_executive_sees_every_panel_and_nothing_to_change(client_for, tenant, partner, owner):
    _fill(tenant, partner, owner, 0, 2)
    page = _page(client_for(member(tenant, Role.EXECUTIVE)), partner).content.decode()
    content = page[page.index("<main") : page.index("</main>")]
    for heading in PANEL_HEADINGS.values():
        assert heading in content
    writes = ("Edit the profile", "Schedule a review", tenant_url("plan_create", tenant), "<form", "<button")
    for action in writes:
        assert action not in content
    # The audit's entries (the factory's creation of the partner) are the admins'; owner changes are everyone's.
    assert "Added to the program" not in page
    assert "Reason: #1" in page


def test_the_owner_manager_may_edit_and_schedule_and_the_admin_reads_the_audit_as_history(
    client_for, tenant, partner, owner
):
    _fill(tenant, partner, owner, 0, 1)
    page = _page(client_for(owner), partner).content.decode()
    assert "Edit the profile" in page
    assert tenant_url("review_schedule", tenant) + f"?partner={partner.pk}" in page
    assert f'{tenant_url("plan_create", tenant)}?partner={partner.pk}">Start a plan</a>' not in page  # it has one
    assert "Profile changed" not in page

    with tenant_context(tenant):
        partner.market = "Portugal"
        partner.save()
    page = _page(client_for(member(tenant, Role.ADMIN)), partner).content.decode()
    assert "Profile changed" in page
    assert "Market: Germany → Portugal" in page


def test_another_managers_partner_page_shows_the_panels_but_no_scheduling(client_for, tenant, partner, owner):
    _fill(tenant, partner, owner, 0, 1)
    page = _page(client_for(member(tenant, Role.MANAGER)), partner).content.decode()
    assert "Reviews and actions" in page
    assert "Schedule a review" not in page
    assert "Edit the profile" not in page


def test_the_score_panel_reads_the_latest_month_and_links_to_the_scorecard(client_for, tenant, partner, owner):
    month_snapshot(partner, date(2026, 5, 1), score=40)
    latest = month_snapshot(partner, date(2026, 6, 1), score=72.44)
    with tenant_context(tenant):
        ScorecardSnapshot.objects.filter(pk=latest.pk).update(
            rag="amber",
            trend="improving",
            change_previous=Decimal("3.1"),
            trend_explanation="Improving: up 8.0 points over 12 months.",
            dq_flag=True,
            dq_reasons=["Revenue is 60 days old"],
        )
    page = _page(client_for(owner), partner).content.decode()
    assert '72.4<span class="out-of"> / 100</span>' in page
    assert "Amber" in page
    assert "June 2026" in page
    assert "Improving: up 8.0 points over 12 months." in page
    assert "+3.1 points" in page
    assert "Revenue is 60 days old" in page
    assert tenant_url("partner_scorecard", tenant, partner_id=partner.pk) in page


def test_a_partner_whose_data_stopped_says_the_programs_latest_month(client_for, tenant, partner, owner):
    month_snapshot(partner, date(2026, 3, 1), score=64)
    month_snapshot(PartnerFactory(tenant=tenant), date(2026, 6, 1), score=80)
    page = _page(client_for(owner), partner).content.decode()
    assert "March 2026" in page
    assert "no newer data: the program's latest month is June 2026" in page


def test_a_partner_without_data_says_where_each_record_comes_from(client_for, tenant, partner, owner):
    page = _page(client_for(owner), partner).content.decode()
    assert "No scorecard yet for Acme Resellers" in page
    assert "No review scheduled." in page
    assert "No open action item." in page
    assert "has no open improvement plan." in page
    assert f'{tenant_url("plan_create", tenant)}?partner={partner.pk}">Start a plan</a>.' in page
    assert "No funds allocated to Acme Resellers." in page
    assert "No open finding: every data-quality check passed" in page


def test_the_reviews_panel_shows_the_next_and_latest_reviews_and_the_overdue_actions(
    client_for, tenant, partner, owner
):
    now = datetime.now(UTC)
    soon = ReviewFactory(partner=partner, cycle__tenant=tenant, scheduled_for=now + timedelta(days=3))
    held = ReviewFactory(
        partner=partner, cycle__tenant=tenant, scheduled_for=now - timedelta(days=40), state=Review.State.HELD
    )
    other = ReviewFactory(
        partner=PartnerFactory(tenant=tenant), cycle__tenant=tenant, scheduled_for=now + timedelta(days=1)
    )
    ActionItemFactory(
        review=held, description="Send the co-marketing plan", due_date=timezone.localdate() - timedelta(1)
    )
    ActionItemFactory(review=held, description="Already done", status="done")
    page = _page(client_for(owner), partner).content.decode()
    assert tenant_url("review_detail", tenant, review_id=soon.pk) in page
    assert tenant_url("review_detail", tenant, review_id=held.pk) in page
    assert tenant_url("review_detail", tenant, review_id=other.pk) not in page
    assert "Send the co-marketing plan" in page
    assert "Already done" not in page
    assert '<span class="overdue">1 overdue</span>' in page


def test_the_funds_panel_gives_every_amount_its_currency(client_for, tenant, partner, owner):
    allocation = AllocationFactory(budget__tenant=tenant, budget__currency="EUR", partner=partner, amount=12500)
    FundRequestFactory(allocation=allocation, title="Spring roadshow", requested_amount=Decimal("4000"))
    page = _page(client_for(owner), partner).content.decode()
    assert "12,500 EUR" in page
    assert "Spring roadshow" in page
    assert "4,000 EUR" in page
