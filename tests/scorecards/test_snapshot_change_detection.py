"""A refresh recomputes only the partners whose inputs changed (scorecards.domain.input_digest).

Each kind of input is changed for one partner: the refresh reads and scores that partner alone, rewrites only its
snapshots (its segment peers may see their percentile move, nothing else), and leaves exactly what a refresh from
nothing would. What is not an input of a snapshot (activities, surveys, the deal-review threshold, a partner's name)
changes nothing; a refresh with nothing changed writes nothing, not even the stored digests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from partnerhub.core.models import Partner
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import (
    DataQualityFinding,
    Deal,
    DealReview,
    Observation,
    ScorecardSettings,
    ScorecardSnapshot,
    SnapshotSource,
    TargetRule,
)
from scorecards.services import snapshots as snapshot_service
from scorecards.services.snapshots import snapshot_refresh
from tests.factories import PartnerFactory
from tests.scorecards.factories import (
    ActivityFactory,
    DealFactory,
    MetricFactory,
    SurveyResponseFactory,
    TemplateFactory,
    build_version,
)

pytestmark = pytest.mark.django_db
TODAY = date(2025, 7, 10)
MONTHS = [date(2025, m, 1) for m in range(1, 7)]
CONTENT = (
    "months_covered",
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
)


class Program:
    """Four resellers in growth (one segment) and one SI, scored on revenue (observed, normalised), pipeline
    created and win rate (from deals) and deal quality (from deal reviews), with targets by tier."""

    def __init__(self, tenant: Any) -> None:
        self.tenant = tenant
        self.revenue = MetricFactory(tenant=tenant, key="revenue", name="Revenue")
        self.pipeline = MetricFactory(
            tenant=tenant, key="pipeline_created", name="Pipeline created", derived_from_deals=True
        )
        self.win_rate = MetricFactory(
            tenant=tenant, key="win_rate", name="Win rate", aggregation="average", derived_from_deals=True
        )
        self.quality = MetricFactory(
            tenant=tenant, key="deal_quality", name="Deal quality", aggregation="average", derived_from_deals=True
        )
        template = TemplateFactory(tenant=tenant, name="Default", is_default=True)
        self.version = build_version(
            template,
            number=1,
            effective_from=date(2024, 1, 1),
            items=[
                (self.revenue, 40, True, {("", ""): 100, ("gold", ""): 150}),
                (self.pipeline, 20, False, {("", ""): 20000}),
                (self.win_rate, 20, False, {("", ""): 60}),
                (self.quality, 20, False, {("", ""): 4}),
            ],
        )
        self.partners = [PartnerFactory(tenant=tenant, name=f"Reseller {i}") for i in range(4)]
        self.partners.append(PartnerFactory(tenant=tenant, name="Integrator", partner_type=Partner.Type.SI))
        with tenant_context(tenant):
            Observation.objects.bulk_create(
                Observation(
                    tenant=tenant,
                    partner=partner,
                    metric=self.revenue,
                    month=month,
                    value=Decimal(70 + 9 * i + 4 * m + (m * i) % 5),
                )
                for i, partner in enumerate(self.partners)
                for m, month in enumerate(MONTHS)
            )
        for i, partner in enumerate(self.partners):
            for m, month in enumerate(MONTHS):
                won = DealFactory(
                    tenant=tenant,
                    partner=partner,
                    amount=Decimal(9000 + 1000 * i + 700 * m),
                    created_on=month + timedelta(days=3),
                    close_date=month + timedelta(days=20),
                    status=Deal.Status.WON,
                )
                DealFactory(tenant=tenant, partner=partner, amount=Decimal(5000 + 300 * m), created_on=month)
                with tenant_context(tenant):
                    DealReview.objects.create(
                        tenant=tenant,
                        deal=won,
                        partner=partner,
                        pricing_integrity=3 + (i + m) % 3,
                        discount_discipline=3,
                        contract_terms=4,
                        renewal_risk=3,
                        technical_risk=3,
                        quality=Decimal(str(3.2 + 0.2 * ((i + m) % 3))),
                    )

    def target(self) -> Partner:
        return self.partners[1]


def _content(tenant: Any) -> dict[tuple[int, str, date], tuple[Any, ...]]:
    with tenant_context(tenant):
        return {
            (s.partner_id, s.period, s.period_start): tuple(getattr(s, f) for f in CONTENT)
            for s in ScorecardSnapshot.objects.all()
        }


def _rows(tenant: Any) -> dict[tuple[int, str, date], tuple[Any, ...]]:
    """The stored rows with their write times: a row rewritten or updated shows a new ``updated_at``."""
    with tenant_context(tenant):
        return {
            (s.partner_id, s.period, s.period_start): (*(getattr(s, f) for f in CONTENT), s.updated_at)
            for s in ScorecardSnapshot.objects.all()
        }


def _sources(tenant: Any) -> dict[int, tuple[int, int, int, Any]]:
    with tenant_context(tenant):
        return {s.partner_id: (s.digest, s.program, s.snapshots, s.updated_at) for s in SnapshotSource.objects.all()}


def _from_nothing(tenant: Any) -> dict[tuple[int, str, date], tuple[Any, ...]]:
    """What a refresh from no snapshots (a new program) stores for the same data."""
    with tenant_context(tenant):
        SnapshotSource.objects.all().delete()
        ScorecardSnapshot.objects.all().delete()
    snapshot_refresh(tenant=tenant, today=TODAY)
    return _content(tenant)


@pytest.fixture
def program(tenant: Any) -> Program:
    world = Program(tenant)
    snapshot_refresh(tenant=tenant, today=TODAY)
    return world


# --- the kinds of input, each changed for one partner ---


def _observation_changed(p: Program, partner: Partner) -> None:
    Observation.objects.filter(partner=partner, month=date(2025, 5, 1)).update(value=Decimal("131.5"))


def _observation_removed(p: Program, partner: Partner) -> None:
    Observation.objects.filter(partner=partner, month=date(2025, 3, 1)).delete()


def _observation_added(p: Program, partner: Partner) -> None:
    Observation.objects.create(
        tenant=p.tenant, partner=partner, metric=p.revenue, month=date(2024, 12, 1), value=Decimal(90)
    )


def _deal_amount_changed(p: Program, partner: Partner) -> None:
    Deal.objects.filter(partner=partner, created_on=date(2025, 4, 1)).update(amount=Decimal("25000.00"))


def _deal_added(p: Program, partner: Partner) -> None:
    DealFactory(tenant=p.tenant, partner=partner, amount=Decimal(12000), created_on=date(2025, 6, 12))


def _deal_closed(p: Program, partner: Partner) -> None:
    Deal.objects.filter(partner=partner, created_on=date(2025, 2, 1)).update(
        status=Deal.Status.LOST, close_date=date(2025, 3, 2)
    )


def _review_changed(p: Program, partner: Partner) -> None:
    DealReview.objects.filter(partner=partner, deal__created_on=date(2025, 6, 4)).update(quality=Decimal("1.40"))


def _finding_opened(p: Program, partner: Partner) -> None:
    DataQualityFinding.objects.create(
        tenant=p.tenant, partner=partner, kind="stale", month=date(2025, 4, 1), detail="The April export is stale."
    )


def _finding_on_a_scored_metric_opened(p: Program, partner: Partner) -> None:
    DataQualityFinding.objects.create(
        tenant=p.tenant,
        partner=partner,
        metric=p.revenue,
        kind="outlier",
        month=date(2025, 2, 1),
        detail="Revenue jumped.",
    )


def _tier_changed(p: Program, partner: Partner) -> None:
    Partner.objects.filter(pk=partner.pk).update(tier=Partner.Tier.GOLD)


def _size_factor_changed(p: Program, partner: Partner) -> None:
    Partner.objects.filter(pk=partner.pk).update(size_factor=Decimal("1.60"))


def _baseline_month_set(p: Program, partner: Partner) -> None:
    Partner.objects.filter(pk=partner.pk).update(baseline_month=date(2025, 2, 1))


def _segment_changed(p: Program, partner: Partner) -> None:
    Partner.objects.filter(pk=partner.pk).update(partner_type=Partner.Type.SI)


INPUTS: dict[str, Callable[[Program, Partner], None]] = {
    "observation changed": _observation_changed,
    "observation removed": _observation_removed,
    "observation added": _observation_added,
    "deal amount changed": _deal_amount_changed,
    "deal added": _deal_added,
    "deal closed": _deal_closed,
    "deal review changed": _review_changed,
    "finding opened": _finding_opened,
    "finding on a scored metric opened": _finding_on_a_scored_metric_opened,
    "tier changed": _tier_changed,
    "size factor changed": _size_factor_changed,
    "baseline month set": _baseline_month_set,
    "segment changed": _segment_changed,
}


@pytest.mark.parametrize("change", list(INPUTS), ids=list(INPUTS))
def test_a_change_to_one_partners_input_recomputes_and_rewrites_that_partner_alone(program, change):
    tenant, partner = program.tenant, program.target()
    before = _rows(tenant)
    with tenant_context(tenant):
        INPUTS[change](program, partner)

    result = snapshot_refresh(tenant=tenant, today=TODAY)

    after = _rows(tenant)
    assert result.recomputed == 1
    moved = {key for key in set(before) | set(after) if before.get(key) != after.get(key)}
    assert {key[0] for key in moved} >= {partner.pk}  # its own snapshots changed
    percentile = CONTENT.index("percentile")
    rewritten = {
        key
        for key in moved
        if key not in before
        or key not in after
        or before[key][:percentile] + before[key][percentile + 1 : -1]
        != after[key][:percentile] + after[key][percentile + 1 : -1]
    }
    # Of anyone else, at most the percentile moved (a move to another segment may change nothing but the percentile).
    assert {key[0] for key in rewritten} == ({partner.pk} if change != "segment changed" else set())
    assert result.written + result.deleted == len(rewritten)
    assert result.unchanged + result.written + result.percentile_updates == result.snapshots == len(after)
    assert _content(tenant) == _from_nothing(tenant)


@pytest.mark.parametrize("change", list(INPUTS), ids=list(INPUTS))
def test_a_refresh_of_the_changed_partner_alone_finds_the_same(program, change):
    tenant, partner = program.tenant, program.target()
    with tenant_context(tenant):
        INPUTS[change](program, partner)

    one = snapshot_refresh(tenant=tenant, partner_ids=[partner.pk], today=TODAY)
    full = snapshot_refresh(tenant=tenant, today=TODAY)

    assert (one.recomputed, full.recomputed, full.written, full.deleted) == (1, 0, 0, 0)
    if change != "segment changed":  # a move re-ranks the segment it left at the next refresh of the whole tenant
        assert full.percentile_updates == 0


# --- what is not an input ---


def _activity_added(p: Program, partner: Partner) -> None:
    ActivityFactory(tenant=p.tenant, partner=partner, date=date(2025, 3, 3))


def _survey_answered(p: Program, partner: Partner) -> None:
    SurveyResponseFactory(tenant=p.tenant, partner=partner, date=date(2025, 4, 4))


def _review_threshold_changed(p: Program, partner: Partner) -> None:
    ScorecardSettings.objects.update_or_create(tenant=p.tenant, defaults={"deal_review_threshold": Decimal(1)})


def _partner_renamed(p: Program, partner: Partner) -> None:
    Partner.objects.filter(pk=partner.pk).update(name="Renamed reseller")


def _deal_of_the_month_under_way(p: Program, partner: Partner) -> None:
    DealFactory(tenant=p.tenant, partner=partner, amount=Decimal(50000), created_on=date(2025, 7, 2))


def _finding_resolved_elsewhere(p: Program, partner: Partner) -> None:
    pass  # (nothing at all: the refresh with nothing changed)


NOT_INPUTS: dict[str, Callable[[Program, Partner], None]] = {
    "nothing": _finding_resolved_elsewhere,
    "activity added": _activity_added,
    "survey answered": _survey_answered,
    "deal-review threshold changed": _review_threshold_changed,
    "partner renamed": _partner_renamed,
    "deal created in the month under way": _deal_of_the_month_under_way,
}


@pytest.mark.parametrize("change", list(NOT_INPUTS), ids=list(NOT_INPUTS))
def test_a_refresh_after_no_change_to_any_input_reads_no_partner_and_writes_nothing(program, change):
    tenant, partner = program.tenant, program.target()
    before, sources = _rows(tenant), _sources(tenant)
    with tenant_context(tenant):
        NOT_INPUTS[change](program, partner)

    result = snapshot_refresh(tenant=tenant, today=TODAY)

    assert (result.recomputed, result.changed) == (0, 0)
    assert (result.partners, result.snapshots, result.unchanged) == (5, len(before), len(before))
    assert _rows(tenant) == before
    assert _sources(tenant) == sources


# --- what every partner shares, and the stored state itself ---


def test_a_changed_target_recomputes_every_partner_and_rewrites_only_the_snapshots_that_differ(program):
    tenant = program.tenant
    before = _rows(tenant)
    with tenant_context(tenant):
        TargetRule.objects.filter(item__metric=program.revenue, tier="gold").update(monthly_target=Decimal(170))

    untouched = snapshot_refresh(tenant=tenant, today=TODAY)  # nobody is gold: no snapshot differs
    with tenant_context(tenant):
        TargetRule.objects.filter(item__metric=program.revenue, tier="").update(monthly_target=Decimal(110))
    everyone = snapshot_refresh(tenant=tenant, today=TODAY)

    assert (untouched.recomputed, untouched.changed) == (5, 0)
    assert everyone.recomputed == 5
    assert everyone.written == len(before)
    assert _content(tenant) == _from_nothing(tenant)


def test_a_change_to_the_engine_recomputes_every_partner_once(program, monkeypatch):
    monkeypatch.setattr(snapshot_service, "ENGINE_CODE", snapshot_service.ENGINE_CODE + 1)

    first = snapshot_refresh(tenant=program.tenant, today=TODAY)
    second = snapshot_refresh(tenant=program.tenant, today=TODAY)

    assert (first.recomputed, first.changed) == (5, 0)
    assert (second.recomputed, second.changed) == (0, 0)


def test_snapshots_removed_by_other_means_are_rebuilt(program):
    tenant, partner = program.tenant, program.target()
    expected = _content(tenant)
    with tenant_context(tenant):
        ScorecardSnapshot.objects.filter(partner=partner, period="quarter").delete()

    result = snapshot_refresh(tenant=tenant, today=TODAY)

    assert (result.recomputed, result.written) == (1, 2)
    assert _content(tenant) == expected


def test_a_deleted_partner_leaves_its_segment_re_ranked(program):
    tenant, partner = program.tenant, program.target()
    with tenant_context(tenant):
        Partner.objects.filter(pk=partner.pk).delete()

    result = snapshot_refresh(tenant=tenant, today=TODAY)

    assert result.recomputed == 0
    assert result.percentile_updates > 0
    assert _content(tenant) == _from_nothing(tenant)


def test_a_partner_without_data_is_recorded_and_then_skipped(program):
    tenant = program.tenant
    quiet = PartnerFactory(tenant=tenant, name="No data yet")

    first = snapshot_refresh(tenant=tenant, today=TODAY)
    second = snapshot_refresh(tenant=tenant, today=TODAY)

    assert (first.recomputed, first.changed) == (1, 0)
    assert (second.recomputed, second.changed) == (0, 0)
    assert _sources(tenant)[quiet.pk][2] == 0
