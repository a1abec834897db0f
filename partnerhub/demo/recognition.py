"""Demo recognition: the four tiers with their benefits, a tier framework in two versions, two quarters of tier
recommendations (the earlier one decided, so partners have a tier history; the last complete one with promotions,
holds, demotions and partners in grace, some approved, one exception awaiting an executive), and two quarters of
awards on the recognition wall.

Everything goes through recognition's services, as people would do it; the program's first framework version marks
the module as done, so a second seed writes nothing. Deterministic: choices follow the partners' names and numbers.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from partnerhub.core.domain.periods import add_months, quarter_end, quarter_label
from partnerhub.core.models import Membership, Partner, Tenant
from partnerhub.demo.change_notices import announce
from partnerhub.executive.models import ChangeNotice
from recognition.models import AwardCategory, FrameworkVersion, Tier, TierRecommendation
from recognition.selectors.awards import award_candidates
from recognition.services.awards import award_categories_seed, nomination_create, nomination_decide
from recognition.services.tier_recommendations import (
    recommendation_exception_propose,
    recommendations_decide,
    tier_recommendations_generate,
)
from recognition.services.tiers import (
    CriteriaInput,
    MetricInput,
    framework_draft_open,
    framework_draft_save,
    framework_publish,
    tier_defaults_ensure,
)
from scorecards.models import MetricDefinition
from scorecards.selectors.glossary import metric_find_by_key
from scorecards.selectors.snapshot_series import latest_complete_quarter

Spec = dict[str, tuple[int, int, int, int | None, int | None]]
# Per tier key: minimum score, in K of the last N quarters, certified staff at least, tenure months.
VERSION_1: Spec = {
    "silver": (55, 2, 4, None, None),
    "gold": (66, 3, 4, 2, None),
    "platinum": (76, 3, 4, 4, 12),
}
VERSION_2: Spec = {  # after the annual program review: Gold and Platinum a point higher
    "silver": (55, 2, 4, None, None),
    "gold": (67, 3, 4, 2, None),
    "platinum": (77, 3, 4, 4, 12),
}
CITATIONS = {
    "top_score_in_segment": "The strongest scorecard of its segment this quarter, led by pipeline and win rate.",
    "most_improved": "A real, sustained climb: better every quarter, not one lucky month.",
    "top_metric": "More joint webinars, campaigns and integration milestones than any other partner.",
    "best_csat": "Customers rated it highest, across enough responses to trust the number.",
}
CASES = {
    "top_score_in_segment": "Best-in-segment results all quarter; two of our largest joint wins came through them.",
    "most_improved": "The enablement plan we agreed last year is paying off: every quarter better than the one before.",
    "top_metric": "They ran the joint campaign calendar almost on their own this quarter.",
    "best_csat": "Customers keep asking for their engineers by name.",
}


def _criteria(tiers: dict[str, Tier], spec: Spec, certified: MetricDefinition | None) -> list[CriteriaInput]:
    out = []
    for key, (score, required, window, staff, tenure) in spec.items():
        metrics: tuple[MetricInput, ...] = ()
        if staff is not None and certified is not None:
            metrics = (MetricInput(metric=certified, threshold=Decimal(staff)),)
        out.append(
            CriteriaInput(
                tier=tiers[key],
                min_score=Decimal(score),
                quarters_required=required,
                quarters_window=window,
                min_tenure_months=tenure,
                metrics=metrics,
            )
        )
    return out


def _publish(
    tenant: Tenant,
    admin: Membership,
    spec: Spec,
    grace: int,
    effective: date,
    rationale: str,
    notice: tuple[str, str, str] | None = None,
) -> FrameworkVersion:
    """Draft, save and publish a framework version; ``notice`` (title, what changes, why) announces it first, as
    every version after the first must be."""
    tiers = {t.key: t for t in tier_defaults_ensure(tenant=tenant)}
    certified = metric_find_by_key(tenant=tenant, key="certified_staff")
    draft = framework_draft_open(tenant=tenant, actor=admin)
    framework_draft_save(
        tenant=tenant,
        actor=admin,
        version=draft,
        criteria=_criteria(tiers, spec, certified),
        grace_quarters=grace,
        grace_visible_to_partner=True,
    )
    if notice is not None:
        title, what_changed, why = notice
        announce(
            tenant,
            admin,
            kind=ChangeNotice.Kind.TIER_FRAMEWORK,
            subject_id=draft.pk,
            title=title,
            what_changed=what_changed,
            why=why,
        )
    return framework_publish(tenant=tenant, actor=admin, version=draft, rationale=rationale, effective_from=effective)


def _pending(tenant: Tenant, quarter: date, move: str) -> list[TierRecommendation]:
    return list(
        TierRecommendation.objects.for_tenant(tenant)
        .filter(quarter=quarter, move=move, status=TierRecommendation.Status.PENDING, source="engine")
        .select_related("partner", "from_tier", "to_tier")
        .order_by("partner__name")
    )


def _awards(tenant: Tenant, quarter: date, managers: list[Membership], executive: Membership, decide: set[str]) -> None:
    """Nominate each rule's first candidate (by a manager, with a case); the executive awards the categories in
    ``decide``, leaving the others awaiting a decision."""
    for i, category in enumerate(AwardCategory.objects.for_tenant(tenant).filter(is_active=True).order_by("name")):
        candidates = award_candidates(tenant=tenant, category=category, quarter=quarter)
        if not candidates:
            continue
        best = candidates[0]
        nomination = nomination_create(
            tenant=tenant,
            actor=managers[i % len(managers)],
            category=category,
            partner=_partner(tenant, best.partner_id),
            quarter=quarter,
            case=CASES.get(category.rule, "A quarter worth recognising."),
            evidence_links=[
                f"https://crm.example/partners/{best.partner_id}/{quarter:%Y-q}{(quarter.month - 1) // 3 + 1}"
            ],
        )
        if category.rule in decide:
            nomination_decide(
                tenant=tenant,
                actor=executive,
                nomination=nomination,
                award=True,
                citation=f"{CITATIONS.get(category.rule, 'For the quarter.')} {best.headline}",
            )
        if len(candidates) > 1 and i % 2 == 0:
            runner_up = candidates[1]
            nomination_create(
                tenant=tenant,
                actor=managers[(i + 1) % len(managers)],
                category=category,
                partner=_partner(tenant, runner_up.partner_id),
                quarter=quarter,
                case="A close second, and more consistent over the year.",
            )


def _partner(tenant: Tenant, partner_id: int) -> Partner:
    return Partner.objects.for_tenant(tenant).get(pk=partner_id)


def seed_recognition(tenant: Tenant, *, admin: Membership, executive: Membership, managers: list[Membership]) -> None:
    """Tiers, two framework versions, two quarters of recommendations (decided, then mixed) and of awards."""
    tier_defaults_ensure(tenant=tenant)
    award_categories_seed(tenant=tenant)
    if FrameworkVersion.objects.for_tenant(tenant).exists():
        return  # seeded before: a second seed writes nothing
    last = latest_complete_quarter(tenant=tenant)
    if last is None:
        return
    previous = add_months(last, -3)
    first_quarter = add_months(last, -3 * 7)
    _publish(
        tenant,
        admin,
        VERSION_1,
        grace=1,
        effective=first_quarter,
        rationale="The tiers as the program has run them, written down: sustained scores, certified staff for Gold "
        "and Platinum, a year in the program for Platinum. One quarter of grace before a demotion.",
    )
    # The quarter before last: recommended under version 1 and decided, so partners have a tier history.
    tier_recommendations_generate(tenant=tenant, quarter=previous)
    decided_on = min(quarter_end(previous) + timedelta(days=12), timezone.localdate())
    promotions, demotions = _pending(tenant, previous, "promote"), _pending(tenant, previous, "demote")
    approved = promotions[::3] + demotions[:2]  # the rest wait, and the next quarter's recommendations supersede them
    if approved:
        recommendations_decide(
            tenant=tenant,
            actor=executive,
            recommendations=approved,
            approve=True,
            comment=f"{quarter_label(previous)} review: approved as recommended.",
            effective_date=decided_on,
        )
    if len(demotions) > 2:
        recommendations_decide(
            tenant=tenant,
            actor=executive,
            recommendations=demotions[2:3],
            approve=False,
            comment="A large renewal is signed for next month; we look again next quarter.",
        )
    # Version 2 takes effect in the last complete quarter: its recommendations use it, the earlier ones keep v1.
    _publish(
        tenant,
        admin,
        VERSION_2,
        grace=1,
        effective=last,
        rationale="Gold and Platinum raised by a point after the annual program review; the rest unchanged.",
        notice=(
            "Gold and Platinum ask a point more",
            "From this quarter, Gold and Platinum need a sustained score one point higher than before; Registered "
            "and Silver do not change.",
            "The annual program review found the top tiers no longer set their holders apart.",
        ),
    )
    tier_recommendations_generate(tenant=tenant, quarter=last)
    promotions = _pending(tenant, last, "promote")
    if promotions:  # some already approved, with history; the rest wait in the queue
        recommendations_decide(
            tenant=tenant,
            actor=executive,
            recommendations=promotions[: max(1, len(promotions) // 3)],
            approve=True,
            comment="Clear promotions: approved at once.",
        )
    demotions = _pending(tenant, last, "demote")
    if demotions:
        owner = next((m for m in managers if m.pk == demotions[0].partner.owner_id), None)
        if owner is not None and demotions[0].from_tier is not None:
            recommendation_exception_propose(
                tenant=tenant,
                actor=owner,
                partner=demotions[0].partner,
                to_tier=demotions[0].from_tier,
                justification="Their two largest customers renewed for three years this month; the score will follow.",
            )
    # Awards: the quarter before last, every category decided; the last quarter, two decided and two open.
    _awards(
        tenant,
        previous,
        managers,
        executive,
        decide={"top_score_in_segment", "most_improved", "top_metric", "best_csat"},
    )
    _awards(tenant, last, managers, executive, decide={"top_score_in_segment", "most_improved"})
