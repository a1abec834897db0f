"""Two tenants with people of every role, for the isolation suite; every foreign thing has a unique marker."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection
from rest_framework.authtoken.models import Token

from partnerhub.core.domain.periods import add_months
from partnerhub.core.domain.tokens import token_hash
from partnerhub.core.models import Invitation, Membership, Partner, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.rls import tenant_owned_models
from scorecards.models import (
    DataQualityFinding,
    Deal,
    DealReview,
    ImportBatch,
    MetricDefinition,
    ScorecardTemplate,
    TemplateVersion,
)
from tests.factories import InvitationFactory, PartnerFactory, TenantFactory, UserFactory, member

ROLES = (Role.ADMIN, Role.MANAGER, Role.EXECUTIVE, Role.PARTNER)


@dataclass
class World:
    a: Tenant
    b: Tenant
    actors: dict[str, Membership]
    tokens: dict[str, str]
    own_partner: Partner  # the partner user's company
    sibling_partner: Partner  # another partner in the same tenant
    foreign_partner: Partner
    foreign_manager: Membership
    sibling_member: Membership
    invitation_tokens: dict[str, str]
    invitation_ids: dict[str, int]
    own_metric_id: int = 0
    foreign_metric_id: int = 0
    own_batch_id: int = 0
    foreign_batch_id: int = 0
    sibling_finding_id: int = 0
    foreign_finding_id: int = 0
    own_template_id: int = 0
    foreign_template_id: int = 0
    own_version_id: int = 0
    foreign_version_id: int = 0
    sibling_deal_review_id: int = 0
    foreign_deal_review_id: int = 0
    own_deal_id: int = 0  # a deal of the partner user's own company
    sibling_deal_id: int = 0
    foreign_deal_id: int = 0
    own_cadence_id: int = 0
    foreign_cadence_id: int = 0
    own_cycle_id: int = 0
    foreign_cycle_id: int = 0
    own_review_id: int = 0  # the partner user's own company's review
    sibling_review_id: int = 0
    foreign_review_id: int = 0
    own_action_id: int = 0
    sibling_action_id: int = 0
    foreign_action_id: int = 0
    own_attendee_id: int = 0  # an attendee of own_review_id
    sibling_attendee_id: int = 0
    foreign_attendee_id: int = 0
    foreign_notification_id: int = 0  # a notification of the other tenant's manager
    # Remediation: per key ("own", "sibling", "foreign") the id of a plan, finding, checkpoint and partner-owned
    # shared action of that partner's; "own" and "foreign" for a cause category (program-wide).
    remediation: dict[str, dict[str, int]] = field(default_factory=dict)
    own_tier_id: int = 0  # tiers, framework versions and award categories are program-wide
    foreign_tier_id: int = 0
    own_framework_version_id: int = 0  # a draft (its editor and preview answer)
    foreign_framework_version_id: int = 0
    sibling_recommendation_id: int = 0
    foreign_recommendation_id: int = 0
    own_category_id: int = 0
    foreign_category_id: int = 0
    sibling_nomination_id: int = 0
    foreign_nomination_id: int = 0
    own_rate_id: int = 0  # exchange rates are program-wide: the sibling case is this tenant's own
    foreign_rate_id: int = 0
    # investments: per "own", "sibling", "foreign" partner, the ids of its budget (program-wide), allocation, approved
    # request, claim, proof file, investment, enablement activity and impact estimate
    funds: dict[str, dict[str, int]] = field(default_factory=dict)
    own_memo_id: int = 0  # a published quarterly memo (program-wide: the sibling case is this tenant's own)
    foreign_memo_id: int = 0
    own_memo_version_id: int = 0
    foreign_memo_version_id: int = 0
    unsubscribe_tokens: dict[str, str] = field(default_factory=dict)  # digest unsubscribe links
    own_concern_id: int = 0  # raised by this tenant's partner user
    sibling_concern_id: int = 0  # raised by the sibling partner's user: only the admins (and its sender) see it
    foreign_concern_id: int = 0
    own_framework_review_id: int = 0  # the partner user is invited to comment on it
    foreign_framework_review_id: int = 0
    own_notice_id: int = 0  # a published change notice affecting the partner user's company
    foreign_notice_id: int = 0
    feed_tokens: dict[str, str] = field(default_factory=dict)
    foreign_markers: list[str] = field(default_factory=list)  # strings of tenant B that must never show in A
    sibling_markers: list[str] = field(default_factory=list)  # strings a partner user of A must never see


def build_world() -> World:
    a = TenantFactory(name="Alpha Alliances", slug="alpha")
    b = TenantFactory(name="Bravo Hidden Program", slug="bravo")
    manager_a = member(a, Role.MANAGER, user=UserFactory(email="manager@alpha.test"))
    own = PartnerFactory(tenant=a, name="Alpha Own Partner", owner=manager_a)
    sibling = PartnerFactory(tenant=a, name="SIBLING-PARTNER-MARKER", owner=manager_a)
    actors = {
        Role.ADMIN: member(a, Role.ADMIN, user=UserFactory(email="admin@alpha.test")),
        Role.MANAGER: manager_a,
        Role.EXECUTIVE: member(a, Role.EXECUTIVE, user=UserFactory(email="exec@alpha.test")),
        Role.PARTNER: member(a, Role.PARTNER, partner=own, user=UserFactory(email="partner@alpha.test")),
    }
    sibling_member = member(a, Role.PARTNER, partner=sibling, user=UserFactory(email="sibling-user@alpha.test"))
    foreign_manager = member(b, Role.MANAGER, user=UserFactory(email="foreign-manager@bravo.test"))
    member(b, Role.ADMIN, user=UserFactory(email="foreign-admin@bravo.test"))
    foreign = PartnerFactory(tenant=b, name="FOREIGN-PARTNER-MARKER", external_id="BRAVO-EXT-1", owner=foreign_manager)
    InvitationFactory(tenant=b, email="foreign-invitee@bravo.test", token_hash=token_hash("foreign-token"))
    InvitationFactory(
        tenant=a,
        email="sibling-invitee@alpha.test",
        role=Role.PARTNER,
        partner=sibling,
        token_hash=token_hash("sibling-token"),
    )
    with tenant_context(b):
        foreign_invitation = Invitation.objects.get(email="foreign-invitee@bravo.test")
    with tenant_context(a):
        sibling_invitation = Invitation.objects.get(email="sibling-invitee@alpha.test")
    tokens = {role: Token.objects.create(user=m.user).key for role, m in actors.items()}
    own_metric, own_batch = _partner_data(a, "alpha-metric", actors[Role.ADMIN])
    foreign_metric, foreign_batch = _partner_data(b, "FOREIGN-METRIC-MARKER", foreign_manager)
    sibling_finding = _finding(a, sibling, own_metric, "Sibling finding")
    foreign_finding = _finding(b, foreign, foreign_metric, "FOREIGN-FINDING-MARKER")
    sibling_review = _deal_review(a, sibling, "SIBLING-DEAL")
    foreign_review = _deal_review(b, foreign, "FOREIGN-DEAL-MARKER")
    own_version = _template(a, "Alpha default")
    foreign_version = _template(b, "FOREIGN-TEMPLATE-MARKER")
    own_reviews = _reviews(a, {own: "Alpha own action", sibling: "SIBLING-ACTION-MARKER"}, manager_a, "Alpha QBR")
    foreign_reviews = _reviews(b, {foreign: "FOREIGN-ACTION-MARKER"}, foreign_manager, "FOREIGN-CADENCE-MARKER")
    feed_tokens = {
        "own": _calendar_feed(a, manager_a, "alpha-feed-token"),
        "other_partner": _calendar_feed(a, sibling_member, "sibling-feed-token"),
        "other_tenant": _calendar_feed(b, foreign_manager, "foreign-feed-token"),
    }
    world = World(
        a=a,
        b=b,
        actors=actors,
        tokens=tokens,
        own_partner=own,
        sibling_partner=sibling,
        foreign_partner=foreign,
        foreign_manager=foreign_manager,
        sibling_member=sibling_member,
        invitation_tokens={"other_tenant": "foreign-token", "other_partner": "sibling-token"},
        invitation_ids={"other_tenant": foreign_invitation.pk, "other_partner": sibling_invitation.pk},
        own_metric_id=own_metric.pk,
        foreign_metric_id=foreign_metric.pk,
        own_batch_id=own_batch.pk,
        foreign_batch_id=foreign_batch.pk,
        sibling_finding_id=sibling_finding.pk,
        foreign_finding_id=foreign_finding.pk,
        own_template_id=own_version.template_id,
        foreign_template_id=foreign_version.template_id,
        own_version_id=own_version.pk,
        foreign_version_id=foreign_version.pk,
        sibling_deal_review_id=sibling_review.pk,
        foreign_deal_review_id=foreign_review.pk,
        foreign_markers=[
            "FOREIGN-PARTNER-MARKER",
            "FOREIGN-METRIC-MARKER",
            "FOREIGN-BATCH-MARKER.csv",
            "FOREIGN-FINDING-MARKER",
            "FOREIGN-TEMPLATE-MARKER",
            "FOREIGN-DEAL-MARKER",
            "Bravo Hidden Program",
            "foreign-manager@bravo.test",
            "foreign-admin@bravo.test",
            "foreign-invitee@bravo.test",
        ],
        sibling_markers=[
            "SIBLING-PARTNER-MARKER",
            "sibling-user@alpha.test",
            "sibling-invitee@alpha.test",
            "SIBLING-ACTION-MARKER",
        ],
    )
    world.own_cadence_id, world.own_cycle_id = own_reviews["cadence"], own_reviews["cycle"]
    world.foreign_cadence_id, world.foreign_cycle_id = foreign_reviews["cadence"], foreign_reviews["cycle"]
    world.own_review_id, world.own_action_id = own_reviews[own.pk]
    world.sibling_review_id, world.sibling_action_id = own_reviews[sibling.pk]
    world.foreign_review_id, world.foreign_action_id = foreign_reviews[foreign.pk]
    world.own_attendee_id = own_reviews[("attendee", own.pk)]
    world.sibling_attendee_id = own_reviews[("attendee", sibling.pk)]
    world.foreign_attendee_id = foreign_reviews[("attendee", foreign.pk)]
    world.feed_tokens = feed_tokens
    world.foreign_notification_id = _notification(b, foreign_manager, "FOREIGN-NOTIFICATION-MARKER")
    world.own_deal_id = _engagement(a, own, "Alpha own")
    world.sibling_deal_id = sibling_review.deal_id
    world.foreign_deal_id = foreign_review.deal_id
    _engagement(b, foreign, "FOREIGN")
    world.remediation = {
        "own": _remediation(a, own, manager_a, actors[Role.PARTNER], "Alpha own plan"),
        "sibling": _remediation(a, sibling, manager_a, sibling_member, "SIBLING-PLAN-MARKER"),
        "foreign": _remediation(b, foreign, foreign_manager, None, "FOREIGN-PLAN-MARKER"),
    }
    world.foreign_markers.append("FOREIGN-PLAN-MARKER")
    world.sibling_markers.append("SIBLING-PLAN-MARKER")
    _recognition(world)
    world.own_rate_id = _exchange_rate(a, "alpha-rate")
    world.foreign_rate_id = _exchange_rate(b, "FOREIGN-RATE-MARKER")
    own_budget = _budget(a, "Alpha MDF")
    foreign_budget = _budget(b, "FOREIGN-BUDGET-MARKER")
    world.funds = {
        "own": _funds(a, own, own_budget, manager_a, "Alpha own request"),
        "sibling": _funds(a, sibling, own_budget, manager_a, "SIBLING-REQUEST-MARKER"),
        "foreign": _funds(b, foreign, foreign_budget, foreign_manager, "FOREIGN-REQUEST-MARKER"),
    }
    world.sibling_markers += ["SIBLING-REQUEST-MARKER", "SIBLING-REQUEST-MARKER.pdf"]
    world.own_memo_id, world.own_memo_version_id = _memo(a, "Alpha memo line")
    world.foreign_memo_id, world.foreign_memo_version_id = _memo(b, "FOREIGN-MEMO-MARKER")
    world.own_concern_id = _concern(a, actors[Role.PARTNER], own, "Alpha own concern")
    world.sibling_concern_id = _concern(a, sibling_member, sibling, "SIBLING-CONCERN-MARKER")
    world.foreign_concern_id = _concern(b, foreign_manager, foreign, "FOREIGN-CONCERN-MARKER")
    world.own_framework_review_id = _framework_review(a, actors[Role.PARTNER], "Alpha checklist item")
    world.foreign_framework_review_id = _framework_review(b, foreign_manager, "FOREIGN-FRAMEWORK-MARKER")
    world.own_notice_id = _notice(a, own, "Alpha notice")
    world.foreign_notice_id = _notice(b, foreign, "FOREIGN-NOTICE-MARKER")
    world.unsubscribe_tokens = {
        "own": _unsubscribe_token(a, manager_a),
        "other_partner": _unsubscribe_token(a, sibling_member),
        "other_tenant": _unsubscribe_token(b, foreign_manager),
    }
    world.foreign_markers += [
        "FOREIGN-CADENCE-MARKER",
        "FOREIGN-ACTION-MARKER",
        "FOREIGN-ATTENDEE-MARKER",
        "FOREIGN-NOTIFICATION-MARKER",
        "FOREIGN-ACTIVITY-MARKER",
        "FOREIGN-SURVEY-MARKER",
        "FOREIGN-RATE-MARKER",
        "FOREIGN-BUDGET-MARKER",
        "FOREIGN-REQUEST-MARKER",
        "FOREIGN-MEMO-MARKER",
        "FOREIGN-CONCERN-MARKER",
        "FOREIGN-NOTICE-MARKER",
        "FOREIGN-FRAMEWORK-MARKER",
    ]
    world.sibling_markers.append("SIBLING-CONCERN-MARKER")
    return world


def _engagement(tenant: Tenant, partner: Partner, prefix: str) -> int:
    """A deal, a joint activity and a survey response of ``partner`` (named with ``prefix``); the deal's id."""
    from scorecards.models import Activity, SurveyResponse

    with tenant_context(tenant):
        deal = Deal.objects.create(
            tenant=tenant, partner=partner, external_id=f"{prefix}-DEAL-2", amount=1200, created_on=date(2026, 9, 2)
        )
        Activity.objects.create(
            tenant=tenant, partner=partner, kind="webinar", title=f"{prefix}-ACTIVITY-MARKER", date=date(2026, 9, 3)
        )
        SurveyResponse.objects.create(
            tenant=tenant,
            partner=partner,
            survey="csat",
            respondent_type="customer",
            respondent="probe@example.test",
            comment=f"{prefix}-SURVEY-MARKER",
            date=date(2026, 9, 4),
            score=4,
        )
    return deal.pk


def _recognition(world: World) -> None:
    """Tiers, a framework draft, a recommendation and an award nomination in each program (the sibling's in A)."""
    from recognition.models import AwardCategory, FrameworkVersion, Nomination, TierRecommendation
    from recognition.services.tiers import tier_defaults_ensure

    def build(tenant: Tenant, partner: Partner, marker: str, nominator: Membership) -> tuple[int, ...]:
        with tenant_context(tenant):
            tiers = {t.key: t for t in tier_defaults_ensure(tenant=tenant)}
            if marker.startswith("FOREIGN"):
                tiers["gold"].name = "FOREIGN-TIER-MARKER"
                tiers["gold"].save(update_fields=["name"])
            # A draft: the program's own when it has one (a program seeded before the world), else number 1.
            version = FrameworkVersion.objects.filter(status="draft").first() or FrameworkVersion.objects.create(
                tenant=tenant, number=1 + max(FrameworkVersion.objects.values_list("number", flat=True), default=0)
            )
            recommendation = TierRecommendation.objects.create(
                tenant=tenant,
                partner=partner,
                quarter=date(2026, 7, 1),
                version=version,
                move="promote",
                from_tier=tiers["silver"],
                to_tier=tiers["gold"],
                explanation=f"{marker}-RECOMMENDATION-MARKER",
            )
            category = AwardCategory.objects.create(
                tenant=tenant,
                name=f"{marker}-AWARD-MARKER" if marker.startswith("FOREIGN") else "Alpha award",
                rule="none",
            )
            nomination = Nomination.objects.create(
                tenant=tenant,
                category=category,
                quarter=date(2026, 7, 1),
                partner=partner,
                nominated_by=nominator,
                case=f"{marker}-NOMINATION-MARKER",
            )
        return tiers["gold"].pk, version.pk, recommendation.pk, category.pk, nomination.pk

    manager_a = world.actors[Role.MANAGER]
    (
        world.own_tier_id,
        world.own_framework_version_id,
        world.sibling_recommendation_id,
        world.own_category_id,
        world.sibling_nomination_id,
    ) = build(world.a, world.sibling_partner, "SIBLING", manager_a)
    (
        world.foreign_tier_id,
        world.foreign_framework_version_id,
        world.foreign_recommendation_id,
        world.foreign_category_id,
        world.foreign_nomination_id,
    ) = build(world.b, world.foreign_partner, "FOREIGN", world.foreign_manager)
    world.foreign_markers += [
        "FOREIGN-TIER-MARKER",
        "FOREIGN-RECOMMENDATION-MARKER",
        "FOREIGN-AWARD-MARKER",
        "FOREIGN-NOMINATION-MARKER",
    ]
    world.sibling_markers += ["SIBLING-RECOMMENDATION-MARKER", "SIBLING-NOMINATION-MARKER"]


def _budget(tenant: Tenant, name: str) -> Any:
    from recognition.models import Budget

    with tenant_context(tenant):
        return Budget.objects.create(
            tenant=tenant,
            name=name,
            fiscal_year=2026,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            currency="USD",
            amount=100000,
        )


def _funds(tenant: Tenant, partner: Partner, budget: Any, manager: Membership, title: str) -> dict[str, int]:
    """A partner's allocation, an approved request with a claim and its proof file (written to the proof storage),
    the MDF investment, an enablement activity and an impact estimate; every text carries ``title``."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from recognition.models import Allocation, Claim, FundRequest, ImpactEstimate, Investment, ProofFile
    from scorecards.models import Activity

    with tenant_context(tenant):
        allocation = Allocation.objects.create(
            tenant=tenant, budget=budget, partner=partner, amount=10000, currency="USD"
        )
        request = FundRequest.objects.create(
            tenant=tenant,
            allocation=allocation,
            partner=partner,
            activity_type="event",
            title=title,
            planned_start=date(2026, 3, 1),
            planned_end=date(2026, 3, 31),
            requested_amount=4000,
            currency="USD",
            status=FundRequest.Status.APPROVED,
            approved_amount=4000,
            claim_deadline=date(2099, 1, 1),
            submitted_by=manager,
        )
        claim = Claim.objects.create(tenant=tenant, request=request, partner=partner, amount=1000, currency="USD")
        proof = ProofFile(
            tenant=tenant, claim=claim, name=f"{title}.pdf", content_type="application/pdf", size=9, sha256="0" * 64
        )
        proof.file.save("world-proof.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
        proof.save()
        investment = Investment.objects.create(
            tenant=tenant,
            partner=partner,
            kind=Investment.Kind.MDF,
            category="event",
            title=title,
            value=4000,
            currency="USD",
            starts_on=date(2026, 3, 1),
            fund_request=request,
        )
        activity = Activity.objects.create(
            tenant=tenant,
            partner=partner,
            kind=Activity.Kind.TRAINING,
            title=f"{title} training",
            date=date(2026, 4, 2),
        )
        estimate = ImpactEstimate.objects.create(
            tenant=tenant,
            subject_key=f"investment:{investment.pk}",
            subject_label=title,
            investment=investment,
            metric="score",
            verdict=ImpactEstimate.Verdict.NOT_ESTIMATED,
            reason="Not estimated: probe.",
            computed_at=timezone.now(),
        )
    return {
        "budget": budget.pk,
        "allocation": allocation.pk,
        "request": request.pk,
        "claim": claim.pk,
        "proof": proof.pk,
        "investment": investment.pk,
        "activity": activity.pk,
        "estimate": estimate.pk,
    }


def _exchange_rate(tenant: Tenant, source: str) -> int:
    from scorecards.models import ExchangeRate

    with tenant_context(tenant):  # mid-month: the demo's rates (a program seeded before the world) are on the 1st
        return ExchangeRate.objects.create(
            tenant=tenant, from_currency="EUR", to_currency="USD", date=date(2026, 1, 15), rate="1.1", source=source
        ).pk


def _partner_data(tenant: Tenant, metric_name: str, uploader: Membership) -> tuple[MetricDefinition, ImportBatch]:
    with tenant_context(tenant):
        metric = MetricDefinition.objects.create(
            tenant=tenant,
            key=metric_name.lower()[:50],
            name=metric_name,
            definition="A probe metric.",
            unit=MetricDefinition.Unit.COUNT,
            timing=MetricDefinition.Timing.LEADING,
            category=MetricDefinition.Category.ENGAGEMENT,
            aggregation=MetricDefinition.Aggregation.SUM,
        )
        name = "FOREIGN-BATCH-MARKER.csv" if tenant.slug == "bravo" else "alpha-batch.csv"
        batch = ImportBatch.objects.create(
            tenant=tenant,
            kind=ImportBatch.Kind.DEALS,
            file_name=name,
            content=b"Opportunity ID\n",
            uploaded_by=uploader,
        )
    return metric, batch


def _finding(tenant: Tenant, partner: Partner, metric: MetricDefinition, detail: str) -> DataQualityFinding:
    with tenant_context(tenant):
        return DataQualityFinding.objects.create(
            tenant=tenant,
            partner=partner,
            metric=metric,
            kind=DataQualityFinding.Kind.OUTLIER,
            month=date(2026, 9, 1),
            detail=detail,
        )


def _deal_review(tenant: Tenant, partner: Partner, external_id: str) -> DealReview:
    with tenant_context(tenant):
        deal = Deal.objects.create(
            tenant=tenant, partner=partner, external_id=external_id, amount=90000, created_on=date(2026, 9, 1)
        )
        return DealReview.objects.create(
            tenant=tenant,
            deal=deal,
            partner=partner,
            pricing_integrity=3,
            discount_discipline=3,
            contract_terms=3,
            renewal_risk=3,
            technical_risk=3,
            quality=3,
        )


def _reviews(tenant: Tenant, actions: dict[Partner, str], moderator: Membership, cadence_name: str) -> dict[Any, Any]:
    """A QBR cadence, one cycle, and per partner a review with a shared action item: {partner pk: (review, action)},
    and an attendee (a named contact): {("attendee", partner pk): attendee}."""
    from reviews.models import ActionItem, Attendee, Cadence, Review, ReviewCycle

    with tenant_context(tenant):
        cadence = Cadence.objects.create(
            tenant=tenant, name=cadence_name, kind=Cadence.Kind.QBR, frequency=Cadence.Frequency.QUARTERLY
        )
        cycle = ReviewCycle.objects.create(
            tenant=tenant, cadence=cadence, period_start=date(2026, 10, 1), period_end=date(2026, 12, 31)
        )
        out: dict[Any, Any] = {"cadence": cadence.pk, "cycle": cycle.pk}
        for partner, description in actions.items():
            review = Review.objects.create(
                tenant=tenant,
                cycle=cycle,
                cadence=cadence,
                partner=partner,
                kind=cadence.kind,
                scheduled_for=datetime(2026, 10, 15, 15, 0, tzinfo=UTC),
                moderator=moderator,
            )
            action = ActionItem.objects.create(
                tenant=tenant, review=review, partner=partner, description=description, due_date=date(2026, 11, 30)
            )
            out[partner.pk] = (review.pk, action.pk)
            attendee = Attendee.objects.create(
                tenant=tenant, review=review, name=description.replace("ACTION", "ATTENDEE"), side="partner"
            )
            out[("attendee", partner.pk)] = attendee.pk
    return out


def _remediation(
    tenant: Tenant, partner: Partner, owner: Membership, partner_user: Membership | None, title: str
) -> dict[str, int]:
    """An active plan of ``partner`` (title ``title``) with a finding, a checkpoint and a partner-owned shared action,
    and a cause category of the program: {"plan", "finding", "checkpoint", "action", "category"} ids."""
    from remediation.models import CauseCategory, Checkpoint, Finding, Plan, PlanAction

    with tenant_context(tenant):
        plan = Plan.objects.create(
            tenant=tenant,
            partner=partner,
            title=title,
            goal=f"{title} goal",
            owner=owner,
            start_date=date(2026, 9, 1),
            target_end_date=date(2027, 3, 31),
            status=Plan.Status.ACTIVE,
        )
        finding = Finding.objects.create(
            tenant=tenant,
            partner=partner,
            title=f"{title} finding",
            category="enablement",
            date_found=date(2026, 9, 1),
            plan=plan,
            owner=owner,
        )
        checkpoint = Checkpoint.objects.create(
            tenant=tenant,
            plan=plan,
            partner=partner,
            measure="score",
            comparator="gte",
            target=60,
            period="month",
            due_period_start=date(2026, 12, 1),
        )
        action = PlanAction.objects.create(
            tenant=tenant,
            plan=plan,
            partner=partner,
            title=f"{title} action",
            side="partner",
            owner=partner_user,
            due_date=date(2026, 12, 31),
            shared=True,
        )
        category, _ = CauseCategory.objects.get_or_create(
            tenant=tenant, key=f"probe_{tenant.slug}", defaults={"name": f"{title} category"}
        )
    return {
        "plan": plan.pk,
        "finding": finding.pk,
        "checkpoint": checkpoint.pk,
        "action": action.pk,
        "category": category.pk,
    }


def _calendar_feed(tenant: Tenant, membership: Membership, token: str) -> str:
    from reviews.models import CalendarFeed

    with tenant_context(tenant):
        CalendarFeed.objects.create(tenant=tenant, membership=membership, token_hash=token_hash(token))
    return token


def _notification(tenant: Tenant, recipient: Membership, title: str) -> int:
    from partnerhub.core.models import Notification

    with tenant_context(tenant):
        return Notification.objects.create(
            tenant=tenant, recipient=recipient, kind="probe", title=title, dedupe_key="matrix-probe"
        ).pk


def _memo(tenant: Tenant, text: str) -> tuple[int, int]:
    """A quarterly memo with one published version (its PDF a stub: the matrix reads, it does not render)."""
    from partnerhub.executive.models import Memo, MemoVersion

    with tenant_context(tenant):
        # Q3 2026, or (in a program seeded before the world) the latest quarter before it without a memo.
        taken = set(Memo.objects.values_list("quarter_start", flat=True))
        quarter = date(2026, 7, 1)
        while quarter in taken:
            quarter = add_months(quarter, -3)
        memo = Memo.objects.create(tenant=tenant, quarter_start=quarter)
        line = {"id": "summary-1", "section": "summary", "text": text, "owner": "Lead", "timeline": "Q3 2026"}
        version = MemoVersion.objects.create(
            tenant=tenant,
            memo=memo,
            number=1,
            status=MemoVersion.Status.PUBLISHED,
            lines=[{**line, "evidence": [], "public": True, "removed": False}],
            published_at=datetime(2026, 10, 5, tzinfo=UTC),
            html=f"<p>{text}</p>",
            partner_html=f"<p>{text}</p>",
            pdf=b"%PDF-1.4 probe",
            partner_pdf=b"%PDF-1.4 probe",
        )
    return memo.pk, version.pk


def _concern(tenant: Tenant, sender: Membership, partner: Partner, subject: str) -> int:
    from partnerhub.executive.models import Concern, ConcernMessage

    with tenant_context(tenant):
        concern = Concern.objects.create(tenant=tenant, raised_by=sender, partner=partner, subject=subject)
        ConcernMessage.objects.create(tenant=tenant, concern=concern, author=sender, body=subject)
    return concern.pk


def _framework_review(tenant: Tenant, invited: Membership, text: str) -> int:
    from partnerhub.executive.models import FrameworkReview

    with tenant_context(tenant):
        # One open review a program: a program seeded before the world has had its own, now completed.
        FrameworkReview.objects.exclude(status=FrameworkReview.Status.COMPLETED).update(
            status=FrameworkReview.Status.COMPLETED
        )
        return FrameworkReview.objects.create(
            tenant=tenant,
            due_on=date(2026, 12, 15),
            checklist=[{"key": "coverage-1", "kind": "coverage", "text": text}],
            invited_ids=[invited.pk],
        ).pk


def _notice(tenant: Tenant, partner: Partner, title: str) -> int:
    from partnerhub.executive.models import ChangeNotice

    with tenant_context(tenant):
        return ChangeNotice.objects.create(
            tenant=tenant,
            title=title,
            what_changed=title,
            why=title,
            status=ChangeNotice.Status.PUBLISHED,
            published_at=datetime(2026, 10, 5, tzinfo=UTC),
            impact={"affected": 1, "partners": {str(partner.pk): [60.0, 62.0, "amber", "amber"]}},
            affected_partner_ids=[partner.pk],
        ).pk


def _unsubscribe_token(tenant: Tenant, membership: Membership) -> str:
    from partnerhub.executive.services.digest import unsubscribe_token

    return unsubscribe_token(tenant=tenant, member=membership)


def _template(tenant: Tenant, name: str) -> TemplateVersion:
    with tenant_context(tenant):
        segment = _free_segment()
        template = ScorecardTemplate.objects.create(
            tenant=tenant, name=name, is_default=not segment["partner_type"], **segment
        )
        return TemplateVersion.objects.create(tenant=tenant, template=template, number=1)


def _free_segment() -> dict[str, str]:
    """The program-wide segment, or (in a program seeded before the world, as the browser walk's is) the first
    partner type without a template of its own."""
    taken = set(ScorecardTemplate.objects.values_list("partner_type", "stage"))
    free = [kind for kind in ("", *Partner.Type.values) if (kind, "") not in taken]
    return {"partner_type": free[0], "stage": ""}


def fingerprint(tenant: Tenant, tables: Iterable[str] | None = None) -> dict[str, str]:
    """A digest of every tenant-owned row of ``tenant`` (read under its own RLS setting), table by table;
    ``tables`` narrows it to those tables."""
    names = tenant_owned_tables() if tables is None else tuple(tables)
    digest: dict[str, str] = {}
    with tenant_context(tenant), connection.cursor() as cursor:
        for table in names:
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x.id), '')) FROM \"{table}\" x"
            )
            digest[table] = ":".join(str(v) for v in cursor.fetchone())
    return digest


def tenant_owned_tables() -> tuple[str, ...]:
    return tuple(model._meta.db_table for model in tenant_owned_models())


def write_counters(tables: tuple[str, ...]) -> dict[str, tuple[int, ...]]:
    """Per table, the rows this transaction has inserted, updated and deleted so far, and the table's file.

    PostgreSQL counts every attempted write of the transaction, in any savepoint, rolled back or not, whichever
    tenant the row belongs to (row-level security does not hide the counters), so the counters only ever grow;
    TRUNCATE, which they do not count, gives the table a new file until its savepoint is rolled back. Two equal
    readings, both taken inside the savepoint a cell runs in, mean the cell wrote nothing: one cheap query in
    place of a digest of every row.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.name, pg_relation_filenode(c.oid), pg_stat_get_xact_tuples_inserted(c.oid),"
            " pg_stat_get_xact_tuples_updated(c.oid), pg_stat_get_xact_tuples_deleted(c.oid)"
            " FROM unnest(%s::text[]) AS t(name) JOIN pg_class c ON c.oid = quote_ident(t.name)::regclass",
            [list(tables)],
        )
        counters = {name: tuple(values) for name, *values in cursor.fetchall()}
    if set(counters) != set(tables):
        raise LookupError(f"no write counters for {sorted(set(tables) - set(counters))}")
    return counters


def written_tables(before: dict[str, tuple[int, ...]], after: dict[str, tuple[int, ...]]) -> list[str]:
    return [table for table, counts in after.items() if before[table] != counts]


# URL parameters of remediation routes -> the key of ``World.remediation``'s entries.
REMEDIATION_PARAMS = {
    "plan_id": "plan",
    "remediation_finding_id": "finding",
    "checkpoint_id": "checkpoint",
    "plan_action_id": "action",
    "cause_category_id": "category",
}
# URL parameters of investments' objects -> their key in ``World.funds``.
FUNDS_PARAMS = {
    "budget_id": "budget",
    "request_id": "request",
    "claim_id": "claim",
    "proof_id": "proof",
    "investment_id": "investment",
    "estimate_id": "estimate",
}


def own_object_id(world: World, param: str) -> Any:
    """The id to put in a URL parameter for an object this tenant's admin may act on (its own, or a sibling's)."""
    values = {
        "tenant_slug": world.a.slug,
        "partner_id": world.own_partner.pk,
        "membership_id": world.sibling_member.pk,
        "invitation_id": world.invitation_ids["other_partner"],
        "token": "sibling-token",
        "metric_id": world.own_metric_id,
        "batch_id": world.own_batch_id,
        "finding_id": world.sibling_finding_id,
        "template_id": world.own_template_id,
        "version_id": world.own_version_id,
        "deal_review_id": world.sibling_deal_review_id,
        "deal_id": world.own_deal_id,
        "kind": "deals",
        "month": "2026-11",
        "cadence_id": world.own_cadence_id,
        "cycle_id": world.own_cycle_id,
        "review_id": world.own_review_id,
        "action_id": world.own_action_id,
        "attendee_id": world.own_attendee_id,
        "feed_token": world.feed_tokens["own"],
        **{param: world.remediation["own"][key] for param, key in REMEDIATION_PARAMS.items()},
        "tier_id": world.own_tier_id,
        "framework_version_id": world.own_framework_version_id,
        "recommendation_id": world.sibling_recommendation_id,
        "category_id": world.own_category_id,
        "nomination_id": world.sibling_nomination_id,
        "rate_id": world.own_rate_id,
        **{param: world.funds["own"][key] for param, key in FUNDS_PARAMS.items()},
        "memo_id": world.own_memo_id,
        "memo_version_id": world.own_memo_version_id,
        "unsubscribe_token": world.unsubscribe_tokens["own"],
        "concern_id": world.own_concern_id,
        "notice_id": world.own_notice_id,
        "framework_review_id": world.own_framework_review_id,
    }
    return values[param]


def object_id(world: World, param: str, target: str) -> Any:
    """The id to put in a URL parameter for a target: another tenant's object, or a sibling partner's."""
    foreign = target == "other_tenant"
    if param == "partner_id":
        return world.foreign_partner.pk if foreign else world.sibling_partner.pk
    if param == "membership_id":
        return world.foreign_manager.pk if foreign else world.sibling_member.pk
    if param == "invitation_id":
        return world.invitation_ids[target]
    if param == "token":
        return world.invitation_tokens[target]
    if param == "metric_id":  # the glossary is tenant-wide: the sibling case is this tenant's own metric
        return world.foreign_metric_id if foreign else world.own_metric_id
    if param == "deal_review_id":
        return world.foreign_deal_review_id if foreign else world.sibling_deal_review_id
    if param == "deal_id":
        return world.foreign_deal_id if foreign else world.sibling_deal_id
    if param == "template_id":  # templates are program-wide: the sibling case is this tenant's own
        return world.foreign_template_id if foreign else world.own_template_id
    if param == "version_id":
        return world.foreign_version_id if foreign else world.own_version_id
    if param == "finding_id":
        return world.foreign_finding_id if foreign else world.sibling_finding_id
    if param == "batch_id":
        return world.foreign_batch_id if foreign else world.own_batch_id
    if param == "cadence_id":  # cadences and cycles are program-wide: the sibling case is this tenant's own
        return world.foreign_cadence_id if foreign else world.own_cadence_id
    if param == "cycle_id":
        return world.foreign_cycle_id if foreign else world.own_cycle_id
    if param == "review_id":
        return world.foreign_review_id if foreign else world.sibling_review_id
    if param == "action_id":
        return world.foreign_action_id if foreign else world.sibling_action_id
    if param == "attendee_id":  # an attendee of the foreign review, or of the sibling review
        return world.foreign_attendee_id if foreign else world.sibling_attendee_id
    if param == "feed_token":
        return world.feed_tokens[target]
    if param in REMEDIATION_PARAMS:
        # A category is program-wide: the sibling case is this tenant's own.
        key = "foreign" if foreign else ("own" if param == "cause_category_id" else "sibling")
        return world.remediation[key][REMEDIATION_PARAMS[param]]
    if param == "tier_id":  # tiers, framework versions and award categories are program-wide
        return world.foreign_tier_id if foreign else world.own_tier_id
    if param == "framework_version_id":
        return world.foreign_framework_version_id if foreign else world.own_framework_version_id
    if param == "category_id":
        return world.foreign_category_id if foreign else world.own_category_id
    if param == "recommendation_id":  # the foreign program's, or the sibling partner's
        return world.foreign_recommendation_id if foreign else world.sibling_recommendation_id
    if param == "nomination_id":
        return world.foreign_nomination_id if foreign else world.sibling_nomination_id
    if param == "rate_id":  # rates are program-wide: the sibling case is this tenant's own
        return world.foreign_rate_id if foreign else world.own_rate_id
    if param == "budget_id":  # budgets are program-wide: the sibling case is this tenant's own
        return world.funds["foreign" if foreign else "own"]["budget"]
    if param in FUNDS_PARAMS:  # a request, claim, proof, investment or estimate of the foreign or sibling partner
        return world.funds["foreign" if foreign else "sibling"][FUNDS_PARAMS[param]]
    if param == "memo_id":  # memos are program-wide: the sibling case is this tenant's own
        return world.foreign_memo_id if foreign else world.own_memo_id
    if param == "memo_version_id":
        return world.foreign_memo_version_id if foreign else world.own_memo_version_id
    if param == "unsubscribe_token":
        return world.unsubscribe_tokens[target]
    if param == "framework_review_id":  # program-wide: the sibling case is this tenant's own
        return world.foreign_framework_review_id if foreign else world.own_framework_review_id
    if param == "notice_id":  # notices are program-wide: the sibling case is this tenant's own
        return world.foreign_notice_id if foreign else world.own_notice_id
    if param == "concern_id":
        return world.foreign_concern_id if foreign else world.sibling_concern_id
    raise LookupError(f"the isolation matrix has no foreign object for URL parameter {param!r}: add one in world.py")
