"""Tiers and the versioned framework through the services: a first draft starts from a suggestion, a draft is saved
only when its criteria hold together (every problem named, nothing written), published with a rationale and an
effective date, never edited after; the next draft copies it; the version in force for a quarter is the latest
effective by the quarter's end. New programs get the four tiers and the default awards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.errors import InvalidStateError, PermissionDeniedError
from partnerhub.core.models import Role
from partnerhub.core.services.program import tenant_create
from partnerhub.core.tenancy.context import tenant_context
from recognition.errors import FrameworkInvalidError, FrameworkNotDraftError, TierInvalidError
from recognition.models import AwardCategory, FrameworkVersion, Tier, TierCriteria
from recognition.selectors.tiers import criteria_rows, framework_in_force, framework_spec
from recognition.services.tiers import (
    CriteriaInput,
    MetricInput,
    framework_draft_open,
    framework_draft_save,
    framework_publish,
    tier_create,
    tier_update,
)
from tests.factories import UserFactory, member
from tests.recognition.factories import certified_metric, publish, tiers

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tenant):
    return member(tenant, Role.ADMIN)


def labels(tenant, version):
    with tenant_context(tenant):
        spec = framework_spec(tenant=tenant, version=version)
    return {t.key: spec.criteria_of(t).labels() for t in spec.tiers}


def test_a_first_draft_starts_from_a_suggestion_with_the_entry_tier_open(tenant, admin):
    with tenant_context(tenant):
        draft = framework_draft_open(tenant=tenant, actor=admin)
    assert (draft.number, draft.status, draft.grace_quarters) == (1, "draft", 1)
    assert labels(tenant, draft) == {
        "registered": [],
        "silver": ["A score of at least 60 in at least 2 of the last 4 quarters"],
        "gold": ["A score of at least 70 in at least 3 of the last 4 quarters"],
        "platinum": [
            "A score of at least 80 in at least 3 of the last 4 quarters",
            "At least 12 months in the program",
        ],
    }


def test_opening_the_draft_twice_gives_the_same_draft(tenant, admin):
    with tenant_context(tenant):
        first = framework_draft_open(tenant=tenant, actor=admin)
        again = framework_draft_open(tenant=tenant, actor=admin)
    assert first == again


def test_a_draft_with_contradictory_criteria_is_refused_with_every_problem_and_nothing_is_written(tenant, admin):
    by_key = tiers(tenant)
    with tenant_context(tenant):
        draft = framework_draft_open(tenant=tenant, actor=admin)
        before = list(TierCriteria.objects.for_tenant(tenant).values_list("tier_id", "min_score"))
        with pytest.raises(FrameworkInvalidError) as refused:
            framework_draft_save(
                tenant=tenant,
                actor=admin,
                version=draft,
                criteria=[
                    CriteriaInput(tier=by_key["silver"], min_score=Decimal(80), quarters_required=2, quarters_window=4),
                    CriteriaInput(tier=by_key["gold"], min_score=Decimal(70), quarters_required=3, quarters_window=4),
                    CriteriaInput(
                        tier=by_key["platinum"], min_score=Decimal(120), quarters_required=3, quarters_window=4
                    ),
                ],
                grace_quarters=1,
                grace_visible_to_partner=True,
            )
        after = list(TierCriteria.objects.for_tenant(tenant).values_list("tier_id", "min_score"))
    assert refused.value.problems == ["Platinum: a score threshold is between 0 and 100, not 120."]
    assert after == before


def test_a_lower_tier_demanding_more_than_a_higher_one_is_named(tenant, admin):
    by_key = tiers(tenant)
    with tenant_context(tenant):
        draft = framework_draft_open(tenant=tenant, actor=admin)
        with pytest.raises(FrameworkInvalidError) as refused:
            framework_draft_save(
                tenant=tenant,
                actor=admin,
                version=draft,
                criteria=[
                    CriteriaInput(tier=by_key["silver"], min_score=Decimal(80), quarters_required=2, quarters_window=4),
                    CriteriaInput(tier=by_key["gold"], min_score=Decimal(70), quarters_required=3, quarters_window=4),
                    CriteriaInput(
                        tier=by_key["platinum"], min_score=Decimal(90), quarters_required=3, quarters_window=4
                    ),
                ],
                grace_quarters=1,
                grace_visible_to_partner=True,
            )
    assert refused.value.problems == [
        "Gold asks for a score of at least 70, below Silver's 80: a lower tier may not demand more than a higher one."
    ]
    assert refused.value.extra["fields"] == {"min_score": refused.value.problems}


def test_a_published_version_keeps_its_rationale_and_date_and_is_never_edited(tenant, admin):
    certified = certified_metric(tenant)
    version = publish(
        tenant,
        admin,
        criteria={
            "silver": {"min_score": 60, "required": 2, "window": 4},
            "gold": {"min_score": 75, "required": 3, "window": 4, "metrics": [(certified, 4)]},
            "platinum": {"min_score": 85, "required": 3, "window": 4, "metrics": [(certified, 8)]},
        },
        rationale="Certified staff matter for Gold.",
        effective_from=date(2026, 1, 1),
    )
    assert (version.status, version.rationale, version.effective_from, version.published_by) == (
        "published",
        "Certified staff matter for Gold.",
        date(2026, 1, 1),
        admin,
    )
    with tenant_context(tenant), pytest.raises(FrameworkNotDraftError):
        framework_draft_save(
            tenant=tenant, actor=admin, version=version, criteria=[], grace_quarters=0, grace_visible_to_partner=False
        )
    with tenant_context(tenant):
        draft = framework_draft_open(tenant=tenant, actor=admin)
    assert draft.number == 2
    assert labels(tenant, draft) == labels(tenant, version)
    assert labels(tenant, draft)["gold"] == [
        "A score of at least 75 in at least 3 of the last 4 quarters",
        "Certified staff at least 4",
    ]


@pytest.mark.parametrize(
    ("rationale", "effective", "message"),
    [
        ("", date(2027, 1, 1), "Say why the framework changes"),
        ("Better.", None, "Give the date"),
        ("Better.", date(2025, 6, 1), "Version 1 takes effect on 01 Jan 2026: this one must take effect after it."),
    ],
)
def test_publishing_needs_a_rationale_and_a_date_after_the_version_in_force(
    tenant, admin, rationale, effective, message
):
    publish(tenant, admin, effective_from=date(2026, 1, 1))
    with tenant_context(tenant):
        draft = framework_draft_open(tenant=tenant, actor=admin)
        with pytest.raises(InvalidStateError, match=message):
            framework_publish(tenant=tenant, actor=admin, version=draft, rationale=rationale, effective_from=effective)
        assert FrameworkVersion.objects.get(pk=draft.pk).status == "draft"


def test_the_version_in_force_for_a_quarter_is_the_latest_effective_by_its_last_day(tenant, admin):
    first = publish(tenant, admin, effective_from=date(2025, 1, 1))
    second = publish(tenant, admin, effective_from=date(2026, 9, 30), rationale="Second.")
    with tenant_context(tenant):
        assert framework_in_force(tenant=tenant, quarter=date(2026, 4, 1)) == first
        assert framework_in_force(tenant=tenant, quarter=date(2026, 7, 1)) == second
        assert framework_in_force(tenant=tenant, quarter=date(2024, 10, 1)) is None


def test_only_an_admin_changes_the_framework(tenant):
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        framework_draft_open(tenant=tenant, actor=member(tenant, Role.EXECUTIVE))


def test_a_metric_threshold_follows_the_metrics_direction(tenant, admin):
    from tests.scorecards.factories import MetricFactory

    cycle = MetricFactory(tenant=tenant, key="sales_cycle_days", name="Sales cycle", unit="days", direction="lower")
    by_key = tiers(tenant)
    with tenant_context(tenant):
        draft = framework_draft_open(tenant=tenant, actor=admin)
        framework_draft_save(
            tenant=tenant,
            actor=admin,
            version=draft,
            criteria=[
                CriteriaInput(tier=by_key["silver"], min_score=Decimal(60), quarters_required=2, quarters_window=4),
                CriteriaInput(
                    tier=by_key["gold"],
                    min_score=Decimal(70),
                    quarters_required=3,
                    quarters_window=4,
                    metrics=(MetricInput(metric=cycle, threshold=Decimal(60)),),
                ),
                CriteriaInput(
                    tier=by_key["platinum"],
                    min_score=Decimal(80),
                    quarters_required=3,
                    quarters_window=4,
                    metrics=(MetricInput(metric=cycle, threshold=Decimal(45)),),
                ),
            ],
            grace_quarters=2,
            grace_visible_to_partner=False,
        )
        rows = {c.tier.key: c for c in criteria_rows(tenant=tenant, version=draft)}
    assert [m.comparison for m in rows["gold"].metrics.all()] == ["lte"]
    assert labels(tenant, draft)["platinum"][1] == "Sales cycle at most 45 days"


def test_tiers_are_edited_with_their_benefits_and_a_rank_is_held_by_one_tier(tenant, admin):
    by_key = tiers(tenant)
    with tenant_context(tenant):
        tier_update(tenant=tenant, actor=admin, tier=by_key["gold"], data={"mdf_share_pct": Decimal("5.5")})
        with pytest.raises(TierInvalidError, match="Silver already has rank 2"):
            tier_create(tenant=tenant, actor=admin, data={"key": "bronze", "name": "Bronze", "rank": 2})
        with pytest.raises(TierInvalidError):
            tier_update(tenant=tenant, actor=admin, tier=by_key["gold"], data={"discount_pct": Decimal(120)})
        diamond = tier_create(tenant=tenant, actor=admin, data={"key": "diamond", "name": "Diamond", "rank": 5})
        assert Tier.objects.get(pk=by_key["gold"].pk).mdf_share_pct == Decimal("5.5")
    assert diamond.rank == 5


def test_a_new_program_starts_with_four_tiers_and_the_default_awards(db):
    tenant = tenant_create(name="Gamma", slug="gamma", admin_user=UserFactory())
    with tenant_context(tenant):
        keys = list(Tier.objects.for_tenant(tenant).order_by("rank").values_list("key", flat=True))
        awards = set(AwardCategory.objects.for_tenant(tenant).values_list("name", "rule"))
    assert keys == ["registered", "silver", "gold", "platinum"]
    assert ("Partner of the quarter", "top_score_in_segment") in awards
    assert ("Best joint initiative", "top_metric") in awards
