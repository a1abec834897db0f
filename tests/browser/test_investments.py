"""Investments end to end in Chromium: a partner user requests funds, the manager approves part of it, the partner
claims with a proof file, the claim is approved and paid, and the impact page shows the investment. Every page is
checked with axe-core (no serious or critical violation), at 1366 and 390 pixels wide, without sideways scrolling.

Set PARTNERHUB_SCREENSHOTS=/some/dir to keep a full-page screenshot of each page at both widths.
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from partnerhub.core.domain.periods import add_months
from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from recognition.models import Claim, FundRequest, Investment
from recognition.services.impact import impact_refresh
from scorecards.models import ScorecardSnapshot
from tests.browser.axe import assert_accessible
from tests.browser.support import Program, log_in
from tests.factories import PartnerFactory, UserFactory, member
from tests.recognition.invest_factories import AllocationFactory, BudgetFactory
from tests.scorecards.factories import VersionFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SHOTS = os.environ.get("PARTNERHUB_SCREENSHOTS", "")
WIDTHS = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}
PDF = b"%PDF-1.4\n% invoice of the Munich roadshow\n" + b"0" * 2000 + b"\n%%EOF\n"


def _scores(program: Program) -> None:
    """Twelve gold resellers (Acme among them) with twelve months of scores, so the investment can be measured."""
    tenant = program.tenant
    version = VersionFactory(template__tenant=tenant)
    partners = [program.partners["Acme Resellers"]] + [
        PartnerFactory(tenant=tenant, name=f"Gold reseller {i:02d}", tier="gold", partner_type="reseller")
        for i in range(11)
    ]
    this_month = timezone.localdate().replace(day=1)
    rows = [
        ScorecardSnapshot(
            tenant=tenant,
            partner=partner,
            period="month",
            period_start=add_months(this_month, -m),
            template_version=version,
            # A level per partner, month-to-month noise (deterministic), and +6 for Acme in the three months after.
            score=Decimal(
                str(round(60 + i % 5 + (6 if i == 0 and m <= 3 else 0) + ((m * 7 + i * 13) % 5 - 2) * 0.7, 2))
            ),
            computed_at=timezone.now(),
        )
        for i, partner in enumerate(partners)
        for m in range(1, 13)
    ]
    with tenant_context(tenant):
        ScorecardSnapshot.objects.bulk_create(rows)


def _context(browser: Browser, width: str) -> BrowserContext:
    return browser.new_context(viewport=WIDTHS[width])


def _check(page: Page, name: str) -> None:
    """No serious or critical axe violation, no sideways scroll, and a screenshot when asked."""
    assert_accessible(page, name)
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways"
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def funds(program: Program, clean_proofs: None) -> dict[str, Any]:
    tenant = program.tenant
    acme = program.partners["Acme Resellers"]
    contact = member(tenant, role=Role.PARTNER, partner=acme, user=UserFactory(email="contact@acme.test"))
    admin = member(tenant, role=Role.ADMIN, user=UserFactory(email="admin@alpha.test"))
    today = timezone.localdate()
    budget = BudgetFactory(
        tenant=tenant,
        name="MDF this year",
        fiscal_year=today.year,
        starts_on=date(today.year, 1, 1),
        ends_on=date(today.year, 12, 31),
        amount=Decimal("50000.00"),
        claim_days=3650,
    )
    AllocationFactory(budget=budget, partner=acme, amount=Decimal("10000.00"))
    _scores(program)
    return {"contact": contact, "admin": admin, "acme": acme, "budget": budget}


@pytest.mark.parametrize("width", WIDTHS, ids=list(WIDTHS))
def test_request_partial_approval_claim_with_proof_payment_and_impact(
    browser: Browser, program: Program, funds: dict[str, Any], width: str, tmp_path: Path
) -> None:
    start = add_months(timezone.localdate().replace(day=1), -3)
    proof = tmp_path / "invoice-roadshow.pdf"
    proof.write_bytes(PDF)

    # The partner user asks for 4,000 USD for a roadshow in the portal.
    partner = _context(browser, width).new_page()
    log_in(partner, program.base_url, funds["contact"].user.email)
    partner.goto(program.url("portal/funds/"))
    expect(partner.get_by_role("heading", level=1)).to_have_text("Our funds")
    expect(partner.locator("main")).to_contain_text("10,000 USD")
    _check(partner, f"portal_funds-{width}")
    partner.get_by_label("From allocation").select_option(label="Acme Resellers · MDF this year (10,000 USD)")
    partner.get_by_label("Activity type").select_option("event")
    partner.get_by_label("Title").fill("Munich cloud roadshow")
    partner.get_by_label("Planned start").fill(start.isoformat())
    partner.get_by_label("Planned end").fill((start.replace(day=20)).isoformat())
    partner.get_by_label("Requested amount").fill("4000")
    partner.get_by_label("Expected leads").fill("40")
    partner.get_by_role("button", name="Send the request").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Munich cloud roadshow")
    expect(partner.locator(".page-head .status")).to_have_text("Submitted")
    with tenant_context(program.tenant):
        request = FundRequest.objects.get(title="Munich cloud roadshow")

    # The partner's manager approves 3,000 of it.
    manager = _context(browser, width).new_page()
    log_in(manager, program.base_url, program.manager.user.email)
    manager.goto(program.url("investments/requests/"))
    expect(manager.get_by_role("link", name="Munich cloud roadshow")).to_be_visible()
    _check(manager, f"request_queue-{width}")
    manager.get_by_role("link", name="Munich cloud roadshow").click()
    manager.get_by_label("Decision").select_option("approve")
    manager.get_by_label("Amount").fill("3000")
    manager.get_by_label("Note").fill("Approved for the venue and catering; travel is not covered.")
    manager.get_by_role("button", name="Record the decision").click()
    expect(manager.locator(".page-head .status")).to_have_text("Approved")
    expect(manager.locator("main")).to_contain_text("3,000 USD")

    # The partner claims 2,800 with the invoice.
    partner.reload()
    expect(partner.locator("main")).to_contain_text("Left to claim")
    partner.get_by_label("Actual spend").fill("2800")
    partner.get_by_label("Leads").fill("35")
    partner.get_by_label("Proof files").set_input_files(str(proof))
    _check(partner, f"portal_request-{width}")
    partner.get_by_role("button", name="Send the claim").click()
    expect(partner.locator("#claims")).to_contain_text("2,800 USD claimed")
    expect(partner.get_by_role("link", name="invoice-roadshow.pdf")).to_be_visible()

    # The manager approves the claim; the admin marks it paid.
    manager.reload()
    with tenant_context(program.tenant):
        claim = Claim.objects.get(request=request)
    manager.get_by_label("Decision").nth(0).select_option("approve")  # the request is decided: only the claim's
    manager.get_by_role("button", name=f"Decide on claim {claim.pk}").click()
    expect(manager.locator("#claims")).to_contain_text("Approved")
    _check(manager, f"request_detail-{width}")
    admin = _context(browser, width).new_page()
    log_in(admin, program.base_url, funds["admin"].user.email)
    admin.goto(program.url(f"investments/requests/{request.pk}/"))
    admin.get_by_label("Payment reference").fill("PAY-2042")
    admin.get_by_role("button", name=f"Mark claim {claim.pk} paid").click()
    expect(admin.locator("#claims")).to_contain_text("paid")
    with tenant_context(program.tenant):
        assert Claim.objects.get(pk=claim.pk).status == "paid"
        investment = Investment.objects.get(fund_request=request)
        assert investment.value == Decimal("2800.00")
        impact_refresh(tenant=program.tenant)  # what the nightly task does

    # The impact page shows the investment, and its chart against the matched partners.
    admin.goto(program.url("investments/impact/"))
    expect(admin.get_by_role("link", name="Munich cloud roadshow (Acme Resellers)")).to_be_visible()
    _check(admin, f"impact_list-{width}")
    admin.get_by_role("link", name="Munich cloud roadshow (Acme Resellers)").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Munich cloud roadshow")
    expect(admin.locator(".chart .main-svg").first).to_be_visible(timeout=30_000)  # 4.8 MB of plotly.js to parse
    expect(admin.locator("main")).to_contain_text("matched partner")
    _check(admin, f"impact_detail-{width}")
    admin.goto(program.url("investments/"))
    _check(admin, f"budget_list-{width}")
    admin.goto(program.url(f"investments/budgets/{funds['budget'].pk}/"))
    _check(admin, f"budget_detail-{width}")
