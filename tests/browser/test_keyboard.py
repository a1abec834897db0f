from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import Program, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _first_tab_reaches_the_skip_link_which_moves_focus_to_main(page: Page, url: str) -> None:
    page.goto(url)
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).not_to_be_focused()
    assert page.evaluate("document.activeElement === document.body")

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["y"] >= 0  # shown on screen once focused, not left off-screen

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("#main")


def test_skip_link_is_the_first_stop_for_the_keyboard_signed_out_and_signed_in(page: Page, program: Program) -> None:
    _first_tab_reaches_the_skip_link_which_moves_focus_to_main(page, f"{program.base_url}/accounts/login/")
    log_in(page, program.base_url, program.manager.user.email)
    _first_tab_reaches_the_skip_link_which_moves_focus_to_main(page, program.url("partners/"))
