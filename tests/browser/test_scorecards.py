from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from partnerhub.demo.seed import DEMO_PASSWORD, PROGRAMS, seed_program
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_manager_walks_from_the_portfolio_to_a_scorecard_to_the_glossary(page: Page, live_server: Any) -> None:
    program = PROGRAMS[0]
    seed_program(program)
    log_in(page, live_server.url, f"manager@{program.domain}", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scorecards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your partners' scorecards")  # their own, by default
    rows = page.locator("table.scores tbody tr")
    expect(rows.first).to_be_visible()
    name = rows.first.locator("td a").first.inner_text()
    rows.first.locator("td a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator(".chart .main-svg").first).to_be_attached()
    expect(page.get_by_role("heading", name="How the score is made")).to_be_visible()
    page.locator("table").last.get_by_role("link", name="Revenue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revenue")


def test_a_partner_user_sees_only_their_own_scorecard(page: Page, live_server: Any) -> None:
    program = PROGRAMS[0]
    seed_program(program)
    log_in(page, live_server.url, f"partner1@{program.domain}", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Our scorecard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your scorecard")
    expect(page.get_by_text("Segment median")).to_be_visible()
    expect(page.get_by_text("Percentile in segment")).to_have_count(0)
    response = page.goto(f"{live_server.url}/t/{program.slug}/scorecards/")
    assert response is not None
    assert response.status == 403


def _watch_console(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return errors


@pytest.mark.parametrize("who", ["manager", "partner1"])
def test_charts_draw_and_answer_hover_under_the_enforced_csp_with_no_console_error(
    page: Page, live_server: Any, who: str
) -> None:
    program = PROGRAMS[0]
    seed_program(program)
    errors = _watch_console(page)
    log_in(page, live_server.url, f"{who}@{program.domain}", DEMO_PASSWORD)
    if who == "manager":
        page.goto(f"{live_server.url}/t/{program.slug}/scorecards/")
        page.locator("table.scores tbody tr").first.locator("td a").first.click()
    else:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Our scorecard").click()
    response = page.reload()
    assert response is not None
    csp = response.headers.get("content-security-policy", "")
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp  # the policy is the strict one, and it is enforced (not report-only)
    chart = page.locator(".js-plotly-plot").first
    expect(chart.locator(".main-svg").first).to_be_attached()
    # plotly found our stylesheet instead of injecting a <style> element the CSP would refuse
    assert page.locator("style#plotly\\.js-style-global").count() == 0
    # Where plotly drew the score's last point, in page pixels: the pointer goes there as a person's would (after
    # scrolling to the chart, as a person would: the manager's page shows the open plan above it).
    chart.scroll_into_view_if_needed()
    x, y = chart.evaluate(
        """gd => {
            const trace = gd._fullData[0], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
            const i = trace.y.map((v, n) => v === null ? -1 : n).filter(n => n >= 0).pop();
            const box = gd.getBoundingClientRect();
            // A point drawn on the plot's edge (a score of 100 or 0) is hovered from just inside the plot area.
            const y = Math.min(Math.max(ya.d2p(trace.y[i]), 3), ya._length - 3);
            return [box.left + xa._offset + xa.d2p(trace.x[i]), box.top + ya._offset + y];
        }"""
    )
    page.mouse.move(x - 30, y)
    page.mouse.move(x, y)
    expect(chart.locator(".hoverlayer .hovertext").first).to_be_visible()
    assert [e for e in errors if "Content Security Policy" in e or "uncaught" in e or "CSP" in e] == []
