from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.core.models import Partner
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import DataQualityFinding, DealReview, Observation, ScorecardSnapshot
from scorecards.services.snapshots import snapshot_refresh
from scorecards.tasks import snapshots as snapshot_tasks
from tests.factories import PartnerFactory, TenantFactory
from tests.scorecards.factories import DealFactory, MetricFactory, TemplateFactory, build_version, simple_scorecard

pytestmark = pytest.mark.django_db
TODAY = date(2025, 7, 10)
MONTHS = [date(2025, m, 1) for m in range(1, 7)]
STORED_FIELDS = (
    "template_version_id",
    "score",
    "rag",
    "percentile",
    "change_previous",
    "change_baseline",
    "trend",
    "trend_explanation",
    "dq_flag",
    "dq_reasons",
    "items",
    "fingerprint",
    "updated_at",
)


def _program(tenant, partners=3, months=MONTHS):
    metrics = [
        MetricFactory(tenant=tenant, key="revenue", name="Revenue"),
        MetricFactory(tenant=tenant, key="cycle", name="Cycle", direction="lower", aggregation="average"),
    ]
    version = simple_scorecard(tenant, metrics)
    people = [PartnerFactory(tenant=tenant, name=f"Partner {i:03d}") for i in range(partners)]
    with tenant_context(tenant):
        Observation.objects.bulk_create(
            Observation(
                tenant=tenant,
                partner=partner,
                metric=metric,
                month=month,
                value=Decimal(60 + 7 * i + 3 * m + (5 if metric.key == "cycle" else 0)),
            )
            for i, partner in enumerate(people)
            for m, month in enumerate(months)
            for metric in metrics
        )
    return metrics, version, people


def _stored(tenant):
    with tenant_context(tenant):
        return {
            (s.partner_id, s.period, s.period_start): tuple(getattr(s, f) for f in STORED_FIELDS)
            for s in ScorecardSnapshot.objects.all()
        }


def test_a_refresh_scores_every_partner_for_every_month_and_quarter_with_data(tenant):
    _, version, _ = _program(tenant)

    result = snapshot_refresh(tenant=tenant, today=TODAY)

    assert (result.partners, result.snapshots, result.written) == (3, 3 * 8, 3 * 8)
    assert result.reference_month == date(2025, 6, 1)
    with tenant_context(tenant):
        assert sorted({(s.period, s.period_start) for s in ScorecardSnapshot.objects.all()}) == sorted(
            [("month", m) for m in MONTHS] + [("quarter", date(2025, 1, 1)), ("quarter", date(2025, 4, 1))]
        )
        assert set(ScorecardSnapshot.objects.values_list("template_version_id", flat=True)) == {version.pk}


def test_a_second_refresh_with_the_same_data_writes_nothing(tenant):
    _program(tenant)
    snapshot_refresh(tenant=tenant, today=TODAY)
    before = _stored(tenant)

    again = snapshot_refresh(tenant=tenant, today=TODAY)

    assert (again.written, again.percentile_updates, again.deleted, again.unchanged) == (0, 0, 0, 24)
    assert _stored(tenant) == before


def test_a_refresh_of_one_partner_after_new_observations_leaves_what_a_full_refresh_would(tenant):
    metrics, _, people = _program(tenant, partners=4)
    snapshot_refresh(tenant=tenant, today=TODAY)
    with tenant_context(tenant):
        Observation.objects.filter(partner=people[0], metric=metrics[0], month=date(2025, 6, 1)).update(
            value=Decimal(500)
        )

    one = snapshot_refresh(tenant=tenant, partner_ids=[people[0].pk], today=TODAY)
    after_one = _stored(tenant)
    full = snapshot_refresh(tenant=tenant, today=TODAY)

    assert (one.partners, one.written) == (1, 2)  # June and the second quarter
    assert one.percentile_updates == 6  # the other three partners, in June and in the quarter, moved down one rank
    assert full.changed == 0
    assert _stored(tenant) == after_one


def test_a_refresh_of_one_partner_ranks_it_against_the_stored_scores_of_its_segment(tenant):
    _, _, people = _program(tenant, partners=4)
    other = PartnerFactory(tenant=tenant, name="Other segment", partner_type=Partner.Type.SI)
    snapshot_refresh(tenant=tenant, today=TODAY)
    with tenant_context(tenant):
        ScorecardSnapshot.objects.filter(partner=people[3]).delete()

    snapshot_refresh(tenant=tenant, partner_ids=[people[3].pk], today=TODAY)

    with tenant_context(tenant):
        june = {s.partner_id: s.percentile for s in ScorecardSnapshot.objects.filter(period_start=date(2025, 6, 1))}
    assert june == {people[0].pk: 12.5, people[1].pk: 37.5, people[2].pk: 62.5, people[3].pk: 87.5}
    assert other.pk not in june


def test_snapshots_whose_data_is_gone_are_deleted(tenant):
    _, _, people = _program(tenant)
    snapshot_refresh(tenant=tenant, today=TODAY)
    with tenant_context(tenant):
        Observation.objects.filter(partner=people[1]).delete()

    result = snapshot_refresh(tenant=tenant, today=TODAY)

    assert (result.deleted, result.snapshots) == (8, 16)
    with tenant_context(tenant):
        assert not ScorecardSnapshot.objects.filter(partner=people[1]).exists()


def test_a_month_under_way_is_not_scored(tenant):
    metrics, _, people = _program(tenant)
    with tenant_context(tenant):
        Observation.objects.create(
            tenant=tenant, partner=people[0], metric=metrics[0], month=date(2025, 7, 1), value=Decimal(1)
        )

    result = snapshot_refresh(tenant=tenant, today=TODAY)

    assert result.reference_month == date(2025, 6, 1)
    with tenant_context(tenant):
        assert not ScorecardSnapshot.objects.filter(period_start__gte=date(2025, 7, 1)).exists()


def test_a_new_version_rescores_only_the_periods_from_its_effective_date(tenant):
    metrics, first, _ = _program(tenant)
    snapshot_refresh(tenant=tenant, today=TODAY)
    before = _stored(tenant)
    second = build_version(
        first.template,
        number=2,
        effective_from=date(2025, 5, 1),
        items=[(metrics[0], 70, False, {("", ""): 90}), (metrics[1], 30, False, {("", ""): 70})],
    )

    result = snapshot_refresh(tenant=tenant, today=TODAY)

    after = _stored(tenant)
    rewritten = {key for key in after if after[key] != before[key]}
    assert rewritten == {
        (partner_id, period, start)
        for partner_id, period, start in after
        if (period == "month" and start >= date(2025, 5, 1)) or (period == "quarter" and start == date(2025, 4, 1))
    }
    assert {after[key][0] for key in rewritten} == {second.pk}
    assert result.written == len(rewritten)


def test_open_findings_flag_the_snapshots_of_their_partner_and_period(tenant):
    _, _, people = _program(tenant)
    with tenant_context(tenant):
        DataQualityFinding.objects.create(
            tenant=tenant, partner=people[2], kind="stale", month=date(2025, 5, 1), detail="Stale export."
        )

    snapshot_refresh(tenant=tenant, today=TODAY)

    with tenant_context(tenant):
        flagged = {(s.period, s.period_start): s.dq_reasons for s in ScorecardSnapshot.objects.filter(dq_flag=True)}
    assert flagged == {("month", date(2025, 5, 1)): ["Stale export."], ("quarter", date(2025, 4, 1)): ["Stale export."]}


def test_a_refresh_touches_only_its_own_tenant(tenant, other_tenant):
    _program(tenant)
    _program(other_tenant, partners=2)
    snapshot_refresh(tenant=other_tenant, today=TODAY)
    theirs = _stored(other_tenant)

    snapshot_refresh(tenant=tenant, today=TODAY)

    assert _stored(other_tenant) == theirs
    assert len(_stored(tenant)) == 24


@pytest.mark.parametrize("partner_ids", [None, "one"])
def test_the_number_of_statements_does_not_grow_with_the_number_of_partners(partner_ids):
    counts = []
    for partners in (10, 100):
        tenant = TenantFactory(slug=f"program-{partners}")
        _, _, people = _program(tenant, partners=partners)
        snapshot_refresh(tenant=tenant, today=TODAY)
        with tenant_context(tenant):
            Observation.objects.filter(partner=people[0], month=date(2025, 6, 1)).update(value=Decimal(1))
        ids = None if partner_ids is None else [people[0].pk]
        with CaptureQueriesContext(connection) as queries:
            result = snapshot_refresh(tenant=tenant, partner_ids=ids, today=TODAY)
        assert result.changed > 0
        counts.append((len(queries), result.statements))
    assert counts[0] == counts[1]


def test_a_segment_template_wins_over_the_default_and_targets_follow_tier_and_stage(tenant):
    metrics, _, people = _program(tenant, partners=2)
    with tenant_context(tenant):
        Partner.objects.filter(pk=people[1].pk).update(partner_type=Partner.Type.SI, tier=Partner.Tier.GOLD)
    template = TemplateFactory(tenant=tenant, name="SI", partner_type=Partner.Type.SI)
    si = build_version(
        template,
        number=1,
        effective_from=date(2025, 1, 1),
        items=[(metrics[0], 100, False, {("", ""): 100, ("gold", ""): 50, ("silver", "growth"): 10})],
    )

    snapshot_refresh(tenant=tenant, today=TODAY)

    with tenant_context(tenant):
        jan = ScorecardSnapshot.objects.get(partner=people[1], period="month", period_start=date(2025, 1, 1))
        other = ScorecardSnapshot.objects.get(partner=people[0], period="month", period_start=date(2025, 1, 1))
    assert jan.template_version_id == si.pk
    assert (jan.items[0]["target"], jan.items[0]["actual"], jan.items[0]["attainment"]) == (50.0, 67.0, 134.0)
    assert other.template_version_id != si.pk


def test_the_deal_quality_metric_is_the_mean_rubric_quality_of_the_reviewed_deals_of_the_period(tenant):
    quality = MetricFactory(
        tenant=tenant, key="deal_quality", name="Deal quality", aggregation="average", derived_from_deals=True
    )
    simple_scorecard(tenant, [quality], target=4)
    partner = PartnerFactory(tenant=tenant, name="Reviewed")
    for created_on, score in [(date(2025, 4, 3), 3.0), (date(2025, 4, 20), 4.0), (date(2025, 6, 9), 5.0)]:
        deal = DealFactory(tenant=tenant, partner=partner, amount=Decimal(90000), created_on=created_on)
        with tenant_context(tenant):
            DealReview.objects.create(
                tenant=tenant,
                deal=deal,
                partner=partner,
                pricing_integrity=3,
                discount_discipline=3,
                contract_terms=3,
                renewal_risk=3,
                technical_risk=3,
                quality=Decimal(str(score)),
            )

    snapshot_refresh(tenant=tenant, today=TODAY)

    with tenant_context(tenant):
        rows = ScorecardSnapshot.objects.filter(partner=partner).values_list("period", "period_start", "items")
        actuals = {(period, start): items[0]["actual"] for period, start, items in rows}
    assert actuals[("month", date(2025, 4, 1))] == 3.5
    assert actuals[("month", date(2025, 5, 1))] is None
    assert actuals[("month", date(2025, 6, 1))] == 5.0
    assert actuals[("quarter", date(2025, 4, 1))] == 4.0  # the quarter's three deals, not the mean of two months


def test_the_task_refreshes_its_tenant_in_process(tenant):
    _program(tenant)

    result = snapshot_tasks.snapshot_refresh_task(tenant_id=tenant.pk)

    assert result["tenant_id"] == tenant.pk
    assert result["written"] > 0
    assert result["finished_at"] >= result["started_at"] >= result["requested_at"]


def test_the_nightly_task_queues_one_refresh_per_tenant(tenant, other_tenant, monkeypatch):
    queued = []
    monkeypatch.setattr(snapshot_tasks.snapshot_refresh_task, "delay", lambda **kwargs: queued.append(kwargs))

    assert snapshot_tasks.snapshot_refresh_nightly_task() == 2
    assert sorted(q["tenant_id"] for q in queued) == sorted([tenant.pk, other_tenant.pk])
