"""Remediation end to end, in the browser and on a real worker, as its three sides live it.

A manager opens a finding from a review, builds a plan with a checkpoint and a shared partner action, and activates
it; a snapshot refresh on the worker is followed by the chained evaluation, which marks the checkpoint missed; the
ladder (on the worker) tells the owner, then the sponsor a week later; the partner user sees and updates their
shared action in the portal, and never the internal note. Every remediation page is then looked at on a laptop and
a phone (screenshots with PARTNERHUB_SCREENSHOTS=<dir>) and checked with axe-core: no serious or critical violation.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from partnerhub.core.tenancy.context import tenant_context
from remediation.models import Checkpoint, Plan
from remediation.tasks.escalation import escalations_climb_task
from scorecards.tasks.snapshots import snapshot_refresh_task
from tests.browser.axe import blocking_violations
from tests.browser.support import log_in
from tests.remediation.factories import program
from tests.reviews.factories import ReviewFactory
from tests.worker import running_worker

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.xdist_group("browser")]
SHOTS = os.environ.get("PARTNERHUB_SCREENSHOTS", "")
VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def worker(transactional_db: None) -> Iterator[Any]:
    with running_worker() as proc:
        yield proc


def _log_out(page: Page, base_url: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")


def _wait_for(predicate: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.5)


def test_a_finding_from_a_review_becomes_a_plan_the_refresh_checks_the_ladder_climbs_and_the_partner_updates(
    page: Page, live_server: Any, tenant: Any, worker: Any
) -> None:
    prog = program(tenant, refresh=False)
    review = ReviewFactory(partner=prog.declining, moderator=prog.manager, cycle__cadence__tenant=tenant)
    base = live_server.url

    def url(path: str) -> str:
        return f"{base}/t/{tenant.slug}/{path}"

    # --- the manager: a finding from the review, then a plan ---
    log_in(page, base, prog.manager.user.email)
    page.goto(url(f"reviews/{review.pk}/"))
    page.locator("#open-plan").get_by_role("link", name="Record a finding from this review").click()
    page.get_by_label("What is the issue?").fill("Sellers cannot position the new platform")
    page.get_by_label("Cause category").select_option("enablement")
    page.get_by_label("Severity").select_option("high")
    page.get_by_role("button", name="Record the finding").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sellers cannot position the new platform")
    expect(page.get_by_text("the quarterly business review of")).to_be_visible()
    page.get_by_role("link", name="Start a plan").click()
    page.get_by_label("Executive sponsor").select_option(str(prog.sponsor.pk))
    page.get_by_label("Start date").fill("2026-06-01")
    page.get_by_label("Target end date").fill((timezone.localdate() + timedelta(days=180)).isoformat())
    page.get_by_label("Internal notes").fill("INTERNAL: their sales lead may leave")
    page.get_by_role("button", name="Create the draft").click()
    expect(page.locator(".pstate")).to_have_text("Draft")

    page.get_by_label("What is checked").select_option("score")
    page.get_by_label("Target", exact=True).fill("60")
    page.get_by_label("Month or quarter containing").fill("2026-06-15")
    page.get_by_role("button", name="Add the checkpoint").click()
    expect(page.locator("#checkpoints h3")).to_have_text(["Score at least 60 points in June 2026"])
    expect(page.locator("#checkpoints .cp")).to_have_text(["Not due yet"])

    page.locator("#actions details.add-box > summary").click()
    page.get_by_label("What is to be done").fill("Certify two engineers")
    page.get_by_label("Whose action").select_option("partner")
    page.locator("#action-owner").select_option(str(prog.partner_user.pk))
    page.get_by_label("Due date").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("#actions tbody tr")).to_have_count(1)
    page.get_by_role("button", name="Activate the plan").click()
    expect(page.locator(".pstate").first).to_have_text("Active")
    with tenant_context(tenant):
        plan = Plan.objects.get()

    # --- a refresh on the worker: the evaluation chained after it marks the checkpoint missed ---
    snapshot_refresh_task.delay(tenant_id=tenant.pk, partner_ids=[prog.declining.pk]).get(timeout=120)

    def evaluated() -> bool:
        with tenant_context(tenant):
            return Checkpoint.objects.get(plan=plan).status != "pending"

    _wait_for(evaluated)
    page.reload()
    expect(page.locator("#checkpoints .cp")).to_have_text(["Missed"])
    expect(page.locator(".explanation")).to_have_text(
        "Score was 34 points in June 2026, against at least 60 points: missed."
    )
    expect(page.locator(".chart .main-svg").first).to_be_visible()

    # --- the ladder on the worker: the owner today, the sponsor a week later ---
    today = timezone.localdate()
    escalations_climb_task.delay(tenant_id=tenant.pk, today=today.isoformat()).get(timeout=60)
    escalations_climb_task.delay(tenant_id=tenant.pk, today=(today + timedelta(days=7)).isoformat()).get(timeout=60)
    page.reload()
    expect(page.locator("#ladder li")).to_have_count(2)
    _log_out(page, base)
    log_in(page, base, prog.sponsor.user.email)
    page.goto(url("notifications/"))
    expect(page.get_by_text("Declining Co: improvement plan escalated to you as sponsor")).to_be_visible()

    # --- the partner: their plan's shared parts, their action updated inline ---
    _log_out(page, base)
    log_in(page, base, prog.partner_user.user.email)
    page.goto(url("portal/plan/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(plan.title)
    expect(page.get_by_text("Score at least 60 points in June 2026")).to_be_visible()
    row = page.locator("#actions tbody tr").first
    row.get_by_label("Status of Certify two engineers").select_option("in_progress")
    row.get_by_label("Note on Certify two engineers").fill("Exams booked for next month")
    row.get_by_role("button", name="Update").click()
    expect(page.locator("#actions .saved-note")).to_have_text("Saved")
    body = page.content()
    assert "INTERNAL: their sales lead may leave" not in body
    assert "Sellers cannot position" not in body  # the finding is our diagnosis, not shared
    page.reload()
    expect(page.locator("#updates")).to_contain_text("Exams booked for next month")


def _look(page: Page, address: str, shot: str) -> list[str]:
    page.goto(address)
    page.wait_for_load_state("networkidle")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{shot}.png"), full_page=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    problems = [f"{shot}: {v}" for v in blocking_violations(page)]
    if page.evaluate("document.documentElement.scrollWidth") > width:
        problems.append(f"{shot}: the page scrolls sideways")
    return problems


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_every_remediation_page_fits_and_passes_axe(
    browser: Browser, live_server: Any, tenant: Any, viewport: str
) -> None:
    from tests.remediation.factories import CheckpointFactory, FindingFactory, PlanActionFactory, PlanFactory

    prog = program(tenant)
    plan = PlanFactory(partner=prog.declining, owner=prog.manager, sponsor=prog.sponsor, goal="Back to green")
    CheckpointFactory(plan=plan, status="missed", actual=34, explanation="Score was 34 points in June 2026.")
    CheckpointFactory(plan=plan, measure="metric", metric=prog.revenue, target=90)
    PlanActionFactory(plan=plan, side="partner", owner=prog.partner_user, title="Certify two engineers")
    finding = FindingFactory(partner=prog.declining, plan=plan, title="Sellers lack the new pitch")
    base = f"{live_server.url}/t/{tenant.slug}"
    problems: list[str] = []
    context = browser.new_context(viewport=VIEWPORTS[viewport])  # type: ignore[arg-type]
    page = context.new_page()
    log_in(page, live_server.url, prog.manager.user.email)
    for path, name in (
        ("remediation/findings/", "findings"),
        ("remediation/findings/new/", "finding_form"),
        (f"remediation/findings/{finding.pk}/", "finding"),
        ("remediation/plans/", "plans"),
        (f"remediation/plans/{plan.pk}/", "plan"),
        ("remediation/plans/new/", "plan_form"),
        ("remediation/lessons/", "lessons"),
        (f"partners/{prog.declining.pk}/scorecard/", "scorecard_with_plan"),
    ):
        problems += _look(page, f"{base}/{path}", f"remediation-{name}-{viewport}")
    context.clear_cookies()
    log_in(page, live_server.url, prog.admin.user.email)
    problems += _look(page, f"{base}/remediation/settings/", f"remediation-settings-{viewport}")
    context.clear_cookies()
    log_in(page, live_server.url, prog.partner_user.user.email)
    problems += _look(page, f"{base}/portal/plan/", f"remediation-portal-{viewport}")
    context.close()
    assert problems == []
