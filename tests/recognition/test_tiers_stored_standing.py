"""The partner page's and the portal's tier panels read the partner's standing from its pending recommendation
(what the engine wrote after the last refresh) instead of evaluating the framework on every request; whatever the
recommendation cannot stand for (none yet, decided, about another tier, no evidence of the next tier) is evaluated."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.core.models import Partner, Role
from partnerhub.core.tenancy.context import tenant_context
from recognition.models import TierRecommendation
from recognition.selectors.tiers import partner_tier_status
from recognition.services.tier_recommendations import recommendations_decide, tier_recommendations_generate
from scorecards.models import ScorecardSnapshot
from tests.factories import PartnerFactory, member
from tests.recognition.factories import history, publish

pytestmark = pytest.mark.django_db

SHOWN = ("move", "grace_quarter", "grace_allowed", "at_risk", "next_gaps", "quarter")


def shown(status):
    return {field: getattr(status, field) for field in SHOWN} | {
        "tier": status.tier and status.tier.key,
        "next_tier": status.next_tier and status.next_tier.key,
        "next_met": status.next and status.next["met"],
    }


def status_of(tenant, partner, *, stored):
    with tenant_context(tenant), CaptureQueriesContext(connection) as queries:
        fresh = Partner.objects.get(pk=partner.pk)
        status = partner_tier_status(tenant=tenant, partner=fresh, stored=stored)
    return status, len(queries.captured_queries) - 1


@pytest.fixture
def program(tenant):
    owner = member(tenant, Role.MANAGER)
    partners = {
        "rising": PartnerFactory(tenant=tenant, name="Rising", tier="silver", owner=owner),
        "steady": PartnerFactory(tenant=tenant, name="Steady", tier="gold", owner=owner),
        "slipping": PartnerFactory(tenant=tenant, name="Slipping", tier="gold", owner=owner),
    }
    history(partners["rising"], [80, 80, 80, 80])
    history(partners["steady"], [80, 80, 80, 80])
    history(partners["slipping"], [80, 80, 70, 70])
    publish(tenant, grace=2)
    tier_recommendations_generate(tenant=tenant)
    return partners


@pytest.mark.parametrize("name", ["rising", "steady"])
def test_a_pending_recommendation_gives_the_standing_an_evaluation_gives_in_fewer_queries(tenant, program, name):
    evaluated, evaluated_queries = status_of(tenant, program[name], stored=False)
    stored, stored_queries = status_of(tenant, program[name], stored=True)

    assert shown(stored) == shown(evaluated)
    assert stored.move in ("promote", "hold")
    assert stored_queries == 4
    assert evaluated_queries > stored_queries


def test_a_standing_whose_recommendation_lacks_the_next_tiers_evidence_is_evaluated(tenant, program):
    evaluated, _ = status_of(tenant, program["slipping"], stored=False)
    stored, stored_queries = status_of(tenant, program["slipping"], stored=True)

    assert stored.move not in ("promote", "hold")
    assert shown(stored) == shown(evaluated)
    assert stored.next_tier is not None
    assert stored_queries > 4


def test_after_an_approved_move_the_new_tier_is_evaluated_not_read_from_the_old_evidence(tenant, program):
    executive = member(tenant, Role.EXECUTIVE)
    with tenant_context(tenant):
        promotion = TierRecommendation.objects.get(partner=program["rising"], source="engine")
        assert promotion.move == "promote"
        recommendations_decide(tenant=tenant, actor=executive, recommendations=[promotion], approve=True)

    stored, _ = status_of(tenant, program["rising"], stored=True)
    evaluated, _ = status_of(tenant, program["rising"], stored=False)

    assert stored.tier.key == "gold"
    assert shown(stored) == shown(evaluated)


def test_without_a_recommendation_the_standing_is_evaluated(tenant, program):
    with tenant_context(tenant):
        TierRecommendation.objects.for_tenant(tenant).delete()

    stored, stored_queries = status_of(tenant, program["steady"], stored=True)
    evaluated, _ = status_of(tenant, program["steady"], stored=False)

    assert shown(stored) == shown(evaluated)
    assert stored.move != ""
    assert stored_queries > 4


def test_a_recommendation_rewritten_after_new_scores_is_what_the_panel_reads(tenant, program):
    before, _ = status_of(tenant, program["steady"], stored=True)
    with tenant_context(tenant):
        latest = ScorecardSnapshot.objects.filter(partner=program["steady"], period="quarter").order_by("-period_start")
        ScorecardSnapshot.objects.filter(pk__in=[s.pk for s in latest[:2]]).update(score=60)
    tier_recommendations_generate(tenant=tenant)

    after, _ = status_of(tenant, program["steady"], stored=True)
    evaluated, _ = status_of(tenant, program["steady"], stored=False)

    assert shown(after) == shown(evaluated)
    assert shown(after) != shown(before)
