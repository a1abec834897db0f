from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, Response, expect

from tests.browser.support import Program, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_partner_list_has_no_console_errors_and_requests_only_its_own_host(page: Page, program: Program) -> None:
    log_in(page, program.base_url, program.manager.user.email)
    console_errors: list[str] = []
    requests: list[str] = []
    failed: list[str] = []
    bad_statuses: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    def on_response(response: Response) -> None:
        if response.status >= 400:
            bad_statuses.append(f"{response.status} {response.url}")

    def on_failed(request: Request) -> None:
        failed.append(f"{request.url} {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", on_failed)
    page.on("response", on_response)

    page.goto(program.url("partners/"))
    page.wait_for_load_state("networkidle")
    page.get_by_label("Tier").select_option(label="Gold")
    expect(page.locator("#partner-table tbody tr td:first-child a")).to_have_text(
        ["Acme Resellers", "Echo Integrators"]
    )
    page.get_by_label("Search by name").press_sequentially("acme")
    expect(page.locator("#partner-table tbody tr td:first-child a")).to_have_text(["Acme Resellers"])
    page.wait_for_load_state("networkidle")

    paths = [urlsplit(url).path for url in requests]
    # The listeners saw the page, its own assets and the HTMX requests, so an empty result below means something.
    assert "/static/django_htmx/htmx-2.min.js" in paths
    assert "/static/partnerhub/app.css" in paths
    assert sum(1 for url in requests if "tier=gold" in url) >= 1
    host = urlsplit(program.base_url).netloc
    assert [url for url in requests if urlsplit(url).netloc != host] == []
    assert failed == []
    assert bad_statuses == []
    assert console_errors == []
