from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from partnerhub.core.models import Role
from tests.browser.support import Program, log_in
from tests.factories import UserFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_partner_user_lands_on_their_portal_and_is_refused_every_other_partner(page: Page, program: Program) -> None:
    acme = program.partners["Acme Resellers"]
    others = [name for name in program.partners if name != acme.name]
    contact = member(program.tenant, role=Role.PARTNER, partner=acme, user=UserFactory(email="contact@acme.test"))

    log_in(page, program.base_url, contact.user.email)
    expect(page).to_have_url(program.url("portal/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(acme.name)
    expect(page.locator("main")).to_contain_text(f"Your partnership with {program.tenant.name}")
    expect(page.locator("main .lead")).to_contain_text(program.manager.user.email)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(
        [
            "Our partnership",
            "Our scorecard",
            "Our reviews",
            "Our plan",
            "Your tier",
            "Our funds",
            "Recognition wall",
            "Notices",
            "Program memos",
            "Review feedback",
            "Glossary",
            "Concerns",
        ]
    )
    expect(page.get_by_role("link", name="Partners", exact=True)).to_have_count(0)
    portal_html = page.content()
    assert [name for name in others if name in portal_html] == []

    for path in ("partners/", f"partners/{program.partners['Borealis Systems'].pk}/"):
        response = page.goto(program.url(path))
        assert response is not None
        assert response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
        expect(page.get_by_role("link", name="Partners", exact=True)).to_have_count(0)
        html = page.content()
        assert [name for name in others if name in html] == []
