from datetime import date

import pytest

from partnerhub.core.tenancy.context import tenant_context
from remediation.models import Checkpoint, Plan
from tests.factories import PartnerFactory, TenantFactory
from tests.remediation.factories import (
    CheckpointFactory,
    FindingFactory,
    PlanActionFactory,
    PlanFactory,
    ProgressUpdateFactory,
    program,
)

pytestmark = pytest.mark.django_db


def api(tenant, path):
    return f"/api/v1/t/{tenant.slug}/{path}"


def test_a_manager_records_a_finding_plans_it_adds_a_checkpoint_and_activates_the_plan(tenant, api_client_for):
    prog = program(tenant)
    client = api_client_for(prog.manager)
    finding = client.post(
        api(tenant, "remediation/findings/"),
        {
            "partner": prog.declining.pk,
            "title": "Sellers lack the pitch",
            "category": "enablement",
            "severity": "high",
            "owner": prog.manager.pk,
        },
        format="json",
    )
    assert finding.status_code == 201, finding.content
    plan = client.post(
        api(tenant, "remediation/plans/"),
        {
            "partner": prog.declining.pk,
            "title": "Back to green",
            "owner": prog.manager.pk,
            "sponsor": prog.sponsor.pk,
            "start_date": "2026-07-01",
            "target_end_date": "2026-12-31",
            "findings": [finding.json()["id"]],
        },
        format="json",
    )
    assert plan.status_code == 201, plan.content
    plan_id = plan.json()["id"]
    assert plan.json()["findings"] == [finding.json()["id"]]
    checkpoint = client.post(
        api(tenant, f"remediation/plans/{plan_id}/checkpoints/"),
        {
            "measure": "metric",
            "metric": prog.revenue.pk,
            "comparator": "gte",
            "target": "80",
            "period": "month",
            "due": "2026-09-15",
        },
        format="json",
    )
    assert checkpoint.status_code == 201, checkpoint.content
    assert checkpoint.json()["due_period_start"] == "2026-09-01"
    moved = client.post(api(tenant, f"remediation/plans/{plan_id}/transition/"), {"to": "active"}, format="json")
    assert moved.json()["status"] == "active"


def test_a_finding_on_another_tenants_partner_is_a_400_naming_the_field(tenant, api_client_for):
    prog = program(tenant, refresh=False)
    foreign = PartnerFactory(tenant=TenantFactory(slug="elsewhere"))
    response = api_client_for(prog.manager).post(
        api(tenant, "remediation/findings/"),
        {"partner": foreign.pk, "title": "x", "category": "enablement"},
        format="json",
    )
    assert response.status_code == 400
    assert "partner" in response.json()["extra"]["fields"]


def test_closing_with_open_checkpoints_without_a_note_is_a_400(tenant, api_client_for):
    prog = program(tenant, refresh=False)
    plan = PlanFactory(partner=prog.declining, owner=prog.manager)
    CheckpointFactory(plan=plan)
    response = api_client_for(prog.manager).post(
        api(tenant, f"remediation/plans/{plan.pk}/transition/"), {"to": "closed", "outcome": "partly"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "open_checkpoints"
    with tenant_context(tenant):
        assert Plan.objects.get().status == "active"


def test_waiving_without_a_reason_is_a_400(tenant, api_client_for):
    prog = program(tenant, refresh=False)
    checkpoint = CheckpointFactory(plan=PlanFactory(partner=prog.declining, owner=prog.manager))
    response = api_client_for(prog.manager).post(
        api(tenant, f"remediation/checkpoints/{checkpoint.pk}/waive/"), {}, format="json"
    )
    assert response.status_code == 400
    with tenant_context(tenant):
        assert Checkpoint.objects.get().status == "pending"


def test_the_portal_api_shows_only_the_shared_parts(tenant, api_client_for):
    prog = program(tenant, refresh=False)
    plan = PlanFactory(partner=prog.declining, owner=prog.manager, internal_notes="INTERNAL-NOTE")
    CheckpointFactory(plan=plan)
    PlanActionFactory(plan=plan, title="Shared one", side="partner", owner=prog.partner_user)
    PlanActionFactory(plan=plan, title="HIDDEN-ACTION", shared=False)
    ProgressUpdateFactory(plan=plan, body="HIDDEN-UPDATE", shared=False)
    FindingFactory(partner=prog.declining, plan=plan, title="HIDDEN-FINDING")
    response = api_client_for(prog.partner_user).get(api(tenant, "portal/plan/"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Shared one" in body
    for hidden in ("HIDDEN-ACTION", "HIDDEN-UPDATE", "HIDDEN-FINDING", "INTERNAL-NOTE", "internal_notes"):
        assert hidden not in body


def test_the_partner_updates_their_action_through_the_api(tenant, api_client_for):
    prog = program(tenant, refresh=False)
    plan = PlanFactory(partner=prog.declining, owner=prog.manager)
    action = PlanActionFactory(plan=plan, side="partner", owner=prog.partner_user, due_date=date(2099, 1, 1))
    response = api_client_for(prog.partner_user).patch(
        api(tenant, f"portal/plan/actions/{action.pk}/"), {"status": "done"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "done"


@pytest.mark.parametrize("plans", [3, 30])
def test_the_plan_list_api_reads_a_fixed_number_of_queries(tenant, api_client_for, plans, django_assert_num_queries):
    prog = program(tenant, refresh=False)
    for _ in range(plans):
        CheckpointFactory(plan=PlanFactory(partner=PartnerFactory(tenant=tenant), owner=prog.manager))
    client = api_client_for(prog.manager)
    client.get(api(tenant, "remediation/plans/"))
    with django_assert_num_queries(8):
        assert client.get(api(tenant, "remediation/plans/")).status_code == 200
