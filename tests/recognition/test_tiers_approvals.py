"""Decisions on recommendations: an approved move changes the partner's tier, writes the history with the evidence,
notifies the owner and the partner's users and asks for a scorecard refresh; every bad decision (a rejection
without a reason, approving twice, one's own exception, an exception without an executive, another program's
recommendation, a partner whose tier moved meanwhile, a future effective date) is refused and writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from partnerhub.core.errors import CrossTenantReferenceError, PermissionDeniedError
from partnerhub.core.models import AuditEntry, Notification, Partner, Role
from partnerhub.core.signals import partner_data_changed, tier_grace_started
from partnerhub.core.tenancy.context import tenant_context
from recognition.errors import DecisionInvalidError, RecommendationDecidedError
from recognition.models import TierChange, TierRecommendation
from recognition.services.tier_recommendations import (
    recommendation_exception_propose,
    recommendations_decide,
    tier_recommendations_generate,
)
from tests.factories import PartnerFactory, member
from tests.recognition.factories import history, publish, tiers

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(tenant):
    owner = member(tenant, Role.MANAGER)
    rising = PartnerFactory(tenant=tenant, name="Rising", tier="silver", owner=owner)
    falling = PartnerFactory(tenant=tenant, name="Falling", tier="gold", owner=owner)
    steady = PartnerFactory(tenant=tenant, name="Steady", tier="gold", owner=owner)
    history(rising, [80, 80, 80, 80])
    history(falling, [80, 80, 70, 70, 70])
    history(steady, [80, 80, 80, 80])
    publish(tenant, grace=1)
    tier_recommendations_generate(tenant=tenant)
    return {"owner": owner, "rising": rising, "falling": falling, "steady": steady}


def rec(tenant, partner, source="engine"):
    with tenant_context(tenant):
        return (
            TierRecommendation.objects.for_tenant(tenant)
            .select_related("partner", "from_tier", "to_tier")
            .get(partner=partner, source=source, status__in=["pending", "approved", "rejected"])
        )


def decide(tenant, actor, recommendations, **kw):
    with tenant_context(tenant):
        return recommendations_decide(
            tenant=tenant, actor=actor, recommendations=recommendations, approve=kw.pop("approve", True), **kw
        )


def tier_of(partner):
    with tenant_context(partner.tenant):
        return Partner.objects.get(pk=partner.pk).tier


def count(tenant, model, **filters):
    with tenant_context(tenant):
        return model.objects.for_tenant(tenant).filter(**filters).count()


def test_an_approved_promotion_changes_the_tier_and_writes_the_history_with_its_evidence(tenant, program):
    executive = member(tenant, Role.EXECUTIVE)
    partner_user = member(tenant, Role.PARTNER, partner=program["rising"])
    refreshed = []
    partner_data_changed.connect(
        lambda sender, **kw: refreshed.append(kw["partner_ids"]), weak=False, dispatch_uid="t1"
    )
    promotion = rec(tenant, program["rising"])

    result = decide(tenant, executive, [promotion], comment="Well earned.")

    partner_data_changed.disconnect(dispatch_uid="t1")
    assert (result.approved, result.tier_changes) == (1, 1)
    assert tier_of(program["rising"]) == "gold"
    with tenant_context(tenant):
        change = TierChange.objects.for_tenant(tenant).select_related("from_tier", "to_tier").get()
        notified = set(Notification.objects.for_tenant(tenant).values_list("recipient_id", "title"))
    assert (change.from_tier.key, change.to_tier.key, change.approved_by_id, change.effective_date) == (
        "silver",
        "gold",
        executive.pk,
        timezone.localdate(),
    )
    assert change.recommendation_id == promotion.pk
    assert change.evidence == promotion.evidence
    assert change.comment == "Well earned."
    assert notified == {
        (program["owner"].pk, "Rising moves from Silver to Gold"),
        (partner_user.pk, "Your tier is now Gold"),
    }
    assert refreshed == [[program["rising"].pk]]
    assert rec(tenant, program["rising"]).status == "approved"


def test_a_rejection_needs_a_reason_and_keeps_it(tenant, program):
    executive = member(tenant, Role.EXECUTIVE)
    demotion = rec(tenant, program["falling"])

    with pytest.raises(DecisionInvalidError, match="Give the reason for the rejection"):
        decide(tenant, executive, [demotion], approve=False, comment="  ")
    assert rec(tenant, program["falling"]).status == "pending"

    decide(tenant, executive, [demotion], approve=False, comment="A large renewal lands next month.")

    found = rec(tenant, program["falling"])
    assert (found.status, found.decision_comment, found.decided_by_id) == (
        "rejected",
        "A large renewal lands next month.",
        executive.pk,
    )
    assert tier_of(program["falling"]) == "gold"
    assert count(tenant, TierChange) == 0


def test_approving_twice_is_refused_and_a_batch_with_one_decided_writes_nothing(tenant, program):
    executive = member(tenant, Role.EXECUTIVE)
    promotion, demotion = rec(tenant, program["rising"]), rec(tenant, program["falling"])
    decide(tenant, executive, [promotion])

    with pytest.raises(RecommendationDecidedError, match=r"Already decided, nothing was changed: Rising \(approved by"):
        decide(tenant, executive, [demotion, promotion])

    assert rec(tenant, program["falling"]).status == "pending"
    assert tier_of(program["falling"]) == "gold"
    assert count(tenant, TierChange) == 1


def test_a_managers_exception_needs_an_executive_and_nobody_approves_their_own(tenant, program):
    owner, admin, executive = program["owner"], member(tenant, Role.ADMIN), member(tenant, Role.EXECUTIVE)
    by_key = tiers(tenant)
    with tenant_context(tenant):
        exception = recommendation_exception_propose(
            tenant=tenant,
            actor=owner,
            partner=program["falling"],
            to_tier=by_key["gold"],
            justification="Their biggest customer renewed for three years last week.",
        )
    assert (exception.move, exception.from_tier.key, exception.to_tier.key) == ("hold", "gold", "gold")
    assert "What the framework recommends: Falling has missed its Gold criteria" in exception.explanation

    with pytest.raises(DecisionInvalidError, match="needs an executive"):
        decide(tenant, admin, [exception])
    with pytest.raises(PermissionDeniedError):
        decide(tenant, owner, [exception])
    decide(tenant, executive, [exception])

    assert rec(tenant, program["falling"], source="exception").status == "approved"
    with tenant_context(tenant):
        engine = TierRecommendation.objects.for_tenant(tenant).get(partner=program["falling"], source="engine")
    assert engine.status == "superseded"
    assert tier_of(program["falling"]) == "gold"


def test_an_executive_may_not_approve_the_exception_they_proposed(tenant, program):
    executive = member(tenant, Role.EXECUTIVE)
    by_key = tiers(tenant)
    with tenant_context(tenant):
        exception = recommendation_exception_propose(
            tenant=tenant,
            actor=executive,
            partner=program["steady"],
            to_tier=by_key["platinum"],
            justification="Why not.",
        )

    with pytest.raises(DecisionInvalidError, match="You proposed this exception"):
        decide(tenant, executive, [exception])
    assert tier_of(program["steady"]) == "gold"


def test_a_manager_proposes_exceptions_for_their_own_partners_only_and_with_a_justification(tenant, program):
    stranger = member(tenant, Role.MANAGER)
    by_key = tiers(tenant)
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        recommendation_exception_propose(
            tenant=tenant, actor=stranger, partner=program["rising"], to_tier=by_key["gold"], justification="Mine."
        )
    with tenant_context(tenant), pytest.raises(DecisionInvalidError, match="Say why"):
        recommendation_exception_propose(
            tenant=tenant, actor=program["owner"], partner=program["rising"], to_tier=by_key["gold"], justification=""
        )
    assert count(tenant, TierRecommendation, source="exception") == 0


def test_another_programs_recommendation_or_tier_is_refused(tenant, other_tenant, program):
    outsider = PartnerFactory(tenant=other_tenant, tier="silver")
    history(outsider, [80, 80, 80, 80])
    publish(other_tenant)
    tier_recommendations_generate(tenant=other_tenant)
    foreign = rec(other_tenant, outsider)
    foreign_tier = tiers(other_tenant)["gold"]

    with pytest.raises(CrossTenantReferenceError):
        decide(tenant, member(tenant, Role.EXECUTIVE), [foreign])
    with tenant_context(tenant), pytest.raises(CrossTenantReferenceError):
        recommendation_exception_propose(
            tenant=tenant, actor=program["owner"], partner=program["rising"], to_tier=foreign_tier, justification="x"
        )
    assert rec(other_tenant, outsider).status == "pending"


def test_a_move_for_a_partner_whose_tier_changed_since_is_refused(tenant, program):
    with tenant_context(tenant):
        Partner.objects.filter(pk=program["rising"].pk).update(tier="platinum")

    with pytest.raises(DecisionInvalidError, match="tier changed since this recommendation"):
        decide(tenant, member(tenant, Role.EXECUTIVE), [rec(tenant, program["rising"])])
    assert count(tenant, TierChange) == 0


@pytest.mark.parametrize(
    ("effective", "message"),
    [(timedelta(days=1), "cannot be in the future"), (-timedelta(days=3650), "is before Q3 2026")],
)
def test_an_effective_date_in_the_future_or_before_the_quarter_is_refused(tenant, program, effective, message):
    with pytest.raises(DecisionInvalidError, match=message):
        decide(
            tenant,
            member(tenant, Role.EXECUTIVE),
            [rec(tenant, program["rising"])],
            effective_date=timezone.localdate() + effective,
        )
    assert tier_of(program["rising"]) == "silver"


def test_every_decision_is_audited_with_who_made_it(tenant, program):
    executive = member(tenant, Role.EXECUTIVE)
    decide(tenant, executive, [rec(tenant, program["rising"]), rec(tenant, program["steady"])])

    with tenant_context(tenant):
        entries = list(
            AuditEntry.objects.for_tenant(tenant).filter(actor=executive.user).values_list("object_repr", "changes")
        )
    assert len(entries) == 4  # two recommendations, one partner's tier, one tier change
    assert any(changes == {"tier": ["silver", "gold"]} for _, changes in entries)


def test_entering_grace_is_announced_once_by_tier(tenant):
    sent = []
    tier_grace_started.connect(lambda sender, **kw: sent.append(kw), weak=False, dispatch_uid="t-grace")
    slipping = PartnerFactory(tenant=tenant, tier="gold")
    history(slipping, [80, 80, 80, 70, 70])
    publish(tenant, grace=1)

    tier_recommendations_generate(tenant=tenant)
    tier_recommendations_generate(tenant=tenant)

    tier_grace_started.disconnect(dispatch_uid="t-grace")
    assert [(s["partner_ids"], s["tier"], s["period_start"]) for s in sent] == [
        ([slipping.pk], "gold", date(2026, 7, 1))
    ]
