from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import Program, log_in
from tests.recognition.factories import month_snapshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_list_sorted_by_score_stays_sorted_when_a_filter_reloads_the_table(page: Page, program: Program) -> None:
    scores = {"Acme Resellers": 55, "Borealis Systems": 81, "Cobalt Technology": 40, "Echo Integrators": 72}
    for name, score in scores.items():
        month_snapshot(program.partners[name], date(2026, 6, 1), score)
    log_in(page, program.base_url, program.manager.user.email)
    page.goto(program.url("partners/"))
    names = page.locator("#partner-table tbody tr td:first-child a")

    page.get_by_role("link", name="Score", exact=True).click()
    expect(names).to_have_text(
        ["Borealis Systems", "Echo Integrators", "Acme Resellers", "Cobalt Technology", "Delta Referrals"]
    )
    page.get_by_label("Region", exact=True).select_option(label="EMEA")  # the table alone reloads (HTMX)

    expect(names).to_have_text(["Echo Integrators", "Acme Resellers"])  # by score, not by name
    assert "sort=score" in page.url
    assert "region=emea" in page.url
