from __future__ import annotations

import pytest
from django.core.management import call_command

from partnerhub.core.models import Membership, Partner, Role, Tenant, User
from partnerhub.core.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db


def _counts():
    counts = {"tenants": Tenant.objects.count(), "users": User.objects.count()}
    for tenant in Tenant.objects.order_by("slug"):
        with tenant_context(tenant):
            counts[tenant.slug] = (Partner.objects.count(), Membership.objects.count())
    return counts


def test_seed_demo_creates_two_distinct_programs_with_every_role_type_tier_stage_and_region(capsys):
    call_command("seed_demo")
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
    out = capsys.readouterr().out
    assert "admin@northwind.example" in out
    assert "partner1@contoso.example" in out


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first


def test_seed_demo_leaves_the_planted_data_quality_problems_on_the_quality_page():
    from scorecards.models import DataQualityFinding

    call_command("seed_demo")
    tenant = Tenant.objects.get(slug="northwind")
    with tenant_context(tenant):
        kinds = set(DataQualityFinding.objects.filter(status="open").values_list("kind", flat=True))
    assert {"outlier", "reconciliation", "stale"} <= kinds


def test_seed_demo_holds_past_reviews_with_history_and_upcoming_ones_and_a_second_seed_adds_none():
    from partnerhub.core.models import Notification
    from reviews.models import ActionItem, Decision, Forecast, Review, ReviewNote

    def review_counts():
        tenant = Tenant.objects.get(slug="northwind")
        with tenant_context(tenant):
            return {state: Review.objects.filter(state=state).count() for state in Review.State.values} | {
                "notes": ReviewNote.objects.count(),
                "decisions": Decision.objects.count(),
                "actions": ActionItem.objects.count(),
                "scored forecasts": Forecast.objects.filter(scored_at__isnull=False).count(),
                "notifications": Notification.objects.count(),
            }

    call_command("seed_demo")
    first = review_counts()
    assert first[Review.State.SIGNED_OFF] > 0
    assert first[Review.State.SCHEDULED] > 0
    assert first["notes"] > 0
    assert first["decisions"] > 0
    assert first["actions"] > 0
    assert first["scored forecasts"] > 0
    assert first["notifications"] > 0
    from django.db.models import Exists, OuterRef, Q
    from django.utils import timezone

    from reviews.models import PromptRating

    for tenant in Tenant.objects.all():
        with tenant_context(tenant):
            recorded = Q(Exists(ReviewNote.objects.filter(review=OuterRef("pk"))))
            recorded |= Q(Exists(PromptRating.objects.filter(review=OuterRef("pk"))))
            recorded |= Q(Exists(Decision.objects.filter(review=OuterRef("pk"))))
            signed_off = Review.objects.filter(state=Review.State.SIGNED_OFF)
            assert not signed_off.exclude(recorded).exists(), "a signed-off review with an empty record"
            held_or_after = Review.objects.filter(state__in=[Review.State.HELD, Review.State.SIGNED_OFF])
            assert not held_or_after.filter(scheduled_for__date__gt=timezone.localdate()).exists()
    call_command("seed_demo")
    assert review_counts() == first
