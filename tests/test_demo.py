"""The demo as ``make demo`` seeds it, checked app by app on ONE seed (it is the suite's slowest setup: seeding every
app's story for two programs), then seeded a second time to show that a reseed writes nothing.

The seed is committed once for this module (tests run inside their own transaction on top of it, and roll back) and
every table it filled is emptied when the module is done, so the tests that follow on this worker start from the
empty database they expect.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from partnerhub.core.models import Membership, Notification, Partner, Role, Tenant, User
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.demo.investments import seed_investments
from tests.committed import emptied_afterwards, tables_with_rows

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """Seeds the demo (committed) and returns what the command printed; empties what it filled afterwards."""
    proofs = Path(settings.STORAGES["investment_proofs"]["OPTIONS"]["location"])
    files_before = set(proofs.rglob("*"))
    with django_db_blocker.unblock():
        filled_before = tables_with_rows()
        with emptied_afterwards():
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        assert tables_with_rows() == filled_before
    for path in sorted(set(proofs.rglob("*")) - files_before, reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def _northwind() -> Tenant:
    return Tenant.objects.get(slug="northwind")


# --- the core: programs, people, partners ---


def test_two_distinct_programs_with_every_role_type_tier_stage_and_region(demo):
    tenants = list(Tenant.objects.order_by("slug"))
    assert len(tenants) == 2
    assert len({t.name for t in tenants}) == 2
    for tenant in tenants:
        with tenant_context(tenant):
            partners = Partner.objects.all()
            assert 55 <= partners.count() <= 65
            assert set(partners.values_list("partner_type", flat=True)) == set(Partner.Type.values)
            assert set(partners.values_list("tier", flat=True)) == set(Partner.Tier.values)
            assert set(partners.values_list("stage", flat=True)) == set(Partner.Stage.values)
            assert set(partners.values_list("region", flat=True)) == set(Partner.Region.values)
            assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert "admin@northwind.example" in demo
    assert "partner1@contoso.example" in demo


# --- scorecards: the planted data-quality problems ---


def test_the_planted_data_quality_problems_are_on_the_quality_page(demo):
    from scorecards.models import DataQualityFinding

    with tenant_context(_northwind()):
        kinds = set(DataQualityFinding.objects.filter(status="open").values_list("kind", flat=True))
    assert {"outlier", "reconciliation", "stale"} <= kinds


# --- reviews: a year behind, the next ones ahead, records a person would believe ---


def _review_counts() -> dict[str, int]:
    from reviews.models import ActionItem, Decision, Forecast, Review, ReviewNote

    with tenant_context(_northwind()):
        return {state: Review.objects.filter(state=state).count() for state in Review.State.values} | {
            "notes": ReviewNote.objects.count(),
            "decisions": Decision.objects.count(),
            "actions": ActionItem.objects.count(),
            "scored forecasts": Forecast.objects.filter(scored_at__isnull=False).count(),
            "notifications": Notification.objects.count(),
        }


def test_past_reviews_have_records_and_history_and_upcoming_ones_are_scheduled(demo):
    from reviews.models import Decision, PromptRating, Review, ReviewNote

    counts = _review_counts()
    assert counts[Review.State.SIGNED_OFF] > 0
    assert counts[Review.State.SCHEDULED] > 0
    for key in ("notes", "decisions", "actions", "scored forecasts", "notifications"):
        assert counts[key] > 0, key
    for tenant in Tenant.objects.all():
        with tenant_context(tenant):
            recorded = Q(Exists(ReviewNote.objects.filter(review=OuterRef("pk"))))
            recorded |= Q(Exists(PromptRating.objects.filter(review=OuterRef("pk"))))
            recorded |= Q(Exists(Decision.objects.filter(review=OuterRef("pk"))))
            signed_off = Review.objects.filter(state=Review.State.SIGNED_OFF)
            assert not signed_off.exclude(recorded).exists(), "a signed-off review with an empty record"
            held_or_after = Review.objects.filter(state__in=[Review.State.HELD, Review.State.SIGNED_OFF])
            assert not held_or_after.filter(scheduled_for__date__gt=timezone.localdate()).exists()


# --- remediation: plans in every state ---


def _remediation_state(tenant: Tenant) -> dict[str, Any]:
    from remediation.models import Checkpoint, Escalation, Finding, Lesson, Plan

    with tenant_context(tenant):
        plans = list(Plan.objects.all())
        met = set(Checkpoint.objects.filter(status="met").values_list("plan_id", flat=True))
        missed = set(Checkpoint.objects.filter(status="missed").values_list("plan_id", flat=True))
        climbed = set(Escalation.objects.filter(checkpoint__isnull=False, rung=2).values_list("plan_id", flat=True))
        lessons = set(Lesson.objects.values_list("plan_id", flat=True))
        return {
            "draft_by_trigger": [p.pk for p in plans if p.status == "draft" and p.trigger],
            "on_track": [p.pk for p in plans if p.status == "active" and p.pk in met and p.pk not in missed],
            "climbed_to_sponsor": [p.pk for p in plans if p.status == "active" and p.pk in climbed],
            "closed_with_lessons": [p.pk for p in plans if p.status == "closed" and p.pk in lessons],
            "from_reviews": Finding.objects.filter(origin="review").count(),
            "plans": len(plans),
        }


def test_each_program_has_plans_in_every_state(demo):
    for tenant in Tenant.objects.all():
        state = _remediation_state(tenant)
        assert len(state["draft_by_trigger"]) >= 1  # recognition's grace periods draft plans through the trigger too
        assert len(state["on_track"]) == 1
        assert len(state["climbed_to_sponsor"]) == 1
        assert len(state["closed_with_lessons"]) == 2
        assert state["from_reviews"] >= 2


# --- recognition: tier recommendations of every kind, two quarters of awards ---


def _recognition_state(tenant: Tenant) -> dict[str, Any]:
    from recognition.models import FrameworkVersion, Nomination, TierChange, TierRecommendation

    with tenant_context(tenant):
        return {
            "recommendations": sorted(
                TierRecommendation.objects.values_list("quarter", "partner_id", "move", "status")
            ),
            "changes": TierChange.objects.count(),
            "awards": sorted(Nomination.objects.values_list("quarter", "category_id", "partner_id", "status")),
            "versions": FrameworkVersion.objects.count(),
        }


def test_every_kind_of_tier_recommendation_with_history_and_two_quarters_of_awards(demo):
    from recognition.models import FrameworkVersion, Nomination, TierRecommendation

    tenant = _northwind()
    with tenant_context(tenant):
        last = TierRecommendation.objects.order_by("-quarter").values_list("quarter", flat=True)[0]
        moves = set(TierRecommendation.objects.filter(quarter=last, source="engine").values_list("move", flat=True))
        approved = TierRecommendation.objects.filter(quarter=last, status="approved").count()
        exceptions = TierRecommendation.objects.filter(quarter=last, source="exception", status="pending").count()
        award_quarters = set(Nomination.objects.filter(status="awarded").values_list("quarter", flat=True))
        versions = list(FrameworkVersion.objects.order_by("number").values_list("status", flat=True))
    assert moves == {"promote", "hold", "grace", "demote"}
    assert approved > 0
    assert exceptions == 1
    assert _recognition_state(tenant)["changes"] > approved
    assert len(award_quarters) == 2
    assert versions == ["published", "published"]


# --- investments: from budget to claim, and impact ---


def _investment_counts(tenant: Tenant) -> tuple[int, int, int]:
    from recognition.models import Claim, FundRequest, ImpactEstimate

    with tenant_context(tenant):
        return (FundRequest.objects.count(), Claim.objects.count(), ImpactEstimate.objects.count())


def test_the_investments_story_from_budget_to_claim_and_impact(demo):
    from recognition.models import Allocation, Budget, Claim, FundRequest, ImpactEstimate, Investment, ProofFile

    tenant = _northwind()
    with tenant_context(tenant):
        budgets = list(Budget.objects.order_by("starts_on", "name"))
        ruled = Allocation.objects.filter(source="rule").values_list("budget_id", flat=True).distinct().count()
        requests = set(FundRequest.objects.values_list("status", flat=True))
        claims = set(Claim.objects.values_list("status", flat=True))
        proofs, claim_count = ProofFile.objects.count(), Claim.objects.count()
        kinds = set(Investment.objects.values_list("kind", flat=True))
        linked = Investment.objects.filter(kind="enablement", activity_links__isnull=False).distinct().count()
        estimates = list(ImpactEstimate.objects.filter(metric="score"))
    real = [e for e in estimates if e.verdict == "causal" and (e.ci_low > 0 or e.ci_high < 0)]
    none = [e for e in estimates if e.verdict == "causal" and e.ci_low <= 0 <= e.ci_high]
    directional = [e for e in estimates if e.verdict == "directional"]

    assert len([b for b in budgets if b.fiscal_quarter]) == 4
    assert [b.currency for b in budgets if not b.fiscal_quarter] == ["EUR"]
    assert ruled == 4
    assert {"submitted", "info_requested", "approved"} <= requests
    assert claims == set(Claim.Status.values)
    assert proofs == claim_count
    assert kinds == {"mdf", "enablement", "terms"}
    assert linked >= 1
    assert (len(real) > 0, len(none) > 0, len(directional) > 0) == (True, True, True)
    before = _investment_counts(tenant)
    assert seed_investments(tenant) == {}
    assert _investment_counts(tenant) == before


# --- the executive layer ---


def _executive_state(tenant: Tenant) -> dict[str, Any]:
    from partnerhub.executive.models import (
        ChangeNotice,
        Concern,
        DashboardSlice,
        DigestDelivery,
        FrameworkReview,
        MemoVersion,
        ReviewFeedback,
    )

    with tenant_context(tenant):
        return {
            "slices": DashboardSlice.objects.count(),
            "published": sorted(
                MemoVersion.objects.filter(status="published").values_list("memo__quarter_start", flat=True)
            ),
            "digests": DigestDelivery.objects.count(),
            "members": Membership.objects.filter(is_active=True).count(),
            "digest_notes": Notification.objects.filter(kind="digest").count(),
            "open_concerns": Concern.objects.exclude(status__in=("resolved", "closed")).count(),
            "feedback": ReviewFeedback.objects.count(),
            "notices": ChangeNotice.objects.filter(status="published").count(),
            "framework": list(FrameworkReview.objects.values_list("status", flat=True)),
        }


def test_a_dashboard_two_published_memos_digests_feedback_and_a_concern(demo, client):
    state = _executive_state(_northwind())
    assert state["slices"] > 100
    assert len(state["published"]) == 2
    assert state["digests"] == state["digest_notes"] == state["members"]
    assert state["open_concerns"] == 1
    assert state["feedback"] > 0
    # The scorecard's version 2, the tier framework's version 2 and the QBR's change, each announced before it was
    # made, and a scorecard draft announced ahead of its publication.
    assert state["notices"] == 4
    assert state["framework"] == ["in_progress"]

    portal = client.__class__()
    portal.force_login(User.objects.get(email="partner1@northwind.example"))
    notices = portal.get("/t/northwind/portal/notices/").content.decode()
    assert "Green starts at 85" in notices  # a scorecard template version
    assert "Gold and Platinum ask a point more" in notices  # a tier framework version
    assert "Your self-assessment is due two weeks before each QBR" in notices  # a cadence change

    client.force_login(User.objects.get(email="exec@northwind.example"))
    landing = client.get("/t/northwind/", follow=True)
    assert landing.redirect_chain[-1][0] == "/t/northwind/executive/"
    assert "Partners scored" in landing.content.decode()


# --- a second seed ---


def _everything() -> dict[str, Any]:
    counts: dict[str, Any] = {"tenants": Tenant.objects.count(), "users": User.objects.count()}
    for tenant in Tenant.objects.order_by("slug"):
        with tenant_context(tenant):
            counts[tenant.slug] = (Partner.objects.count(), Membership.objects.count())
        executive = _executive_state(tenant)
        executive.pop("slices")  # the dashboard is recomputed from the same rows; its slice count may differ
        counts[f"{tenant.slug} executive"] = executive
        counts[f"{tenant.slug} remediation"] = _remediation_state(tenant)
        counts[f"{tenant.slug} recognition"] = _recognition_state(tenant)
        counts[f"{tenant.slug} investments"] = _investment_counts(tenant)
    counts["reviews"] = _review_counts()
    return counts


def test_seeding_again_adds_nothing_anywhere(demo):
    first = _everything()
    call_command("seed_demo", stdout=io.StringIO())
    assert _everything() == first
