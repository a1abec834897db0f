"""The landing pages in a browser, with the CSP enforced: a manager lands on their portfolio and its RAG chart draws
and answers hover; the reviews list's load chart draws; a partner user's home shows their standing. No console error,
no sideways scroll at 1366 or 390 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from partnerhub.demo.seed import DEMO_PASSWORD, PROGRAMS, seed_program
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _watch_console(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return errors


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways"


@pytest.mark.parametrize("width", [1366, 390])
def test_a_manager_lands_on_their_portfolio_whose_charts_draw_under_the_csp(
    page: Page, live_server: Any, width: int
) -> None:
    program = PROGRAMS[0]
    seed_program(program)
    page.set_viewport_size({"width": width, "height": 900})
    errors = _watch_console(page)
    log_in(page, live_server.url, f"manager@{program.domain}", DEMO_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/t/{program.slug}/scorecards/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your partners' scorecards")
    expect(
        page.get_by_role("navigation", name="Whose partners").get_by_role("link", name="My partners")
    ).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="Needs your attention")).to_be_visible()
    expect(page.get_by_role("heading", name="Reviews in the next 7 days")).to_be_visible()
    chart = page.locator(".chart-small.js-plotly-plot").first
    expect(chart.locator(".main-svg").first).to_be_attached()
    bar = chart.locator(".bars .point path").first
    bar.scroll_into_view_if_needed()
    bar.hover(force=True)
    expect(page.locator(".hoverlayer .hovertext").first).to_contain_text("partners")
    _fits(page)
    page.goto(f"{live_server.url}/t/{program.slug}/reviews/")
    expect(page.locator(".load-card .main-svg").first).to_be_attached()
    _fits(page)
    assert errors == []


def test_a_partner_user_lands_on_a_home_that_says_where_they_stand(page: Page, live_server: Any) -> None:
    program = PROGRAMS[0]
    seed_program(program)
    errors = _watch_console(page)
    log_in(page, live_server.url, f"partner1@{program.domain}", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Your score")).to_be_visible()
    expect(page.locator("#your-score")).to_contain_text("Your segment")
    expect(page.get_by_role("heading", name="Your next review")).to_be_visible()
    expect(page.get_by_role("heading", name="Due from you")).to_be_visible()
    expect(page.get_by_role("heading", name="Latest shared decisions")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    _fits(page)
    assert errors == []
