"""Browser fixtures: a program with a few partners, a live server, Chromium launched the way tests/conftest.py says."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from partnerhub.core.models import Partner, Role, Tenant
from tests.browser.support import Program
from tests.factories import PartnerFactory, UserFactory, member

expect.set_options(timeout=5_000)


@pytest.fixture
def page(page: Page) -> Page:
    page.set_default_timeout(8_000)
    page.set_default_navigation_timeout(10_000)
    return page


@pytest.fixture
def program(live_server: Any, tenant: Tenant) -> Program:
    manager = member(tenant, role=Role.MANAGER, user=UserFactory(email="manager@alpha.test"))
    specs = [
        ("Acme Resellers", Partner.Type.RESELLER, Partner.Tier.GOLD, Partner.Region.EMEA, "Germany", ["Cloud"]),
        (
            "Borealis Systems",
            Partner.Type.SI,
            Partner.Tier.PLATINUM,
            Partner.Region.NORTH_AMERICA,
            "United States",
            ["Security", "Cloud"],
        ),
        ("Cobalt Technology", Partner.Type.TECHNOLOGY, Partner.Tier.SILVER, Partner.Region.APAC, "Japan", ["Data"]),
        ("Delta Referrals", Partner.Type.REFERRAL, Partner.Tier.REGISTERED, Partner.Region.LATAM, "Brazil", []),
        ("Echo Integrators", Partner.Type.SI, Partner.Tier.GOLD, Partner.Region.EMEA, "France", ["Data", "Cloud"]),
    ]
    partners = {
        name: PartnerFactory(
            tenant=tenant,
            name=name,
            partner_type=kind,
            tier=tier,
            region=region,
            market=market,
            product_lines=lines,
            owner=manager,
        )
        for name, kind, tier, region, market, lines in specs
    }
    return Program(base_url=live_server.url, tenant=tenant, manager=manager, partners=partners)
