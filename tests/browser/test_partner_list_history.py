from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import Program, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_going_back_from_a_partner_to_the_filtered_list_shows_the_whole_page(page: Page, program: Program) -> None:
    log_in(page, program.base_url, program.manager.user.email)  # a manager lands on their portfolio
    page.goto(program.url("partners/"))
    names = page.locator("#partner-table tbody tr td:first-child a")
    page.get_by_label("Type", exact=True).select_option(label="Systems integrator")
    expect(names).to_have_text(["Borealis Systems", "Echo Integrators"])
    filtered_url = page.url

    names.get_by_text("Borealis Systems").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Borealis Systems")
    page.go_back()

    assert page.url == filtered_url
    expect(page.get_by_role("navigation", name="Main")).to_be_visible(timeout=2_000)
    expect(page.get_by_label("Type", exact=True)).to_have_value("si", timeout=2_000)
    expect(names).to_have_text(["Borealis Systems", "Echo Integrators"], timeout=2_000)
