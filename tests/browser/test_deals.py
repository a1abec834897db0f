"""Deals in a browser, on the seeded demo: find them in the list, filter them, open one, see them on the partner page;
every page fits a laptop and a phone and passes axe-core with no serious or critical violation."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from partnerhub.core.models import Partner
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.demo.seed import DEMO_PASSWORD, PROGRAMS, seed_program
from scorecards.models import Deal
from tests.browser.axe import blocking_violations
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
# Set PARTNERHUB_SCREENSHOTS=/some/dir to keep a full-page screenshot of every page checked here.
SHOTS = os.environ.get("PARTNERHUB_SCREENSHOTS", "")


@pytest.fixture
def demo(live_server: Any) -> dict[str, Any]:
    program = PROGRAMS[0]
    seed_program(program)
    from partnerhub.core.models import Tenant

    tenant = Tenant.objects.get(slug=program.slug)
    with tenant_context(tenant):
        partner = Partner.objects.filter(name__in=Deal.objects.values("partner__name")).order_by("name").first()
        assert partner is not None
        deal_count = Deal.objects.filter(partner=partner).count()
    return {"program": program, "base": live_server.url, "partner": partner, "deal_count": deal_count}


def test_a_manager_finds_deals_filters_them_opens_one_and_sees_them_on_the_partner_page(
    page: Page, demo: dict[str, Any]
) -> None:
    program, base, partner = demo["program"], demo["base"], demo["partner"]
    log_in(page, base, f"manager@{program.domain}", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Deals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deals")
    rows = page.locator("#deal-table tbody tr")
    expect(rows.first).to_be_visible()
    total = int(re.sub(r"\D", "", page.locator("#deal-table .count").inner_text()))
    assert total > 100  # the demo's seeded deals

    page.get_by_label("Status").select_option(label="Won")
    expect(page.locator("#deal-table .count")).to_contain_text("match these filters")
    expect(page).to_have_url(re.compile(r"status=won"))
    statuses = page.locator("#deal-table tbody tr td:nth-child(4)").all_inner_texts()
    assert statuses
    assert set(statuses) == {"Won"}
    page.get_by_label("Partner").select_option(label=partner.name)
    expect(page.locator("#deal-table tbody tr td:nth-child(2)").first).to_have_text(partner.name)
    assert set(page.locator("#deal-table tbody tr td:nth-child(2)").all_inner_texts()) == {partner.name}

    first = rows.first.locator("td a").first
    deal_id = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(deal_id)
    expect(page.get_by_role("heading", name="Where it came from")).to_be_visible()
    expect(page.get_by_role("heading", name="Joint deal review")).to_be_visible()

    page.locator(".facts").get_by_role("link", name=partner.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(partner.name)
    section = page.locator("#partner-deals")
    expect(section.get_by_role("heading", name="Latest deals")).to_be_visible()
    expect(section.locator("tbody tr")).to_have_count(5)
    expect(page.locator("#partner-activities tbody tr").first).to_be_visible()
    expect(page.locator("#partner-surveys tbody tr").first).to_be_visible()
    section.get_by_role("link", name=re.compile(r"^All .* deals")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Deals of {partner.name}")
    expect(page.locator("#deal-table .count")).to_contain_text(f"{demo['deal_count']:,} deal")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_the_deal_pages_fit_a_laptop_and_a_phone_and_pass_axe(
    browser: Browser, demo: dict[str, Any], viewport: str
) -> None:
    program, base, partner = demo["program"], demo["base"], demo["partner"]
    from partnerhub.core.models import Tenant

    tenant = Tenant.objects.get(slug=program.slug)
    with tenant_context(tenant):
        deal = Deal.objects.filter(partner=partner, review__isnull=False).order_by("id").first() or (
            Deal.objects.filter(partner=partner).order_by("id").first()
        )
        assert deal is not None
    size: Any = VIEWPORTS[viewport]
    context = browser.new_context(viewport=size)
    page = context.new_page()
    log_in(page, base, f"admin@{program.domain}", DEMO_PASSWORD)
    t = f"{base}/t/{program.slug}"
    pages = {
        "deals": f"{t}/deals/",
        "deals_filtered": f"{t}/deals/?status=open&registration=pending&sort=-amount",
        "partner_deals": f"{t}/partners/{partner.pk}/deals/",
        "deal": f"{t}/deals/{deal.pk}/",
        "partner": f"{t}/partners/{partner.pk}/",
        "activities": f"{t}/activities/?partner={partner.pk}",
        "surveys": f"{t}/surveys/?partner={partner.pk}",
        "audit": f"{t}/audit/",
    }
    problems: dict[str, list[str]] = {}
    for name, url in pages.items():
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, name
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{viewport}.png"), full_page=True)
        # Wide tables scroll inside their own box, never the whole page sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], f"{name} scrolls sideways"
        found = blocking_violations(page)
        if found:
            problems[name] = found
    context.close()
    assert problems == {}
