from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.demo.seed import DEMO_PASSWORD, PROGRAMS, seed_program
from scorecards.models import Deal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"


def sign_in(page: Page, live_server: Any) -> Tenant:
    seed_program(PROGRAMS[0])
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(f"manager@{PROGRAMS[0].domain}")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return Tenant.objects.get(slug=PROGRAMS[0].slug)


def upload(page: Page, live_server: Any, tenant: Tenant, name: str, source: str) -> None:
    page.goto(f"{live_server.url}/t/{tenant.slug}/imports/")
    page.get_by_role("link", name="New import").click()
    page.get_by_label("What the file holds").select_option(label="Deals / opportunities")
    page.get_by_label("Source").fill(source)
    page.get_by_label("CSV or Excel file").set_input_files(str(SAMPLES / name))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_a_manager_uploads_the_sample_crm_export_maps_previews_and_commits(page: Page, live_server: Any) -> None:
    tenant = sign_in(page, live_server)
    with tenant_context(tenant):
        deals_before = Deal.objects.count()

    upload(page, live_server, tenant, "crm-deals-export.csv", "salesforce")

    expect(page.locator(".count-box").first).to_contain_text("40")
    expect(page.get_by_role("combobox", name="Deal id", exact=True)).to_have_value("Opportunity ID")
    page.get_by_label("Account", exact=True).select_option("Account Name")
    page.get_by_role("button", name="Apply and re-check").click()
    expect(page.get_by_role("heading", name="First rows as they will be stored")).to_be_visible()
    expect(page.locator(".preview-table")).to_contain_text("Atlas Group")

    page.get_by_role("button", name="Commit 40 rows").click()
    expect(page.locator(".messages")).to_contain_text("Imported: 40 new")
    expect(page.locator(".status").first).to_have_text("Committed")
    with tenant_context(tenant):
        assert Deal.objects.count() == deals_before + 40


def test_a_report_with_its_footer_and_a_german_csv_import_as_exported_and_a_stage_is_mapped(
    page: Page, live_server: Any
) -> None:
    tenant = sign_in(page, live_server)

    upload(page, live_server, tenant, "salesforce-opportunities-report.csv", "salesforce")
    read = page.get_by_role("region", name="What was read")
    expect(read).to_contain_text("4 lines above the header (row 6) were skipped: a report title or filter block.")
    expect(read).to_contain_text("6 footer lines at the end (rows 21 to 26) were ignored.")
    expect(page.locator(".count-box").first).to_contain_text("12")
    page.get_by_role("button", name="Commit 12 rows").click()
    expect(page.locator(".messages")).to_contain_text("Imported: 12 new, 0 updated, 0 unchanged.")
    expect(page.locator(".preview-table")).to_contain_text("Müller Logistik GmbH")

    upload(page, live_server, tenant, "deals-excel-de.csv", "excel")
    read = page.get_by_role("region", name="What was read")
    expect(read).to_contain_text("Amounts are in EUR, as the column header “Betrag (EUR)” says.")
    expect(page.get_by_role("combobox", name="Deal id", exact=True)).to_have_value("Verkaufschance")
    expect(page.get_by_role("combobox", name="Amount", exact=True)).to_have_value("Betrag (EUR)")
    page.get_by_label("Won / lost for “Auftrag erteilt”").select_option(label="Won")
    page.get_by_role("button", name="Apply and re-check").click()
    expect(page.locator(".value-map").get_by_role("row", name="Auftrag erteilt")).to_contain_text("your choice")
    page.get_by_role("button", name="Commit 10 rows").click()
    expect(page.locator(".messages")).to_contain_text("Imported: 10 new, 0 updated, 0 unchanged.")
    clinic = page.locator(".preview-table").get_by_role("row", name="Klinikum Nord")
    expect(clinic).to_contain_text("31,200.00")
    expect(clinic).to_contain_text("EUR")
    expect(clinic).to_contain_text("Won")

    with tenant_context(tenant):
        german = Deal.objects.filter(batch__source="excel")
        assert german.count() == 10
        assert sum(d.amount for d in german) == Decimal("244971.61")
        assert german.get(account_name="Klinikum Nord gGmbH").status == "won"
        assert Deal.objects.filter(batch__source="salesforce").count() == 12
