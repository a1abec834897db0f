"""Recognition in a browser: an executive reviews the tier queue, approves a promotion and rejects a demotion with a
reason (a rejection without one is refused); the partner's user then sees its new tier and what the next requires.
Every page visited is checked at a laptop's and a phone's width (no sideways scroll) and with axe-core (no serious or
critical violation)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from recognition.models import AwardCategory, TierRecommendation
from recognition.services.awards import award_categories_seed, nomination_create, nomination_decide
from recognition.services.tier_recommendations import tier_recommendations_generate
from tests.browser.axe import assert_accessible
from tests.browser.support import Program, log_in
from tests.factories import UserFactory, member
from tests.recognition.factories import certified_metric, history, publish

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

VIEWPORTS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SHOTS = os.environ.get("PARTNERHUB_SCREENSHOTS", "")


@pytest.fixture
def tiers_program(program: Program) -> Program:
    """Cobalt (Silver) earned Gold; Borealis (Platinum) missed Platinum two quarters in a row; Echo (Gold) holds.
    Platinum asks for certified staff too."""
    tenant = program.tenant
    certified = certified_metric(tenant)
    partners = program.partners
    history(partners["Cobalt Technology"], [82, 78, 80, 81], actuals={certified: 3})
    history(partners["Borealis Systems"], [90, 88, 70, 70, 72], actuals={certified: 6})
    history(partners["Echo Integrators"], [76, 77, 78, 80], actuals={certified: 2})
    history(partners["Acme Resellers"], [80, 70, 82, 79], actuals={certified: 2})
    history(partners["Delta Referrals"], [55, 61, 64, 40], actuals={certified: 0})
    publish(
        tenant,
        criteria={
            "silver": {"min_score": 60, "required": 2, "window": 4},
            "gold": {"min_score": 75, "required": 3, "window": 4},
            "platinum": {"min_score": 85, "required": 3, "window": 4, "metrics": [(certified, 4)]},
        },
        grace=1,
    )
    tier_recommendations_generate(tenant=tenant)
    admin = member(tenant, role=Role.ADMIN, user=UserFactory(email="admin@alpha.test"))
    with tenant_context(tenant):
        award_categories_seed(tenant=tenant)
        category = AwardCategory.objects.get(rule="top_score_in_segment")
        nomination = nomination_create(
            tenant=tenant,
            actor=program.manager,
            category=category,
            partner=partners["Echo Integrators"],
            quarter=date(2026, 7, 1),
            case="Two joint wins in one quarter.",
        )
        nomination_decide(
            tenant=tenant,
            actor=admin,
            nomination=nomination,
            award=True,
            citation="The strongest scorecard of its segment, four quarters running.",
        )
    return program


def _look(page: Page, name: str) -> None:
    """The page fits its width, passes axe, and is kept as a screenshot when asked."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways"
    assert_accessible(page, name)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _recommendation(program: Program, partner: str) -> TierRecommendation:
    with tenant_context(program.tenant):
        return TierRecommendation.objects.get(partner=program.partners[partner], source="engine")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_an_executive_approves_a_promotion_rejects_a_demotion_and_the_partner_sees_its_new_tier(
    browser: Browser, tiers_program: Program, viewport: str
) -> None:
    program = tiers_program
    size: Any = VIEWPORTS[viewport]
    executive = member(program.tenant, role=Role.EXECUTIVE, user=UserFactory(email="exec@alpha.test"))
    contact = member(
        program.tenant,
        role=Role.PARTNER,
        partner=program.partners["Cobalt Technology"],
        user=UserFactory(email="contact@cobalt.test"),
    )

    context = browser.new_context(viewport=size)
    page = context.new_page()
    log_in(page, program.base_url, executive.user.email)
    page.goto(program.url("tiers/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tier recommendations · Q3 2026")
    queue = page.locator("table.queue tbody")
    expect(queue).to_contain_text("Cobalt Technology")
    expect(queue).to_contain_text("Borealis Systems")
    _look(page, f"recognition-queue-{viewport}")

    # The promotion: read the evidence, approve.
    page.get_by_role("link", name="Cobalt Technology").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cobalt Technology: Promote")
    expect(page.locator(".explanation")).to_contain_text("met every criterion of Gold")
    _look(page, f"recognition-recommendation-{viewport}")
    page.get_by_role("combobox", name="Decision").select_option("approve")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".messages")).to_contain_text("Cobalt Technology: recommendation approved, now Gold.")

    # The demotion: a rejection without a reason is refused, with one it is recorded.
    page.goto(program.url(f"tiers/recommendations/{_recommendation(program, 'Borealis Systems').pk}/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Borealis Systems: Demote")
    page.get_by_role("combobox", name="Decision").select_option("reject")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("main")).to_contain_text("A rejection needs a reason.")
    page.get_by_role("textbox", name="Comment").fill(
        "Their largest renewal closes next month; we look again next quarter."
    )
    page.get_by_role("combobox", name="Decision").select_option("reject")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".messages")).to_contain_text("Borealis Systems: recommendation rejected.")
    assert _recommendation(program, "Borealis Systems").status == "rejected"

    page.goto(program.url(f"partners/{program.partners['Cobalt Technology'].pk}/tiers/"))
    expect(page.locator("main")).to_contain_text("Silver")
    expect(page.locator("main table")).to_contain_text("Gold")
    _look(page, f"recognition-partner-tiers-{viewport}")
    for path, name in (("awards/", "awards"), ("recognition/", "wall"), ("tiers/framework/", "framework")):
        page.goto(program.url(path))
        _look(page, f"recognition-{name}-{viewport}")
    expect(page.locator("main")).to_contain_text("Version 1")
    context.close()

    # The admin's side: the tiers and their benefits, a new draft of the framework with its preview.
    admin_side = browser.new_context(viewport=size)
    page = admin_side.new_page()
    log_in(page, program.base_url, "admin@alpha.test")
    page.goto(program.url("tiers/benefits/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tiers and benefits")
    _look(page, f"recognition-tiers-{viewport}")
    page.goto(program.url("tiers/framework/"))
    page.get_by_role("button", name="Draft a new version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tier framework: draft version 2")
    expect(page.locator("#preview")).to_contain_text("Q3 2026: 5 partners")
    _look(page, f"recognition-framework-edit-{viewport}")
    admin_side.close()

    # The partner's user: the new tier, what Platinum requires, and the gap in numbers.
    partner_side = browser.new_context(viewport=size)
    page = partner_side.new_page()
    log_in(page, program.base_url, contact.user.email)
    page.goto(program.url("portal/"))
    card = page.locator("#your-tier")
    expect(card).to_contain_text("Gold")
    _look(page, f"recognition-portal-home-{viewport}")
    page.goto(program.url("recognition/"))
    expect(page.locator(".wall")).to_contain_text("The strongest scorecard of its segment")
    page.goto(program.url("portal/"))
    page.get_by_role("link", name="Your tier in detail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your tier")
    main = page.locator("main")
    expect(main).to_contain_text("For Platinum you still need")
    expect(main).to_contain_text("certified staff at least 4 (3 now, 1 more needed)")
    expect(main).to_contain_text("points short")
    for other in ("Borealis Systems", "Echo Integrators", "Acme Resellers"):
        expect(main).not_to_contain_text(other)
    _look(page, f"recognition-portal-tier-{viewport}")
    partner_side.close()
