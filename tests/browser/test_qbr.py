"""A quarterly business review end to end, in the browser, as its two sides live it.

The partner writes a self-assessment and a forecast in the portal; the manager opens the pre-read, records shared
and internal notes, a decision and two action items, holds and signs the review off; the partner then sees the
shared record and nothing internal.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import ActionItem, Forecast, Review, SelfAssessment
from tests.browser.support import Program, log_in
from tests.factories import UserFactory, member
from tests.reviews.factories import CadenceFactory, CycleFactory, ReviewFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _quarter_start(day):
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def _log_out(page: Page, program: Program) -> None:
    page.context.clear_cookies()
    page.goto(f"{program.base_url}/accounts/login/")


def test_a_qbr_from_self_assessment_to_sign_off_shows_the_partner_only_the_shared_record(
    page: Page, program: Program
) -> None:
    acme = program.partners["Acme Resellers"]
    contact = member(
        program.tenant,
        role=Role.PARTNER,
        partner=acme,
        user=UserFactory(email="contact@acme.test", first_name="Cara", last_name="Contact"),
    )
    today = timezone.localdate()
    start = _quarter_start(today)
    end = (_quarter_start(start + timedelta(days=95))) - timedelta(days=1)
    cycle = CycleFactory(
        cadence=CadenceFactory(tenant=program.tenant, name="Quarterly business review"),
        period_start=start,
        period_end=end,
    )
    review = ReviewFactory(
        cycle=cycle,
        partner=acme,
        moderator=program.manager,
        scheduled_for=datetime.now(UTC).replace(microsecond=0) + timedelta(days=5),
        self_assessment_due=today + timedelta(days=2),
    )

    # --- the partner, in the portal, before the review ---
    log_in(page, program.base_url, contact.user.email)
    page.goto(program.url("portal/reviews/"))
    page.get_by_role("link", name="Quarterly business review").first.click()
    expect(page).to_have_url(program.url(f"portal/reviews/{review.pk}/"))
    page.get_by_label("Wins").fill("Closed the Globex renewal")
    page.get_by_label("Risks").fill("Our lead engineer is leaving")
    page.get_by_role("button", name="Submit self-assessment").click()
    expect(page.get_by_role("button", name="Update self-assessment")).to_be_visible()
    row = page.locator(".forecast-table tbody tr").first
    row.get_by_label("Opportunity").fill("Globex expansion")
    row.get_by_label("Stage").fill("Proposal")
    row.get_by_label("Amount").fill("120000")
    row.get_by_label("Probability %").fill("140")
    row.get_by_label("Expected close").fill(end.isoformat())
    page.get_by_role("button", name="Submit forecast").click()
    expect(page.locator("#forecast")).to_contain_text("from 0 to 100")  # refused, nothing saved
    with tenant_context(program.tenant):
        assert not Forecast.objects.filter(review=review).exists()
    page.locator(".forecast-table tbody tr").first.get_by_label("Probability %").fill("60")
    page.get_by_role("button", name="Submit forecast").click()
    expect(page.get_by_role("button", name="Update forecast")).to_be_visible()
    with tenant_context(program.tenant):
        assert SelfAssessment.objects.get(review=review).wins == "Closed the Globex renewal"
        assert Forecast.objects.get(review=review).lines.get().probability == 60

    # --- the manager runs the review ---
    _log_out(page, program)
    log_in(page, program.base_url, program.manager.user.email)
    page.goto(program.url(f"reviews/{review.pk}/"))
    main = page.locator("main")
    expect(main.locator("#partner-input")).to_contain_text("Closed the Globex renewal")
    expect(main.locator("#partner-input")).to_contain_text("Globex expansion")
    page.get_by_role("link", name="Open the pre-read").click()
    expect(page.locator("main")).to_contain_text("Acme Resellers")
    page.go_back()

    performance = page.locator("#section-performance")
    performance.get_by_text("Add a note").click()
    performance.get_by_label("Note").fill("Pipeline coverage is healthy at 2.4x.")
    performance.get_by_label("Shared with the partner").check()
    performance.get_by_role("button", name="Add note").click()
    performance = page.locator("#section-performance")
    performance.get_by_text("Add a note").click()
    performance.get_by_label("Note").fill("Coaching point: their forecasts slip a month.")
    performance.get_by_label("Internal only").check()
    performance.get_by_role("button", name="Add note").click()
    expect(page.locator("#section-performance .note-internal")).to_contain_text("Coaching point")

    decisions = page.locator("#decisions")
    decisions.get_by_text("Log a decision").click()
    decisions.get_by_label("Decision").fill("Co-fund the Q1 launch campaign")
    decisions.get_by_role("button", name="Log decision").click()
    expect(page.locator("#decisions")).to_contain_text("Co-fund the Q1 launch campaign")

    due = (today + timedelta(days=21)).isoformat()
    for description, owner, visibility in (
        ("Send the joint account plan", "Cara Contact (Acme Resellers)", "Shared with the partner"),
        ("Check the partner's discount approvals", None, "Internal only"),
    ):
        actions = page.locator("#actions")
        actions.get_by_text("Add an action item").click()
        actions.get_by_label("Description").fill(description)
        owner_select = actions.get_by_label("Owner")
        if owner:
            owner_select.select_option(label=owner)
        else:
            owner_select.select_option(index=1)
        actions.get_by_label("Due date").fill(due)
        actions.get_by_label("Visibility").select_option(label=visibility)
        actions.get_by_role("button", name="Add action item").click()
        expect(page.locator("#actions")).to_contain_text(description)

    # The meeting day comes: a review is never marked held before the day it is scheduled for.
    expect(page.get_by_role("button", name="Mark as held")).to_have_count(0)
    with tenant_context(program.tenant):
        Review.objects.filter(pk=review.pk).update(scheduled_for=timezone.now() - timedelta(hours=1))
    page.reload()
    page.get_by_role("button", name="Mark as held").click()
    page.get_by_role("button", name="Sign off").click()
    expect(page.locator(".review-head")).to_contain_text("Signed off")
    expect(page.get_by_text("Add a note")).to_have_count(0)  # signed off: read-only
    with tenant_context(program.tenant):
        review.refresh_from_db()
        assert review.state == Review.State.SIGNED_OFF
        assert ActionItem.objects.filter(review=review).count() == 2

    # --- the partner sees the shared record only ---
    _log_out(page, program)
    log_in(page, program.base_url, contact.user.email)
    page.goto(program.url(f"portal/reviews/{review.pk}/"))
    main = page.locator("main")
    expect(main).to_contain_text("Pipeline coverage is healthy at 2.4x.")
    expect(main).to_contain_text("Co-fund the Q1 launch campaign")
    expect(main).to_contain_text("Send the joint account plan")
    expect(main).to_contain_text("Signed off")
    html = page.content()
    assert "Coaching point" not in html
    assert "discount approvals" not in html
