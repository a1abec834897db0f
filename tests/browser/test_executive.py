"""An executive's morning: log in (landing on the dashboard), filter by market and product line, open the partners
behind a number, read the quarter's memo and download its PDF (its pages rendered to PNG and looked at), at a
laptop's and a phone's width, with axe-core finding no serious or critical violation."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.models import MemoVersion
from partnerhub.executive.services.dashboard import dashboard_precompute
from partnerhub.executive.services.memo import memo_generate, memo_publish
from scorecards.models import ScorecardSnapshot
from tests.browser.axe import blocking_violations
from tests.browser.support import log_in
from tests.executive.world import TODAY, build_program
from tests.factories import UserFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Set PARTNERHUB_SCREENSHOTS=/some/dir to keep the screenshots and the memo's PDF pages.
SHOTS = Path(os.environ.get("PARTNERHUB_SCREENSHOTS", "") or "/tmp/partnerhub-executive-shots")  # noqa: S108
VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def world(live_server: Any, tenant: Any) -> dict[str, Any]:
    program = build_program(tenant, partners=24)
    executive = member(tenant, Role.EXECUTIVE, user=UserFactory(email="exec@alpha.test"))
    dashboard_precompute(tenant=tenant, today=TODAY)
    memo = memo_generate(tenant=tenant, quarter=TODAY.replace(month=4, day=1)).memo
    with tenant_context(tenant):
        draft = MemoVersion.objects.get(memo=memo, status="draft")
    memo_publish(tenant=tenant, actor=executive, version=draft)
    return {"base": live_server.url, "tenant": tenant, "executive": executive, "program": program, "memo": memo}


def _axe(browser: Browser, base: str, email: str, paths: list[str]) -> dict[str, list[str]]:
    """Serious and critical axe-core violations per page."""
    context = browser.new_context(viewport=VIEWPORTS["laptop"])  # type: ignore[arg-type]
    page = context.new_page()
    log_in(page, base, email)
    found = {}
    for path in paths:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        found[path] = blocking_violations(page)
    context.close()
    return found


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_an_executive_filters_the_dashboard_opens_the_partners_behind_a_number_and_downloads_the_memo(
    browser: Browser, world: dict[str, Any], viewport: str
) -> None:
    base, tenant = world["base"], world["tenant"]
    context = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, base, "exec@alpha.test")
    page.goto(base + "/t/alpha/")
    expect(page).to_have_url(f"{base}/t/alpha/executive/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Program dashboard")
    expect(page.locator(".js-plotly-plot").first).to_be_visible()  # plotly drew under the CSP
    _shot(page, f"dashboard-{viewport}")

    if viewport == "phone":
        page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Market", exact=True).select_option("Germany")
    page.get_by_label("Product line", exact=True).select_option("Cloud")
    page.get_by_label("Period", exact=True).select_option("month")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"market=Germany.*product_line=Cloud"))
    scored = page.locator(".tile", has_text="Partners scored").locator("a.tile-value")
    count = int(scored.inner_text().split("—")[0].strip())
    with tenant_context(tenant):
        latest = max(ScorecardSnapshot.objects.filter(period="month").values_list("period_start", flat=True))
        expected = ScorecardSnapshot.objects.filter(
            period="month",
            period_start=latest,
            score__isnull=False,
            partner__market="Germany",
            partner__product_lines__contains=["Cloud"],
        ).count()
    assert count == expected > 0
    _shot(page, f"dashboard-filtered-{viewport}")

    scored.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Partners scored in")
    expect(page.locator("table.data tbody tr")).to_have_count(expected)
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    _shot(page, f"partners-behind-{viewport}")

    page.goto(base + f"/t/alpha/executive/memos/{world['memo'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Memo Q2 2025")
    _shot(page, f"memo-{viewport}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF (v1)").click()
    pdf = SHOTS / f"memo-{viewport}.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(pdf), str(SHOTS / f"memo-{viewport}-page")],
            check=True,
        )
        pages = sorted(SHOTS.glob(f"memo-{viewport}-page*.png"))
        assert pages
        assert all(p.stat().st_size > 5_000 for p in pages)  # a rendered page, not a blank one
    assert errors == []
    context.close()


def test_the_executive_pages_have_no_serious_accessibility_violation(browser: Browser, world: dict[str, Any]) -> None:
    memo = world["memo"].pk
    paths = [
        "/t/alpha/executive/",
        "/t/alpha/executive/?tab=leading",
        "/t/alpha/executive/?market=Germany&product_line=Cloud",
        "/t/alpha/executive/partners/?show=rag:red",
        "/t/alpha/executive/definitions/",
        "/t/alpha/executive/memos/",
        f"/t/alpha/executive/memos/{memo}/",
        "/t/alpha/digest/settings/",
        "/t/alpha/concerns/",
    ]
    assert _axe(browser, world["base"], "exec@alpha.test", paths) == {path: [] for path in paths}
