from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.models import Partner, Role
from partnerhub.core.tenancy.context import tenant_context
from remediation.models import Checkpoint, Escalation, Finding, Lesson, Plan, PlanAction, ProgressUpdate
from tests.factories import PartnerFactory, member
from tests.remediation.factories import (
    CheckpointFactory,
    FindingFactory,
    PlanActionFactory,
    PlanFactory,
    ProgressUpdateFactory,
    program,
)
from tests.reviews.factories import ReviewFactory
from tests.reviews.test_preread import _pdf_text

pytestmark = pytest.mark.django_db


def url(tenant, name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


@pytest.fixture
def world(tenant):
    prog = program(tenant)
    plan = PlanFactory(partner=prog.declining, owner=prog.manager, sponsor=prog.sponsor, goal="Back to green")
    checkpoint = CheckpointFactory(
        plan=plan, status="missed", actual=Decimal("34"), explanation="Score was 34 points in June 2026."
    )
    CheckpointFactory(plan=plan, measure="metric", metric=prog.revenue, target=Decimal("90"))
    PlanActionFactory(plan=plan, side="partner", owner=prog.partner_user, title="Certify two engineers")
    PlanActionFactory(plan=plan, title="Coach the sales lead", shared=False)
    ProgressUpdateFactory(plan=plan, body="INTERNAL-UPDATE-MARKER", shared=False)
    ProgressUpdateFactory(plan=plan, body="Shared progress", shared=True)
    FindingFactory(partner=prog.declining, plan=plan, title="Sellers lack the new pitch")
    with tenant_context(tenant):
        Escalation.objects.create(
            tenant=tenant, plan=plan, checkpoint=checkpoint, rung=1, reason="Checkpoint missed", day=date(2026, 7, 10)
        )
        closed = Plan.objects.create(
            tenant=tenant,
            partner=prog.steady,
            title="Old plan",
            start_date=date(2025, 1, 1),
            target_end_date=date(2025, 6, 30),
            status="closed",
            outcome="succeeded",
        )
        Lesson.objects.create(
            tenant=tenant,
            plan=closed,
            partner=prog.steady,
            category="enablement",
            text="Pair each new seller with a mentor",
            outcome="succeeded",
        )
    return prog, plan


PAGES = [
    ("finding_list", {}),
    ("finding_create", {}),
    ("plan_list", {}),
    ("plan_create", {}),
    ("lesson_list", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_every_list_page_answers_for_a_manager(world, client_for, name, kwargs):
    prog, _ = world
    response = client_for(prog.manager).get(url(prog.tenant, name, **kwargs))
    assert response.status_code == 200


def test_the_plan_page_shows_checkpoints_with_a_chart_actions_updates_and_the_ladder(world, client_for):
    prog, plan = world
    response = client_for(prog.manager).get(url(prog.tenant, "plan_detail", plan_id=plan.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Score at least 60 points in June 2026" in body
    assert "Revenue at least 90 USD in June 2026" in body
    assert body.count('data-figure="') == 2
    assert "Certify two engineers" in body
    assert "INTERNAL-UPDATE-MARKER" in body
    assert "Owner</strong> told on 10 Jul 2026" in body


def test_the_finding_and_settings_pages_answer(world, client_for):
    prog, plan = world
    with tenant_context(prog.tenant):
        finding = Finding.objects.get(plan=plan)
    assert (
        client_for(prog.manager).get(url(prog.tenant, "finding_detail", remediation_finding_id=finding.pk)).status_code
        == 200
    )
    assert (
        client_for(prog.manager).get(url(prog.tenant, "finding_edit", remediation_finding_id=finding.pk)).status_code
        == 200
    )
    assert client_for(prog.admin).get(url(prog.tenant, "remediation_settings")).status_code == 200


def test_a_new_finding_of_a_category_shows_the_lessons_of_earlier_plans(world, client_for):
    prog, _ = world
    response = client_for(prog.manager).get(url(prog.tenant, "finding_lessons_hint") + "?category=enablement")
    assert "1 lesson from earlier plans on enablement resources" in response.content.decode()


def test_the_backlog_shows_a_cause_found_at_three_partners_as_a_program_pattern(world, client_for):
    prog, _ = world
    today = timezone.localdate()
    for i in range(3):
        partner = PartnerFactory(tenant=prog.tenant, name=f"Emea {i}", region="emea")
        FindingFactory(partner=partner, category="channel_conflict", date_found=today)
    body = client_for(prog.manager).get(url(prog.tenant, "finding_list")).content.decode()
    assert "Channel conflict: 3 partners in EMEA this quarter" in body


def test_the_review_page_the_preread_and_the_scorecard_show_the_open_plan(world, client_for):
    prog, plan = world
    review = ReviewFactory(partner=prog.declining, cycle__cadence__tenant=prog.tenant)
    client = client_for(prog.manager)
    for page in (
        url(prog.tenant, "review_detail", review_id=review.pk),
        url(prog.tenant, "review_preread", review_id=review.pk),
        url(prog.tenant, "partner_scorecard", partner_id=prog.declining.pk),
    ):
        body = client.get(page).content.decode()
        assert plan.title in body, page
        assert "Score at least 60 points in June 2026" in body
    # The pre-read's PDF carries the panel too (its heading is one of the PDF's bookmarks).
    pdf = client.get(url(prog.tenant, "review_preread_pdf", review_id=review.pk))
    assert pdf.status_code == 200
    assert "Improvement plan" in _pdf_text(pdf.content)


def test_a_partner_user_sees_their_plans_shared_parts_and_no_internal_note(world, client_for):
    prog, plan = world
    body = client_for(prog.partner_user).get(url(prog.tenant, "portal_plan")).content.decode()
    assert plan.title in body
    assert "Certify two engineers" in body
    assert "Shared progress" in body
    for hidden in ("INTERNAL-UPDATE-MARKER", "Coach the sales lead", "Sellers lack the new pitch", "Checkpoint missed"):
        assert hidden not in body


def test_another_partners_user_sees_no_plan(world, client_for):
    prog, plan = world
    other = member(prog.tenant, Role.PARTNER, partner=prog.steady)
    body = client_for(other).get(url(prog.tenant, "portal_plan")).content.decode()
    assert plan.title not in body


def test_the_partner_updates_their_shared_action_inline(world, client_for):
    prog, plan = world
    with tenant_context(prog.tenant):
        action = PlanAction.objects.get(plan=plan, side="partner")
    response = client_for(prog.partner_user).post(
        url(prog.tenant, "portal_plan_action", plan_action_id=action.pk),
        {"status": "in_progress", "note": "Exams booked for August"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Saved" in response.content.decode()
    with tenant_context(prog.tenant):
        action.refresh_from_db()
        update = ProgressUpdate.objects.get(action=action)
    assert (action.status, update.shared, update.side) == ("in_progress", True, "partner")
    assert update.figures[0]["label"] == "Score"


def test_the_partner_cannot_update_our_action(world, client_for):
    prog, plan = world
    with tenant_context(prog.tenant):
        ours = PlanAction.objects.get(plan=plan, title="Coach the sales lead")
    response = client_for(prog.partner_user).post(
        url(prog.tenant, "portal_plan_action", plan_action_id=ours.pk), {"status": "done"}
    )
    assert response.status_code == 404


def test_a_manager_opens_a_finding_from_a_review(world, client_for):
    prog, _ = world
    review = ReviewFactory(partner=prog.steady, cycle__cadence__tenant=prog.tenant)
    response = client_for(prog.manager).post(
        url(prog.tenant, "finding_create") + f"?review={review.pk}",
        {
            "review": review.pk,
            "partner": prog.steady.pk,
            "title": "Messaging misses the buyer",
            "category": "gtm_messaging",
            "severity": "high",
            "date_found": timezone.localdate().isoformat(),
            "root_cause_method": "five_whys",
            "whys": "Deals stall at the proposal\nThe value story is generic\nNo vertical playbook",
        },
    )
    assert response.status_code == 302
    with tenant_context(prog.tenant):
        finding = Finding.objects.get(title="Messaging misses the buyer")
    assert (finding.origin, finding.review_id, finding.partner_id) == ("review", review.pk, prog.steady.pk)
    assert finding.root_cause == {
        "whys": ["Deals stall at the proposal", "The value story is generic", "No vertical playbook"]
    }


def _many_plans(tenant, manager, count, first=0):
    """``count`` partners, each with an active plan, a checkpoint and a finding: written in bulk."""
    today = timezone.localdate()
    with tenant_context(tenant):
        partners = Partner.objects.bulk_create(
            Partner(tenant=tenant, name=f"Bulk {i:05d}", partner_type="si", region="emea", owner=manager)
            for i in range(first, first + count)
        )
        plans = Plan.objects.bulk_create(
            Plan(
                tenant=tenant,
                partner=p,
                title=f"Plan of {p.name}",
                owner=manager,
                start_date=date(2026, 1, 1),
                target_end_date=date(2026, 12, 31),
                status="active",
            )
            for p in partners
        )
        Checkpoint.objects.bulk_create(
            Checkpoint(
                tenant=tenant,
                plan=plan,
                partner=plan.partner,
                measure="score",
                comparator="gte",
                target=60,
                period="month",
                due_period_start=date(2026, 6, 1),
                status="missed" if i % 3 else "met",
            )
            for i, plan in enumerate(plans)
        )
        Finding.objects.bulk_create(
            Finding(
                tenant=tenant,
                partner=plan.partner,
                plan=plan,
                owner=manager,
                title=f"Finding {i}",
                category="enablement",
                date_found=today - timedelta(days=i % 80),
            )
            for i, plan in enumerate(plans)
        )


def _queries(client, address):
    client.get(address)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_plan_list_and_backlog_read_as_many_queries_at_1000_plans_as_at_10(tenant, client_for):
    manager = member(tenant, Role.MANAGER)
    client = client_for(manager)
    pages = [url(tenant, "plan_list"), url(tenant, "finding_list"), url(tenant, "plan_list") + "?status=&attention=on"]
    _many_plans(tenant, manager, 10)
    small = [_queries(client, address) for address in pages]
    _many_plans(tenant, manager, 990, first=10)
    large = [_queries(client, address) for address in pages]
    assert large == small
    assert small[:2] == [EXPECTED["plan_list"], EXPECTED["finding_list"]]


EXPECTED = {"plan_list": 12, "finding_list": 15}  # framework statements included (session, user, tenant, nav...)


def test_the_plan_page_reads_as_many_queries_with_30_of_everything_as_with_3(world, client_for):
    prog, plan = world
    client = client_for(prog.manager)
    address = url(prog.tenant, "plan_detail", plan_id=plan.pk)
    small = _queries(client, address)
    for i in range(27):
        CheckpointFactory(plan=plan, target=Decimal(i))
        PlanActionFactory(plan=plan, title=f"Action {i}", owner=prog.manager)
        ProgressUpdateFactory(plan=plan, body=f"Update {i}", author=prog.manager)
    assert _queries(client, address) == small


def test_an_admin_sets_the_ladder_and_adds_a_category_and_a_manager_may_not(world, client_for):
    prog, _ = world
    admin = client_for(prog.admin)
    settings_url = url(prog.tenant, "remediation_settings")
    refused = admin.post(
        settings_url,
        {
            "sponsor_after_days": "10",
            "executive_after_days": "5",
            "action_grace_days": "3",
            "draft_horizon_months": "3",
            "trigger_red": "on",
        },
    )
    assert refused.status_code == 400
    assert "The executive is told after the sponsor" in refused.content.decode()
    saved = admin.post(
        settings_url,
        {
            "sponsor_after_days": "5",
            "executive_after_days": "10",
            "action_grace_days": "3",
            "draft_horizon_months": "2",
            "trigger_declining": "on",
        },
    )
    assert saved.status_code == 302
    assert admin.post(url(prog.tenant, "cause_category_add"), {"name": "Pricing pressure"}).status_code == 302
    with tenant_context(prog.tenant):
        from remediation.models import CauseCategory, RemediationSettings

        ladder = RemediationSettings.objects.get()
        assert (ladder.sponsor_after_days, ladder.executive_after_days, ladder.trigger_red) == (5, 10, False)
        assert CauseCategory.objects.get().key == "pricing_pressure"
    assert client_for(prog.manager).get(settings_url).status_code == 403
