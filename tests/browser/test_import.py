from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.demo.seed import DEMO_PASSWORD, PROGRAMS, seed_program
from scorecards.models import Deal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "crm-deals-export.csv"


def test_a_manager_uploads_the_sample_crm_export_maps_previews_and_commits(page: Page, live_server: Any) -> None:
    seed_program(PROGRAMS[0])
    tenant = Tenant.objects.get(slug=PROGRAMS[0].slug)
    with tenant_context(tenant):
        deals_before = Deal.objects.count()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(f"manager@{PROGRAMS[0].domain}")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(f"{live_server.url}/t/{tenant.slug}/imports/")
    page.get_by_role("link", name="New import").click()
    page.get_by_label("What the file holds").select_option(label="Deals / opportunities")
    page.get_by_label("Source").fill("salesforce")
    page.get_by_label("CSV or Excel file").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("crm-deals-export.csv")
    expect(page.locator(".count-box").first).to_contain_text("40")
    expect(page.get_by_label("Deal id *")).to_have_value("Opportunity ID")
    page.get_by_label("Account", exact=True).select_option("Account Name")
    page.get_by_role("button", name="Apply mapping and re-check").click()
    expect(page.get_by_role("heading", name="First rows as they will be stored")).to_be_visible()
    expect(page.locator("table").last).to_contain_text("Atlas Group")

    page.get_by_role("button", name="Commit 40 rows").click()
    expect(page.locator(".messages")).to_contain_text("Imported: 40 new")
    expect(page.locator(".status").first).to_have_text("Committed")
    with tenant_context(tenant):
        assert Deal.objects.count() == deals_before + 40
