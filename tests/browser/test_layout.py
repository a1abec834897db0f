from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from partnerhub.core.models import Role
from tests.browser.support import Program, log_in
from tests.factories import UserFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

VIEWPORTS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
# Set PARTNERHUB_SCREENSHOTS=/some/dir to keep a full-page screenshot of every page checked here.
SHOTS = os.environ.get("PARTNERHUB_SCREENSHOTS", "")


def _check_page(page: Page, url: str, heading: str, shot: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{shot}.png"), full_page=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    # Wide content (the partner table) must scroll inside its own box, never drag the whole page sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{shot} scrolls sideways"
    box = page.get_by_role("heading", level=1).bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_login_partner_list_detail_and_portal_fit_a_laptop_and_a_phone(
    browser: Browser, program: Program, viewport: str
) -> None:
    acme = program.partners["Acme Resellers"]
    borealis = program.partners["Borealis Systems"]
    contact = member(program.tenant, role=Role.PARTNER, partner=acme, user=UserFactory(email="contact@acme.test"))
    size: Any = VIEWPORTS[viewport]

    anonymous = browser.new_context(viewport=size)
    page = anonymous.new_page()
    _check_page(page, f"{program.base_url}/accounts/login/", "Sign in to PartnerHub", f"login-{viewport}")
    log_in(page, program.base_url, program.manager.user.email)
    _check_page(page, program.url("partners/"), "Partners", f"partner_list-{viewport}")
    _check_page(page, program.url(f"partners/{borealis.pk}/"), borealis.name, f"partner_detail-{viewport}")
    anonymous.close()

    partner_side = browser.new_context(viewport=size)
    page = partner_side.new_page()
    log_in(page, program.base_url, contact.user.email)
    _check_page(page, program.url("portal/"), acme.name, f"portal-{viewport}")
    partner_side.close()
