"""The every-page walk: each tenant page the URL resolver knows, opened in Chromium as each role would open it.

One demo program is seeded once for the module (the isolation world is built over it, so every object-id route has
an object to show) and served by the module's own live server; one browser context per role stays logged in for the
whole walk. On each page: no console error, no sideways scroll, axe-core 0 serious / 0 critical; a screenshot goes to
``var/screenshots/walk/<role>-<width>-<page>.png`` for a person to look at.

The default walk opens every page of every role at 1366 px and a representative set at 390 px (each role's landing,
the lists, a partner page, a scorecard, a review, the portal pages). ``PARTNERHUB_WALK=full`` walks every page at both
widths. docs/accessibility.md says what is checked and how to read the report (``var/screenshots/walk/walk.txt``).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response
from pytest_django.live_server_helper import LiveServer

from partnerhub.core.models import Membership, Role
from partnerhub.core.rules import can
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.demo.seed import DEMO_PASSWORD, DemoProgram, seed_program
from reviews.models import Review
from scorecards.models import ScorecardSnapshot
from tests.browser.axe import BLOCKING, describe, violations
from tests.browser.support import log_in
from tests.committed import emptied_afterwards
from tests.factories import PASSWORD
from tests.isolation.routes import Route, tenant_routes
from tests.isolation.world import World, build_world, own_object_id

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FULL = os.environ.get("PARTNERHUB_WALK", "") == "full"
WIDTHS = {1366: 768, 390: 844}
PHONE_WIDTH = 760  # app.css's phone layout: this width and less
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "walk"
# The demo program the world is built over: the world's tenant is "alpha", so the demo is seeded under that slug.
PROGRAM = DemoProgram("alpha", "Alpha Alliances", "alpha-demo.test", ("Cloud Platform", "Security", "Data & AI"), 11)
# Who walks: the demo's people for the program's staff (their landing pages have the demo's substance), the world's
# partner user for the portal (the world's objects of its own company fill the portal's object-id routes).
WALKERS = {
    Role.ADMIN: (f"admin@{PROGRAM.domain}", DEMO_PASSWORD),
    Role.MANAGER: (f"manager@{PROGRAM.domain}", DEMO_PASSWORD),
    Role.EXECUTIVE: (f"exec@{PROGRAM.domain}", DEMO_PASSWORD),
    Role.PARTNER: ("partner@alpha.test", PASSWORD),
}
# Files, not pages: a browser downloads them.
DOWNLOAD_SUFFIXES = (".csv", ".xlsx", ".pdf", ".ics")
DOWNLOAD_NAMES = {"proof_download"}
# At 390 px the default walk opens each role's landing, and these pages once each (as the first role of WALKERS that
# may open them): the lists people use most, a partner page, a scorecard, a review and every portal page.
PHONE_PAGES = {
    "partner_list",
    "portfolio",
    "review_list",
    "deal_list",
    "member_list",
    "deal_review_list",
    "quality_list",
    "audit_list",
    "plan_list",
    "finding_list",
    "fund_request_queue",
    "recommendation_list",
    "calendar_month",
    "partner_detail",
    "partner_scorecard",
    "review_detail",
    "review_preread",
    "executive_dashboard",
}
PHONE_PREFIXES = ("portal_",)
# On these pages every table fits a phone's width: no sideways scrolling even inside its own box.
FIT_ON_PHONE = {"member_list", "deal_review_list", "quality_list", "partner_scorecard", "portal_scorecard"}
SCROLLING_TABLES = """() => [...document.querySelectorAll("main .table-wrap")]
    .filter(w => w.offsetParent !== null && w.scrollWidth > w.clientWidth + 1)
    .map(w => w.getAttribute("aria-label") || w.querySelector("th")?.textContent || "a table")"""
LANDING = "tenant_home"


@dataclass
class Walk:
    base: str
    world: World
    members: dict[str, Membership]
    ids: dict[str, dict[str, int]]  # per role, URL parameters filled otherwise than from the world's own objects
    pages: dict[str, Page] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)  # per role: the console errors of the page open now
    shot: set[tuple[str, int]] = field(default_factory=set)  # the pages (and widths) screenshotted whole already
    contrast_checked: set[str] = field(default_factory=set)  # colours are the same for every role: check once
    report: list[str] = field(default_factory=list)


def walkable(route: Route, member: Membership) -> bool:
    """A page ``member`` may open: a tenant GET route (not the API, not a file, not a token link) they hold the
    permission of."""
    if route.is_api or route.is_tenant_public or route.name in DOWNLOAD_NAMES:
        return False
    if route.pattern.endswith(DOWNLOAD_SUFFIXES):
        return False
    perm = route.perm_for("GET")
    return perm is not None and can(member, perm)


def pages_of(walk: Walk, role: str, width: int) -> list[Route]:
    """The routes ``role`` walks at ``width``: every page it may open on a laptop (and, in the full walk, on a phone);
    in the default walk on a phone, its landing and the phone pages no role before it in WALKERS has walked."""
    with tenant_context(walk.world.a):
        mine = [r for r in tenant_routes() if walkable(r, walk.members[role])]
        if width > PHONE_WIDTH or FULL:
            return mine
        earlier = [m for r, m in walk.members.items() if list(WALKERS).index(r) < list(WALKERS).index(role)]
        return [
            r
            for r in mine
            if r.name == LANDING
            or (
                (r.name in PHONE_PAGES or r.name.startswith(PHONE_PREFIXES))
                and not any(walkable(r, member) for member in earlier)
            )
        ]


@pytest.fixture(scope="module")
def walk(django_db_setup: None, django_db_blocker: Any, browser: Browser) -> Iterator[Walk]:
    """The seeded program, a live server of the module's own (pytest-django's would flush the program after the
    first test), and a logged-in page per role; what it wrote is emptied afterwards (not a flush: that would take
    the content types and permissions the next tests on this database rely on)."""
    with django_db_blocker.unblock(), emptied_afterwards():
        contexts: list[BrowserContext] = []
        server: LiveServer | None = None
        try:
            seed_program(PROGRAM)
            world = build_world()
            with tenant_context(world.a):
                members = {role: Membership.objects.get(user__email=email) for role, (email, _) in WALKERS.items()}
                # The staff open a demo partner with a scorecard and a demo review with its pre-read (the world's
                # own have neither); the partner user keeps the world's objects of its own company.
                worlds = [world.own_partner.pk, world.sibling_partner.pk]
                staff_ids = {
                    "partner_id": ScorecardSnapshot.objects.exclude(partner__in=worlds)
                    .values_list("partner_id", flat=True)
                    .first(),
                    "review_id": Review.objects.exclude(partner__in=worlds)
                    .filter(preread__isnull=False)
                    .values_list("pk", flat=True)
                    .last(),
                }
                assert None not in staff_ids.values(), staff_ids
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            shutil.rmtree(SHOTS, ignore_errors=True)
            SHOTS.mkdir(parents=True)
            ids = {role: ({} if role == Role.PARTNER else staff_ids) for role in WALKERS}
            state = Walk(base=server.url, world=world, members=members, ids=ids)
            for role, (email, password) in WALKERS.items():
                context = browser.new_context(viewport={"width": 1366, "height": WIDTHS[1366]})
                contexts.append(context)
                page = context.new_page()
                page.set_default_timeout(30_000)
                log_in(page, server.url, email, password)
                errors: list[str] = []
                page.on("console", lambda message, errors=errors: _console(errors, message))
                page.on("pageerror", lambda error, errors=errors: errors.append(f"uncaught: {error}"))
                page.on("response", lambda response, errors=errors: _failed(errors, response))
                state.pages[role], state.errors[role] = page, errors
            yield state
            (SHOTS / "walk.txt").write_text("\n".join(state.report) + "\n")
        finally:
            for context in contexts:
                context.close()
            if server is not None:
                server._live_server_modified_settings.disable()
                server.stop()


def _console(errors: list[str], message: ConsoleMessage) -> None:
    if message.type == "error":
        errors.append(message.text)


def _failed(errors: list[str], response: Response) -> None:
    if response.status >= 400 and response.request.resource_type != "document":
        errors.append(f"{response.status} {response.url}")


def _url(walk: Walk, route: Route, role: str) -> str:
    ids = walk.ids[role]
    return reverse(route.name, kwargs={p: ids[p] if p in ids else own_object_id(walk.world, p) for p in route.params})


def _walk(walk: Walk, role: str, width: int) -> None:
    page = walk.pages[role]
    page.set_viewport_size({"width": width, "height": WIDTHS[width]})
    errors = walk.errors[role]
    routes = pages_of(walk, role, width)
    failures: list[str] = []
    walked: list[str] = []
    passed_by: list[str] = []
    started = time.monotonic()
    for route in routes:
        url = _url(walk, route, role)
        errors.clear()
        response = page.goto(walk.base + url)
        status = response.status if response else 0
        where = f"{role} {width}px {route.name} {url}"
        if status >= 500:
            failures.append(f"{where}: answered {status}")
            continue
        if status != 200:  # an object of another partner's (the world's sibling), for a partner user: not a page
            passed_by.append(f"{route.name} ({status})")
            continue
        if not page.evaluate("!!document.querySelector('main')"):  # an HTMX fragment, which a page loads into itself
            passed_by.append(f"{route.name} (fragment)")
            # Chromium asks a fragment (it has no icon link) for /favicon.ico: let that 404 land here, not on the
            # next page.
            page.wait_for_load_state("networkidle")
            continue
        walked.append(route.name)
        # The whole page the first time it is walked at this width; for the next roles, the first screen (their
        # navigation and heading), which costs less.
        first = (route.name, width) not in walk.shot
        walk.shot.add((route.name, width))
        page.screenshot(path=str(SHOTS / f"{role}-{width}-{route.name}.png"), full_page=first or FULL)
        overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            failures.append(f"{where}: scrolls sideways by {overflow}px")
        if width <= PHONE_WIDTH and route.name in FIT_ON_PHONE and (tables := page.evaluate(SCROLLING_TABLES)):
            failures.append(f"{where}: tables wider than the phone: {tables}")
        contrast = route.name not in walk.contrast_checked
        found = [describe(v) for v in violations(page, contrast=contrast, sample_rows=True) if v["impact"] in BLOCKING]
        walk.contrast_checked.add(route.name)
        if found:
            failures.append(f"{where}: axe {found}")
        if errors:
            failures.append(f"{where}: console {errors}")
    seconds = time.monotonic() - started
    walk.report.append(f"{role} at {width}px: {len(walked)} pages in {seconds:.0f} s: {', '.join(walked)}")
    if passed_by:
        walk.report.append(f"{role} at {width}px, not pages for this role: {', '.join(passed_by)}")
    (SHOTS / f"failures-{role}-{width}.txt").write_text("\n".join(failures))
    assert failures == [], "\n".join(failures)
    # The walk itself can fail: a role that suddenly reaches few pages means the enumeration or the world broke.
    assert len(walked) >= (MINIMUM_PAGES[role] if width > PHONE_WIDTH or FULL else MINIMUM_PHONE_PAGES[role]), walked


MINIMUM_PAGES = {Role.ADMIN: 90, Role.MANAGER: 70, Role.EXECUTIVE: 60, Role.PARTNER: 12}
MINIMUM_PHONE_PAGES = {Role.ADMIN: 15, Role.MANAGER: 1, Role.EXECUTIVE: 1, Role.PARTNER: 8}


@pytest.mark.parametrize("width", list(WIDTHS), ids=[f"{w}px" for w in WIDTHS])
@pytest.mark.parametrize("role", list(WALKERS))
def test_every_page_has_no_console_error_no_sideways_scroll_and_no_serious_axe_violation(
    walk: Walk, role: str, width: int
) -> None:
    _walk(walk, role, width)
