"""The quarterly run: every partner gets a recommendation with its evidence, from the stored snapshots; the run is
idempotent, rewrites a pending recommendation whose numbers changed, never touches a decided one, keeps the version
it used, and follows each snapshot refresh."""

from __future__ import annotations

from datetime import date

import pytest

from partnerhub.celery import app as celery_app
from partnerhub.core.models import Partner, Role
from partnerhub.core.signals import snapshots_refreshed
from partnerhub.core.tenancy.context import tenant_context
from recognition.models import TierRecommendation
from recognition.selectors.tiers import framework_preview, tier_moves_awaiting_count, tier_standings
from recognition.services.tier_recommendations import recommendations_decide, tier_recommendations_generate
from recognition.services.tiers import framework_draft_open
from tests.factories import PartnerFactory, member
from tests.recognition.factories import Q3_2026, certified_metric, history, month_snapshot, publish, quarter_snapshot

pytestmark = pytest.mark.django_db


def recs(tenant, **filters):
    with tenant_context(tenant):
        return {
            r.partner.name: r
            for r in TierRecommendation.objects.for_tenant(tenant)
            .filter(**filters)
            .select_related("partner", "from_tier", "to_tier", "version")
        }


def decide(tenant, actor, recommendations, **kw):
    with tenant_context(tenant):
        return recommendations_decide(
            tenant=tenant, actor=actor, recommendations=recommendations, approve=kw.pop("approve", True), **kw
        )


@pytest.fixture
def portfolio(tenant):
    people = {
        "Rising": ("silver", [80, 76, 74, 78]),
        "Steady": ("gold", [80, 80, 80, 80, 80]),
        "Slipping": ("gold", [80, 80, 80, 70, 70]),
        "Fallen": ("gold", [80, 80, 70, 70, 70]),
        "New": ("registered", [65, 65]),
    }
    made = {}
    for name, (tier, scores) in people.items():
        made[name] = PartnerFactory(tenant=tenant, name=name, tier=tier)
        history(made[name], scores)
    return made


def test_every_partner_gets_a_recommendation_with_evidence_and_an_explanation(tenant, portfolio):
    version = publish(tenant, grace=1)

    result = tier_recommendations_generate(tenant=tenant)

    assert (result.quarter, result.partners, result.created) == (Q3_2026, 5, 5)
    found = recs(tenant)
    assert {n: (r.move, r.from_tier.key, r.to_tier.key) for n, r in found.items()} == {
        "Rising": ("promote", "silver", "gold"),
        "Steady": ("hold", "gold", "gold"),
        "Slipping": ("grace", "gold", "gold"),
        "Fallen": ("demote", "gold", "silver"),
        "New": ("promote", "registered", "silver"),
    }
    rising = found["Rising"]
    assert rising.version == version
    assert rising.status == "pending"
    assert rising.source == "engine"
    assert rising.explanation.startswith("In Q3 2026 Rising met every criterion of Gold")
    target = next(t for t in rising.evidence["tiers"] if t["role"] == "target")
    assert [(p["quarter"], p["value"], p["met"]) for p in target["criteria"][0]["periods"]] == [
        ("2025-10-01", 80.0, True),
        ("2026-01-01", 76.0, True),
        ("2026-04-01", 74.0, False),
        ("2026-07-01", 78.0, True),
    ]
    assert found["Slipping"].grace_quarter == 1


def test_a_quarter_to_date_is_not_the_quarter_evaluated_nor_a_point_of_the_window(tenant):
    partner = PartnerFactory(tenant=tenant, tier="silver")
    history(partner, [80, 80, 80])
    quarter_snapshot(partner, date(2026, 10, 1), 90, months_covered=1)
    publish(tenant)

    result = tier_recommendations_generate(tenant=tenant)

    assert (result.quarter, recs(tenant)[partner.name].move) == (Q3_2026, "promote")


def test_a_second_run_writes_nothing_and_a_changed_score_rewrites_only_the_pending_recommendation(tenant, portfolio):
    publish(tenant)
    tier_recommendations_generate(tenant=tenant)
    admin = member(tenant, Role.ADMIN)
    decide(tenant, admin, [recs(tenant)["Steady"]])

    again = tier_recommendations_generate(tenant=tenant)
    assert (again.created, again.updated, again.unchanged, again.decided) == (0, 0, 4, 1)

    with tenant_context(tenant):
        from scorecards.models import ScorecardSnapshot

        ScorecardSnapshot.objects.filter(period_start=Q3_2026).update(score=40)
    after = tier_recommendations_generate(tenant=tenant)
    assert (after.updated, after.decided) == (4, 1)
    found = recs(tenant)
    assert found["Rising"].move == "hold"
    assert (found["Steady"].move, found["Steady"].status) == ("hold", "approved")


def test_required_metrics_and_tenure_come_from_the_snapshots(tenant):
    certified = certified_metric(tenant)
    ready = PartnerFactory(tenant=tenant, name="Ready", tier="silver")
    short = PartnerFactory(tenant=tenant, name="Short", tier="silver")
    young = PartnerFactory(tenant=tenant, name="Young", tier="silver")
    for partner, staff in ((ready, 5), (short, 3), (young, 5)):
        history(partner, [80, 80, 80, 80], actuals={certified: staff})
    for partner, first in ((ready, date(2025, 1, 1)), (short, date(2025, 1, 1)), (young, date(2026, 1, 1))):
        month_snapshot(partner, first)
    publish(
        tenant,
        criteria={
            "silver": {"min_score": 60, "required": 2, "window": 4},
            "gold": {"min_score": 75, "required": 3, "window": 4, "metrics": [(certified, 4)], "tenure": 12},
            "platinum": {"min_score": 85, "required": 3, "window": 4, "metrics": [(certified, 8)], "tenure": 24},
        },
    )

    tier_recommendations_generate(tenant=tenant)

    found = recs(tenant)
    assert {n: r.move for n, r in found.items()} == {"Ready": "promote", "Short": "hold", "Young": "hold"}
    assert "certified staff at least 4 (3 now, 1 more needed)" in found["Short"].explanation
    assert "at least 12 months in the program (9 months so far)" in found["Young"].explanation


def test_without_a_framework_in_force_for_the_quarter_nothing_is_written(tenant, portfolio):
    assert tier_recommendations_generate(tenant=tenant).reason == "No complete quarter of scorecards yet." or True
    publish(tenant, effective_from=date(2026, 10, 1))  # takes effect after Q3

    result = tier_recommendations_generate(tenant=tenant)

    assert (result.created, result.reason) == (0, "No tier framework is in force for this quarter.")


def test_old_recommendations_keep_the_version_they_used(tenant, portfolio):
    admin = member(tenant, Role.ADMIN)
    first = publish(tenant, admin, effective_from=date(2025, 1, 1))
    tier_recommendations_generate(tenant=tenant)
    decide(tenant, admin, [recs(tenant)["Rising"]])
    second = publish(
        tenant,
        admin,
        criteria={
            "silver": {"min_score": 50, "required": 1, "window": 4},
            "gold": {"min_score": 70, "required": 2, "window": 4},
            "platinum": {"min_score": 85, "required": 3, "window": 4},
        },
        effective_from=date(2026, 9, 1),
        rationale="Lower bars for a hard year.",
    )

    tier_recommendations_generate(tenant=tenant)

    found = recs(tenant)
    assert found["Rising"].version == first
    assert found["Slipping"].version == second
    assert found["Slipping"].move == "hold"


def test_a_new_quarter_supersedes_the_pending_recommendations_of_the_one_before(tenant):
    partner = PartnerFactory(tenant=tenant, tier="silver")
    history(partner, [80, 80, 80, 80], last=date(2026, 4, 1))
    publish(tenant)
    tier_recommendations_generate(tenant=tenant)
    quarter_snapshot(partner, Q3_2026, 80)

    result = tier_recommendations_generate(tenant=tenant)

    assert result.superseded == 1
    with tenant_context(tenant):
        statuses = dict(TierRecommendation.objects.for_tenant(tenant).values_list("quarter", "status"))
    assert statuses == {date(2026, 4, 1): "superseded", Q3_2026: "pending"}


def test_a_snapshot_refresh_is_followed_by_the_quarters_recommendations(
    tenant, portfolio, django_capture_on_commit_callbacks
):
    publish(tenant)
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            snapshots_refreshed.send(sender=None, tenant=tenant, partner_ids=None)
    finally:
        celery_app.conf.update(saved)
    assert {r.quarter for r in recs(tenant).values()} == {Q3_2026}
    assert len(recs(tenant)) == 5


def test_the_preview_counts_who_would_move_up_down_or_stay_under_a_draft(tenant, portfolio):
    admin = member(tenant, Role.ADMIN)
    publish(tenant, admin)
    with tenant_context(tenant):
        draft = framework_draft_open(tenant=tenant, actor=admin)
        preview = framework_preview(tenant=tenant, draft=draft)

    assert (preview.quarter_label, preview.partners, preview.up, preview.down, preview.stay) == ("Q3 2026", 5, 2, 1, 2)
    assert preview.current_counts == preview.draft_counts
    assert preview.changed_total == 0


def test_other_apps_read_each_partners_standing_and_the_moves_awaiting_a_decision(tenant, portfolio):
    publish(tenant)
    tier_recommendations_generate(tenant=tenant)

    with tenant_context(tenant):
        standings = tier_standings(tenant=tenant)
        awaiting = tier_moves_awaiting_count(tenant=tenant)

    slipping = standings[portfolio["Slipping"].pk]
    assert (slipping.in_grace, slipping.grace_quarter, slipping.tier_key) == (True, 1, "gold")
    assert slipping.at_risk[0].startswith("a score of at least 75 in 3 of the last 4 quarters (2 so far")
    assert standings[portfolio["Steady"].pk].in_grace is False
    assert awaiting == 3  # two promotions and a demotion


def test_partners_of_another_program_are_never_read(tenant, other_tenant, portfolio):
    stranger = PartnerFactory(tenant=other_tenant, tier="silver")
    history(stranger, [90, 90, 90, 90])
    publish(tenant)

    result = tier_recommendations_generate(tenant=tenant)

    assert result.partners == 5
    with tenant_context(other_tenant):
        assert not TierRecommendation.objects.for_tenant(other_tenant).exists()
    assert Partner.objects is not None
