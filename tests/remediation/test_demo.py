import pytest
from django.core.management import call_command

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.context import tenant_context
from remediation.models import Checkpoint, Escalation, Finding, Lesson, Plan

pytestmark = pytest.mark.django_db


def _state(tenant):
    with tenant_context(tenant):
        plans = list(Plan.objects.all())
        return {
            "draft_by_trigger": [p.pk for p in plans if p.status == "draft" and p.trigger],
            "on_track": [
                p.pk
                for p in plans
                if p.status == "active"
                and Checkpoint.objects.filter(plan=p, status="met").exists()
                and not Checkpoint.objects.filter(plan=p, status="missed").exists()
            ],
            "climbed_to_sponsor": [
                p.pk
                for p in plans
                if p.status == "active" and Escalation.objects.filter(plan=p, checkpoint__isnull=False, rung=2).exists()
            ],
            "closed_with_lessons": [
                p.pk for p in plans if p.status == "closed" and Lesson.objects.filter(plan=p).exists()
            ],
            "from_reviews": Finding.objects.filter(origin="review").count(),
            "plans": len(plans),
        }


def test_each_demo_program_has_plans_in_every_state_and_a_second_seed_adds_none():
    call_command("seed_demo")
    first = {t.slug: _state(t) for t in Tenant.objects.order_by("slug")}
    for state in first.values():
        assert len(state["draft_by_trigger"]) >= 1  # more once tiers send partners into grace (a trigger too)
        assert len(state["on_track"]) == 1
        assert len(state["climbed_to_sponsor"]) == 1
        assert len(state["closed_with_lessons"]) == 2
        assert state["from_reviews"] >= 2
    call_command("seed_demo")
    assert {t.slug: _state(t) for t in Tenant.objects.order_by("slug")} == first
