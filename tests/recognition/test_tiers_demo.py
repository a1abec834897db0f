"""The demo's recognition: the last complete quarter has promotions, holds, demotions and partners in grace, some
approved with history, an exception awaiting an executive; two quarters of awards are on the wall; a second seed
writes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.context import tenant_context
from recognition.models import FrameworkVersion, Nomination, TierChange, TierRecommendation

pytestmark = pytest.mark.django_db


def _state(tenant):
    with tenant_context(tenant):
        return {
            "recommendations": sorted(
                TierRecommendation.objects.for_tenant(tenant).values_list("quarter", "partner_id", "move", "status")
            ),
            "changes": TierChange.objects.for_tenant(tenant).count(),
            "awards": sorted(
                Nomination.objects.for_tenant(tenant).values_list("quarter", "category_id", "partner_id", "status")
            ),
            "versions": FrameworkVersion.objects.for_tenant(tenant).count(),
        }


def test_the_demo_has_every_kind_of_recommendation_history_and_two_quarters_of_awards():
    call_command("seed_demo")
    tenant = Tenant.objects.get(slug="northwind")
    with tenant_context(tenant):
        last = TierRecommendation.objects.for_tenant(tenant).order_by("-quarter").values_list("quarter", flat=True)[0]
        moves = set(TierRecommendation.objects.filter(quarter=last, source="engine").values_list("move", flat=True))
        approved = TierRecommendation.objects.filter(quarter=last, status="approved").count()
        exceptions = TierRecommendation.objects.filter(quarter=last, source="exception", status="pending").count()
        award_quarters = set(Nomination.objects.filter(status="awarded").values_list("quarter", flat=True))
        versions = list(FrameworkVersion.objects.order_by("number").values_list("status", flat=True))
    first = _state(tenant)

    assert moves == {"promote", "hold", "grace", "demote"}
    assert approved > 0
    assert exceptions == 1
    assert first["changes"] > approved
    assert len(award_quarters) == 2
    assert versions == ["published", "published"]

    call_command("seed_demo")
    assert _state(tenant) == first
