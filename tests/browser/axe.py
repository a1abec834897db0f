"""axe-core in the browser suite: the engine bundled by axe-playwright-python (a pinned dev dependency), so the
check runs wherever the suite runs and never skips.

axe is evaluated through Playwright (the DevTools protocol), which the page's Content-Security-Policy does not
govern: the page is checked as a visitor gets it, CSP enforced, in the same context that looks for console errors.
Only serious and critical violations fail a test; the others are reported by ``violations`` for whoever wants them.
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page

BLOCKING = ("critical", "serious")
# Only what a report needs crosses back from the page: axe's full result (every rule that passed or did not apply,
# with its metadata) takes longer to hand over than axe takes to run.
RUN = """([context, options]) => axe.run(context, options).then(result => result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(node => node.target.join(" ")),
})))"""


# A long table's rows after the tenth repeat the markup and the colours of the first ten: axe's time on a list page
# grows with its rows (the demo's reviews list took 8 s), its findings do not.
REPEATED_ROWS = "tbody tr:nth-child(n+11)"


def violations(page: Page, *, contrast: bool = True, sample_rows: bool = False) -> list[dict[str, Any]]:
    """Every axe violation of the page as it is now: {id, impact, help, nodes: [css selectors]}.

    ``contrast=False`` leaves out colour contrast, four fifths of axe's time on a long page, for a caller that has
    checked the same page's colours already (the walk, at its second role). ``sample_rows=True`` checks the first
    ten rows of each table body only (the walk, which opens every page)."""
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if not contrast:
        options["rules"] = {"color-contrast": {"enabled": False}}
    context: Any = {"include": [["html"]], "exclude": [[REPEATED_ROWS]]} if sample_rows else {"include": [["html"]]}
    page.evaluate(AXE_SCRIPT)
    found: list[dict[str, Any]] = page.evaluate(RUN, [context, options])
    return found


def describe(violation: dict[str, Any]) -> str:
    """One line: the rule, its impact, how many nodes and the first three."""
    nodes = violation["nodes"]
    return f"{violation['id']} ({violation['impact']}): {len(nodes)} nodes, {', '.join(nodes[:3])}"


def blocking_violations(page: Page) -> list[str]:
    """The serious and critical violations, one line each."""
    return [describe(v) for v in violations(page) if v["impact"] in BLOCKING]


def assert_accessible(page: Page, where: str = "") -> None:
    """No serious or critical axe violation on the page."""
    found = blocking_violations(page)
    assert found == [], f"{where or page.url}: {found}"
