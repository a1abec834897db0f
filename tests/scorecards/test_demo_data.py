from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from statistics import mean, median

import pytest
from django.db.models import Avg, Count, Sum
from django.db.models.functions import TruncMonth

from partnerhub.core.models import Partner, Role
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.demo.scorecard_templates import seed_templates
from partnerhub.demo.scorecards import seed_partner_data
from partnerhub.demo.seed import PROGRAMS, demo_partner_rows
from scorecards.domain.glossary_defaults import DEFAULT_METRICS
from scorecards.domain.target_limits import target_out_of_reach
from scorecards.models import (
    Activity,
    Deal,
    MetricDefinition,
    Observation,
    ScorecardSnapshot,
    SurveyResponse,
    TargetRule,
)
from scorecards.services.snapshots import snapshot_refresh
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import partners_of_every_tier

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 15)
FIRST_MONTH, LAST_MONTH = date(2024, 4, 1), date(2026, 3, 1)
REPORTED = sorted(spec.key for spec in DEFAULT_METRICS if not spec.derived_from_deals)
MODELS = (Deal, Observation, Activity, SurveyResponse)


@pytest.fixture
def partners(tenant):
    return partners_of_every_tier(tenant, member(tenant, Role.MANAGER), 20)


@pytest.fixture
def seeded(tenant, partners):
    return seed_partner_data(tenant, today=TODAY)


def counts(tenant):
    with tenant_context(tenant):
        return {model.__name__: model.objects.for_tenant(tenant).count() for model in MODELS}


def series(tenant, key):
    # {partner name: [monthly values, oldest first]} of one metric
    values = defaultdict(list)
    with tenant_context(tenant):
        rows = Observation.objects.for_tenant(tenant).filter(metric__key=key).order_by("partner__name", "month")
        for name, value in rows.values_list("partner__name", "value"):
            values[name].append(float(value))
    return values


def last_over_first(values):
    return mean(values[-3:]) / mean(values[:3])


def test_every_partner_gets_deals_observations_activities_and_surveys(tenant, partners, seeded):
    with tenant_context(tenant):
        per_model = {
            model.__name__: set(model.objects.for_tenant(tenant).values_list("partner_id", flat=True))
            for model in MODELS
        }
    assert per_model == {name: {p.pk for p in partners} for name in per_model}
    assert {k: seeded[k] for k in ("deals", "observations", "activities", "surveys")} == {
        "deals": counts(tenant)["Deal"],
        "observations": counts(tenant)["Observation"],
        "activities": counts(tenant)["Activity"],
        "surveys": counts(tenant)["SurveyResponse"],
    }


def test_every_partner_gets_about_fifty_deals_a_year(tenant, partners, seeded):
    with tenant_context(tenant):
        per_partner = dict(Deal.objects.for_tenant(tenant).values_list("partner_id").annotate(n=Count("id")))
    per_year = [n / 2 for n in per_partner.values()]
    assert 42 <= mean(per_year) <= 62
    assert 30 <= min(per_year) <= max(per_year) <= 80


def test_the_window_is_the_24_months_before_today(tenant, seeded):
    with tenant_context(tenant):
        months = set(Observation.objects.for_tenant(tenant).values_list("month", flat=True))
        first_deal = min(Deal.objects.for_tenant(tenant).values_list("created_on", flat=True))
    assert (min(months), max(months), len(months)) == (FIRST_MONTH, LAST_MONTH, 24)
    assert first_deal >= FIRST_MONTH


def test_every_reported_metric_has_a_value_for_each_of_the_24_months(tenant, partners, seeded):
    _, stale_key = seeded["stale"]
    with tenant_context(tenant):
        per_metric = dict(
            Observation.objects.for_tenant(tenant)
            .exclude(source="partner report")
            .values_list("metric__key")
            .annotate(n=Count("id"))
        )
    assert sorted(per_metric) == REPORTED
    assert {k: n for k, n in per_metric.items() if k != stale_key} == {k: 24 * 20 for k in REPORTED if k != stale_key}
    assert per_metric[stale_key] == 24 * 20 - 3


@pytest.mark.parametrize("key", ["revenue", "csat", "customer_retention", "partner_sentiment", "forecast_accuracy"])
def test_improving_declining_and_noise_partners_stand_apart_on_their_own_history(tenant, seeded, key):
    ratios = {name: last_over_first(values) for name, values in series(tenant, key).items()}
    improving = [ratios[name] for name in seeded["improving"]]
    declining = [ratios[name] for name in seeded["declining"]]
    noise = [r for name, r in ratios.items() if name not in seeded["improving"] + seeded["declining"]]
    assert (len(improving), len(declining), len(noise)) == (3, 3, 14)
    assert min(improving) > 1.05
    assert max(declining) < 0.95
    assert max(declining) < min(noise) <= max(noise) < min(improving)


def test_a_lower_is_better_metric_falls_for_the_improving_partners(tenant, seeded):
    ratios = {name: last_over_first(values) for name, values in series(tenant, "time_to_first_response").items()}
    assert max(ratios[name] for name in seeded["improving"]) < 0.85
    assert min(ratios[name] for name in seeded["declining"]) > 1.15


def test_one_partner_reports_a_pipeline_far_above_its_deals(tenant, seeded):
    with tenant_context(tenant):
        partner = Partner.objects.for_tenant(tenant).get(name=seeded["reconciliation"])
        reported = dict(
            Observation.objects.for_tenant(tenant)
            .filter(partner=partner, metric__key="pipeline_created")
            .values_list("month", "value")
        )
        from_deals = dict(
            Deal.objects.for_tenant(tenant)
            .filter(partner=partner)
            .annotate(month=TruncMonth("created_on"))
            .values_list("month")
            .annotate(total=Sum("amount"))
        )
    assert len(reported) == 24
    assert float(reported[LAST_MONTH]) > 2 * float(from_deals[LAST_MONTH])
    assert float(reported[FIRST_MONTH]) == pytest.approx(float(from_deals[FIRST_MONTH]), rel=0.02)


def test_one_partner_stopped_reporting_a_metric_three_months_ago(tenant, seeded):
    name, key = seeded["stale"]
    with tenant_context(tenant):
        months = Observation.objects.for_tenant(tenant).filter(partner__name=name, metric__key=key)
        assert max(months.values_list("month", flat=True)) == date(2025, 12, 1)


def test_one_partner_has_an_absurd_outlier_month(tenant, seeded):
    name, key = seeded["outlier"]
    values = series(tenant, key)[name]
    outlier = values[-2]
    assert outlier > 20 * median(values[:-2] + values[-1:])


def test_seeding_again_creates_nothing(tenant, seeded):
    before = counts(tenant)
    again = seed_partner_data(tenant, today=TODAY)
    assert counts(tenant) == before
    assert [again[k] for k in ("partners", "deals", "observations", "activities", "surveys")] == [0, 0, 0, 0, 0]


def test_the_same_program_and_day_give_the_same_data(tenant, seeded):
    def fingerprint():
        with tenant_context(tenant):
            deals = list(
                Deal.objects.for_tenant(tenant)
                .order_by("external_id")
                .values_list("external_id", "account_name", "amount", "status", "close_date", "discount_pct")
            )
            values = list(
                Observation.objects.for_tenant(tenant).order_by("partner", "metric", "month").values_list("value")
            )
            return deals, values

    first = fingerprint()
    with tenant_context(tenant):
        for model in (SurveyResponse, Activity, Observation, Deal):
            model.objects.for_tenant(tenant).delete()
    seed_partner_data(tenant, today=TODAY)
    assert fingerprint() == first


def test_seeding_writes_in_bulk_not_a_query_per_row(tenant, partners, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        made = seed_partner_data(tenant, today=TODAY)
    assert made["deals"] + made["observations"] > 5000


def test_a_partner_added_later_gets_data_and_the_others_are_left_alone(tenant, partners, seeded):
    before = counts(tenant)
    newcomer = PartnerFactory(tenant=tenant, name="Newcomer Labs", tier=Partner.Tier.GOLD)
    made = seed_partner_data(tenant, today=TODAY)
    with tenant_context(tenant):
        newcomer_deals = Deal.objects.for_tenant(tenant).filter(partner=newcomer).count()
    assert made["partners"] == 1
    assert counts(tenant)["Deal"] == before["Deal"] + newcomer_deals


def test_another_program_is_untouched(tenant, other_tenant, seeded):
    PartnerFactory(tenant=other_tenant, name="Beta Only Partner")
    assert counts(other_tenant) == {model.__name__: 0 for model in MODELS}


def test_deals_look_like_a_crm_export(tenant, partners, seeded):
    with tenant_context(tenant):
        deals = Deal.objects.for_tenant(tenant)
        statuses = dict(deals.values_list("status").annotate(n=Count("id")))
        registrations = set(deals.values_list("registration_status", flat=True))
        won_probabilities = set(deals.filter(status="won").values_list("probability", "stage"))
        lost_probabilities = set(deals.filter(status="lost").values_list("probability", "stage"))
        renewals = deals.filter(is_renewal=True).count()
        size_by_tier = dict(deals.values_list("partner__tier").annotate(a=Avg("amount")))
        prefixes = {external_id.split("-OPP-")[0] for external_id in deals.values_list("external_id", flat=True)}
        future_open = deals.filter(status="open", close_date__gt=TODAY).count()
    assert set(statuses) == {"won", "lost", "open"}
    assert registrations == {"", "pending", "approved", "rejected"}
    assert won_probabilities == {(100, "Closed Won")}
    assert lost_probabilities == {(0, "Closed Lost")}
    assert renewals > 0
    assert future_open == statuses["open"]
    assert size_by_tier["platinum"] > size_by_tier["gold"] > size_by_tier["silver"] > size_by_tier["registered"]
    assert prefixes == {p.external_id for p in partners}


def test_surveys_cover_customer_csat_partner_sentiment_and_collaboration_quality(tenant, seeded):
    with tenant_context(tenant):
        surveys = SurveyResponse.objects.for_tenant(tenant)
        kinds = set(surveys.values_list("survey", "respondent_type", "scale_max"))
        csat_deals = surveys.filter(survey="csat").values_list("deal__status", "deal__partner_id", "partner_id")
        assert {status for status, _, _ in csat_deals} == {"won"}
        assert all(deal_partner == partner for _, deal_partner, partner in csat_deals)
    assert kinds == {
        ("csat", "customer", 5),
        ("partner_sentiment", "partner", 10),
        ("collaboration_quality", "internal", 5),
    }


def test_activities_and_their_monthly_count_agree(tenant, seeded):
    with tenant_context(tenant):
        kinds = set(Activity.objects.for_tenant(tenant).values_list("kind", flat=True))
        logged = Activity.objects.for_tenant(tenant).count()
        reported = (
            Observation.objects.for_tenant(tenant).filter(metric__key="joint_activities").aggregate(s=Sum("value"))
        )
    assert kinds == set(Activity.Kind.values)
    assert int(reported["s"]) == logged


def test_the_catalog_is_seeded_when_missing(tenant, seeded):
    with tenant_context(tenant):
        assert MetricDefinition.objects.for_tenant(tenant).count() == len(DEFAULT_METRICS)


def test_each_metric_gets_a_data_owner_from_the_team_that_keeps_its_data(tenant, partners):
    admin = member(tenant, Role.ADMIN)
    marketing = member(tenant, Role.MANAGER, function="marketing")
    seed_partner_data(tenant, today=TODAY)
    with tenant_context(tenant):
        owners = dict(MetricDefinition.objects.for_tenant(tenant).values_list("key", "data_owner_id"))
    assert {owners["joint_activities"], owners["marketing_leads"]} == {marketing.pk}
    assert {owner for key, owner in owners.items() if key not in {"joint_activities", "marketing_leads"}} == {admin.pk}


def scored(tenant, today=TODAY):
    # What seed_demo does after the data: the templates (version 2 of the default 18 months in), then the snapshots.
    with tenant_context(tenant):
        seed_templates(tenant, member(tenant, Role.ADMIN), first_month=FIRST_MONTH, change_month=date(2025, 10, 1))
    snapshot_refresh(tenant=tenant, today=today)
    with tenant_context(tenant):
        latest = ScorecardSnapshot.objects.for_tenant(tenant).filter(period="month", period_start=LAST_MONTH)
        return {name: (rag, trend) for name, rag, trend in latest.values_list("partner__name", "rag", "trend")}


def shares(latest):
    rags = Counter(rag for rag, _ in latest.values())
    trends = Counter(trend for _, trend in latest.values())
    return {k: round(n / len(latest), 2) for k, n in (rags + trends).items()}


def test_the_demo_scorecards_mix_green_amber_and_red_and_all_three_trends(tenant, seeded):
    latest = scored(tenant)
    share = shares(latest)
    assert len(latest) == 20
    assert 0.25 <= share["green"] <= 0.5
    assert 0.25 <= share["amber"] <= 0.55
    assert share["red"] >= 0.1
    assert share["improving"] >= 0.1
    assert share["declining"] >= 0.1
    assert share["stable"] >= 0.5
    assert sum(latest[name][1] == "declining" for name in seeded["declining"]) >= 2
    assert sum(latest[name][1] == "improving" for name in seeded["improving"]) >= 2


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.slug for p in PROGRAMS])
def test_each_demo_programs_portfolio_shows_the_same_mix(tenant, program):
    manager = member(tenant, Role.MANAGER)
    with tenant_context(tenant):
        Partner.objects.bulk_create(demo_partner_rows(program, tenant, [manager], manager, manager))
    seed_partner_data(tenant, today=TODAY)

    share = shares(scored(tenant))

    assert 0.25 <= share["green"] <= 0.45
    assert 0.3 <= share["amber"] <= 0.5
    assert 0.1 <= share["red"] <= 0.3
    assert 0.1 <= share["improving"] <= 0.3
    assert 0.1 <= share["declining"] <= 0.3


def test_every_demo_target_is_within_its_metrics_reach_and_no_item_is_red_for_everyone(tenant, seeded):
    latest = scored(tenant)
    with tenant_context(tenant):
        targets = list(TargetRule.objects.for_tenant(tenant).values_list("item__metric__unit", "monthly_target"))
        items = ScorecardSnapshot.objects.for_tenant(tenant).filter(period="month", period_start=LAST_MONTH)
        rags = defaultdict(list)
        for snapshot_items in items.values_list("items", flat=True):
            for item in snapshot_items:
                if not item["missing"]:
                    rags[item["metric_id"]].append(item["rag"])
    assert latest
    assert [(unit, t) for unit, t in targets if target_out_of_reach(unit=unit, target=t) is not None] == []
    assert {metric for metric, values in rags.items() if set(values) == {"red"}} == set()
