from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import Program, activate_totp, current_totp_code, submit_login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_manager_signs_in_with_totp_then_filters_partners_and_opens_one(page: Page, program: Program) -> None:
    manager = program.manager.user
    secret = activate_totp(manager)

    submit_login(page, program.base_url, manager.email)
    expect(page).to_have_url(f"{program.base_url}/accounts/2fa/authenticate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    # The password alone opens nothing: the program still sends this browser to log in.
    before_code = page.request.get(program.url("partners/"), max_redirects=0)
    assert before_code.status == 302
    assert before_code.headers["location"].startswith("/accounts/login/")

    code = current_totp_code(secret)
    page.get_by_label("Code").fill(f"{(int(code) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{program.base_url}/accounts/2fa/authenticate/")
    expect(page.locator("main")).to_contain_text("Incorrect code")

    page.get_by_label("Code").fill(current_totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(program.url("scorecards/"))  # a manager lands on their own portfolio
    expect(page.locator(".tenant-name")).to_have_text(program.tenant.name)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partners").click()
    expect(page).to_have_url(program.url("partners/"))

    names = page.locator("#partner-table tbody tr td:first-child a")
    count = page.locator("#partner-table .count")
    expect(names).to_have_text(sorted(program.partners))
    expect(count).to_have_text("5 partners")
    page.evaluate("window.__sameDocument = true")

    with page.expect_response(lambda r: "partner_type=si" in r.url and r.request.headers.get("hx-request") == "true"):
        page.get_by_label("Type", exact=True).select_option(label="Systems integrator")
    expect(names).to_have_text(["Borealis Systems", "Echo Integrators"])
    expect(count).to_have_text("2 partners")
    expect(page).to_have_url(re.compile(r"[?&]partner_type=si(&|$)"))

    page.get_by_label("Search by name").press_sequentially("echo")
    expect(names).to_have_text(["Echo Integrators"])
    expect(count).to_have_text("1 partner")
    expect(page).to_have_url(re.compile(r"[?&]q=echo(&|$)"))

    page.get_by_label("Type", exact=True).select_option(label="Technology")
    expect(names).to_have_count(0)
    expect(page.locator("#partner-table .empty")).to_contain_text("No partner matches these filters")

    page.get_by_label("Type", exact=True).select_option(label="Any type")
    expect(names).to_have_text(["Echo Integrators"])
    # Every update above was an HTMX swap inside the same document, not a page load.
    assert page.evaluate("window.__sameDocument") is True

    echo = program.partners["Echo Integrators"]
    names.get_by_text("Echo Integrators").click()
    expect(page).to_have_url(program.url(f"partners/{echo.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Echo Integrators")
    expect(page).to_have_title(f"Echo Integrators · {program.tenant.name}")
    profile = page.locator("section.card").filter(has=page.get_by_role("heading", name="Profile"))
    expect(profile.locator("dt")).to_have_text(
        ["Type", "Tier", "Lifecycle stage", "Region", "Market", "Product lines", "CRM id"]
    )
    expect(profile.locator("dd")).to_have_text(
        ["Systems integrator", "Gold", "Growth", "EMEA", "France", "Data, Cloud", "—"]
    )
    people = page.locator("section.card").filter(has=page.get_by_role("heading", name="People"))
    expect(people.locator("dd").first).to_have_text(str(manager))
    expect(page.get_by_role("link", name="Edit")).to_be_visible()
