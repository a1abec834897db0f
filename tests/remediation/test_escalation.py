from datetime import date, timedelta

import pytest

from partnerhub.core.models import Notification
from partnerhub.core.tenancy.context import tenant_context
from remediation.models import Escalation, RemediationSettings
from remediation.services.escalation import escalations_climb
from tests.remediation.factories import TODAY, CheckpointFactory, PlanActionFactory, PlanFactory, program

pytestmark = pytest.mark.django_db


def _missed(prog, missed_on=TODAY, **kw):
    plan = PlanFactory(partner=prog.declining, owner=prog.manager, sponsor=prog.sponsor, **kw)
    return CheckpointFactory(plan=plan, status="missed", missed_on=missed_on, explanation="Score was 34 points.")


def _rungs(tenant):
    with tenant_context(tenant):
        return list(Escalation.objects.order_by("id").values_list("rung", flat=True))


def _told(tenant, member):
    with tenant_context(tenant):
        return list(Notification.objects.filter(recipient=member).values_list("kind", flat=True))


def test_a_missed_checkpoint_tells_the_owner_then_the_sponsor_then_the_executive_one_rung_at_a_time(tenant):
    prog = program(tenant, refresh=False)
    _missed(prog)
    escalations_climb(tenant=tenant, today=TODAY)
    assert _rungs(tenant) == [1]
    assert _told(tenant, prog.manager) == ["remediation.escalation.owner"]
    escalations_climb(tenant=tenant, today=TODAY + timedelta(days=6))
    assert _rungs(tenant) == [1]
    escalations_climb(tenant=tenant, today=TODAY + timedelta(days=7))
    assert _rungs(tenant) == [1, 2]
    assert _told(tenant, prog.sponsor) == ["remediation.escalation.sponsor"]
    escalations_climb(tenant=tenant, today=TODAY + timedelta(days=14))
    assert _rungs(tenant) == [1, 2, 3]
    assert _told(tenant, prog.executive) == ["remediation.escalation.executive"]


def test_a_late_run_climbs_one_rung_only(tenant):
    prog = program(tenant, refresh=False)
    _missed(prog, missed_on=TODAY - timedelta(days=30))
    escalations_climb(tenant=tenant, today=TODAY)
    assert _rungs(tenant) == [1]
    escalations_climb(tenant=tenant, today=TODAY + timedelta(days=1))
    assert _rungs(tenant) == [1, 2]


def test_climbing_twice_the_same_day_escalates_and_notifies_once(tenant):
    prog = program(tenant, refresh=False)
    _missed(prog)
    first = escalations_climb(tenant=tenant, today=TODAY)
    second = escalations_climb(tenant=tenant, today=TODAY)
    assert (first.climbed, second.climbed) == (1, 0)
    assert len(_told(tenant, prog.manager)) == 1


def test_a_met_or_waived_checkpoint_and_a_closed_plan_stop_the_climb(tenant):
    prog = program(tenant, refresh=False)
    met = _missed(prog)
    escalations_climb(tenant=tenant, today=TODAY)
    with tenant_context(tenant):
        met.status = "met"
        met.save()
    escalations_climb(tenant=tenant, today=TODAY + timedelta(days=30))
    assert _rungs(tenant) == [1]


def test_the_schedule_is_the_admins(tenant):
    prog = program(tenant, refresh=False)
    with tenant_context(tenant):
        RemediationSettings.objects.create(tenant=tenant, sponsor_after_days=2, executive_after_days=3)
    _missed(prog)
    for day in range(4):
        escalations_climb(tenant=tenant, today=TODAY + timedelta(days=day))
    assert _rungs(tenant) == [1, 2, 3]


def test_an_overdue_action_climbs_after_its_grace_period_and_stops_when_done(tenant):
    prog = program(tenant, refresh=False)
    plan = PlanFactory(partner=prog.declining, owner=prog.manager, sponsor=prog.sponsor)
    action = PlanActionFactory(plan=plan, side="partner", owner=prog.partner_user, due_date=date(2026, 7, 1))
    escalations_climb(tenant=tenant, today=date(2026, 7, 8))  # due 1 July, 7 days' grace: not yet
    assert _rungs(tenant) == []
    escalations_climb(tenant=tenant, today=date(2026, 7, 9))
    assert _rungs(tenant) == [1]
    assert _told(tenant, prog.partner_user) == ["remediation.action_overdue"]
    with tenant_context(tenant):
        action.status = "done"
        action.save()
    escalations_climb(tenant=tenant, today=date(2026, 8, 30))
    assert _rungs(tenant) == [1]
