"""data_quality_run and finding_resolve on real PostgreSQL: findings, owners, idempotency, resolution, queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.core.errors import CrossTenantReferenceError, InvalidStateError, PermissionDeniedError
from partnerhub.core.models import AuditEntry, Partner, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import DataQualityFinding, MetricDefinition, Observation
from scorecards.services.data_quality import data_quality_run, finding_resolve
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import FindingFactory, World, build, observe, series

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 20)  # reference month: 2026-09 (build() sets up one problem of each kind up to then)
SEP = date(2026, 9, 1)
AUG = date(2026, 8, 1)


@pytest.fixture
def world(tenant):
    return build(tenant)


def findings(tenant: Tenant, **filters) -> list[DataQualityFinding]:
    with tenant_context(tenant):
        return list(
            DataQualityFinding.objects.for_tenant(tenant)
            .select_related("partner", "metric")
            .filter(**filters)
            .order_by("id")
        )


def table(tenant: Tenant) -> list[tuple]:
    with tenant_context(tenant):
        return list(DataQualityFinding.objects.for_tenant(tenant).order_by("id").values_list())


def open_keys(tenant: Tenant) -> set[tuple[str, str, str, date]]:
    return {
        (f.partner.name, f.metric.key, f.kind, f.month) for f in findings(tenant, status=DataQualityFinding.Status.OPEN)
    }


def set_value(world: World, partner: Partner, metric: MetricDefinition, month: date, value: str) -> None:
    with tenant_context(world.tenant):
        Observation.objects.for_tenant(world.tenant).filter(partner=partner, metric=metric, month=month).update(
            value=Decimal(value)
        )


def cedar_finding(world: World) -> DataQualityFinding:
    (finding,) = findings(world.tenant, partner=world.cedar)
    return finding


# --- what a run finds, and who owns it ---


def test_a_run_records_one_open_finding_per_problem(world):
    result = data_quality_run(tenant=world.tenant, today=TODAY)
    assert open_keys(world.tenant) == {
        ("Acme", "revenue", "outlier", SEP),
        ("Birch", "revenue", "stale", AUG),
        ("Birch", "revenue", "missing", AUG),
        ("Birch", "revenue", "missing", SEP),
        ("Cedar", "pipeline_created", "reconciliation", SEP),
    }
    assert (result.created, result.open, result.reference_month) == (5, 5, SEP)
    assert result.open_by_kind == {"stale": 1, "missing": 2, "outlier": 1, "reconciliation": 1, "duplicate": 0}


def test_the_sentence_of_a_finding_gives_the_numbers(world):
    data_quality_run(tenant=world.tenant, today=TODAY)
    assert cedar_finding(world).detail == "Reported pipeline 120,000 vs 84,500 from deals (\u221230 %) in 2026-09."


def test_the_owner_is_the_partners_data_steward(world):
    data_quality_run(tenant=world.tenant, today=TODAY)
    assert {f.owner_id for f in findings(world.tenant, partner=world.acme)} == {world.steward.pk}


def test_without_a_data_steward_the_owner_is_the_metrics_data_owner(world):
    data_quality_run(tenant=world.tenant, today=TODAY)
    assert {f.owner_id for f in findings(world.tenant, partner=world.birch)} == {world.data_owner.pk}


def test_without_a_steward_or_a_data_owner_the_finding_is_unassigned(world):
    data_quality_run(tenant=world.tenant, today=TODAY)
    assert cedar_finding(world).owner_id is None


# --- idempotency and resolution ---


def test_running_twice_changes_nothing(world):
    data_quality_run(tenant=world.tenant, today=TODAY)
    before = table(world.tenant)
    again = data_quality_run(tenant=world.tenant, today=TODAY)
    assert (again.created, again.updated, again.reopened, again.resolved, again.unchanged) == (0, 0, 0, 0, 5)
    assert table(world.tenant) == before


def test_a_finding_is_resolved_when_the_problem_disappears(world):
    data_quality_run(tenant=world.tenant, today=TODAY)
    set_value(world, world.cedar, world.pipeline, SEP, "84500")
    result = data_quality_run(tenant=world.tenant, today=TODAY)
    finding = cedar_finding(world)
    assert result.resolved == 1
    assert finding.status == DataQualityFinding.Status.RESOLVED
    assert finding.resolved_at is not None


def test_a_resolved_finding_reopens_when_the_problem_comes_back(world):
    data_quality_run(tenant=world.tenant, today=TODAY)
    set_value(world, world.cedar, world.pipeline, SEP, "84500")
    data_quality_run(tenant=world.tenant, today=TODAY)
    set_value(world, world.cedar, world.pipeline, SEP, "120000")
    result = data_quality_run(tenant=world.tenant, today=TODAY)
    finding = cedar_finding(world)
    assert result.reopened == 1
    assert (finding.status, finding.resolved_at) == (DataQualityFinding.Status.OPEN, None)


def test_new_numbers_update_the_sentence_of_an_open_finding_in_place(world):
    data_quality_run(tenant=world.tenant, today=TODAY)
    first = cedar_finding(world)
    set_value(world, world.cedar, world.pipeline, SEP, "200000")
    result = data_quality_run(tenant=world.tenant, today=TODAY)
    assert result.updated == 1
    assert cedar_finding(world).pk == first.pk
    assert cedar_finding(world).detail == "Reported pipeline 200,000 vs 84,500 from deals (\u221258 %) in 2026-09."


def test_a_new_steward_takes_over_the_open_findings_of_the_partner(world):
    data_quality_run(tenant=world.tenant, today=TODAY)
    with tenant_context(world.tenant):
        Partner.objects.for_tenant(world.tenant).filter(pk=world.cedar.pk).update(data_steward=world.manager)
    data_quality_run(tenant=world.tenant, today=TODAY)
    assert cedar_finding(world).owner_id == world.manager.pk


def test_an_outlier_of_a_month_no_longer_judged_stays_open(world):
    data_quality_run(tenant=world.tenant, today=TODAY)
    observe(world.tenant, world.acme, world.revenue, series(date(2026, 10, 1), [100.0, 100.0, 100.0]))
    result = data_quality_run(tenant=world.tenant, today=date(2027, 1, 20))
    assert result.reference_month == date(2026, 12, 1)
    assert ("Acme", "revenue", "outlier", SEP) in open_keys(world.tenant)


def test_a_run_leaves_another_tenants_findings_alone(world, other_tenant):
    foreign = FindingFactory(tenant=other_tenant, partner=PartnerFactory(tenant=other_tenant))
    data_quality_run(tenant=world.tenant, today=TODAY)
    assert [(f.pk, f.status) for f in findings(other_tenant)] == [(foreign.pk, DataQualityFinding.Status.OPEN)]


def test_a_run_on_a_program_without_data_finds_nothing(tenant):
    result = data_quality_run(tenant=tenant, today=TODAY)
    assert (result.created, result.open, result.reference_month) == (0, 0, None)


def test_the_number_of_queries_of_a_run_does_not_grow_with_the_data(tenant, other_tenant):
    build(tenant)
    bigger = build(other_tenant)
    for n in range(10):
        partner = PartnerFactory(tenant=other_tenant, name=f"More {n}")
        observe(other_tenant, partner, bigger.revenue, series(date(2025, 9, 1), [100.0] * 12 + [900.0]))
    with CaptureQueriesContext(connection) as small:
        data_quality_run(tenant=tenant, today=TODAY)
    with CaptureQueriesContext(connection) as large:
        result = data_quality_run(tenant=other_tenant, today=TODAY)
    assert result.created == 15
    assert len(large) == len(small)


# --- resolving by hand ---


def test_a_manager_resolves_a_finding_by_hand_and_it_is_audited(world):
    data_quality_run(tenant=world.tenant, today=TODAY)
    finding = finding_resolve(tenant=world.tenant, actor=world.manager, finding=cedar_finding(world))
    with tenant_context(world.tenant):
        entry = AuditEntry.objects.for_tenant(world.tenant).get(object_id=finding.pk, actor=world.manager.user)
    assert cedar_finding(world).status == DataQualityFinding.Status.RESOLVED
    assert entry.timestamp == cedar_finding(world).resolved_at


def test_a_finding_resolved_by_hand_stays_resolved_while_its_numbers_do_not_change(world):
    data_quality_run(tenant=world.tenant, today=TODAY)
    finding_resolve(tenant=world.tenant, actor=world.manager, finding=cedar_finding(world))
    result = data_quality_run(tenant=world.tenant, today=TODAY)
    assert result.acknowledged == 1
    assert cedar_finding(world).status == DataQualityFinding.Status.RESOLVED


def test_a_finding_resolved_by_hand_reopens_when_its_numbers_change(world):
    data_quality_run(tenant=world.tenant, today=TODAY)
    finding_resolve(tenant=world.tenant, actor=world.manager, finding=cedar_finding(world))
    set_value(world, world.cedar, world.pipeline, SEP, "150000")
    result = data_quality_run(tenant=world.tenant, today=TODAY)
    assert result.reopened == 1
    assert cedar_finding(world).status == DataQualityFinding.Status.OPEN


def test_an_executive_may_not_resolve_a_finding(world):
    data_quality_run(tenant=world.tenant, today=TODAY)
    with pytest.raises(PermissionDeniedError):
        finding_resolve(tenant=world.tenant, actor=member(world.tenant, Role.EXECUTIVE), finding=cedar_finding(world))
    assert cedar_finding(world).status == DataQualityFinding.Status.OPEN


def test_another_tenants_finding_cannot_be_resolved(world, other_tenant):
    foreign = FindingFactory(tenant=other_tenant, partner=PartnerFactory(tenant=other_tenant))
    with pytest.raises(CrossTenantReferenceError):
        finding_resolve(tenant=world.tenant, actor=world.manager, finding=foreign)
    assert findings(other_tenant)[0].status == DataQualityFinding.Status.OPEN


def test_a_finding_cannot_be_resolved_twice(world):
    data_quality_run(tenant=world.tenant, today=TODAY)
    finding = cedar_finding(world)
    finding_resolve(tenant=world.tenant, actor=world.manager, finding=finding)
    with pytest.raises(InvalidStateError):
        finding_resolve(tenant=world.tenant, actor=world.manager, finding=cedar_finding(world))
