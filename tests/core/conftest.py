"""Shared people, partners and clients for the core app's tests: one program ("alpha") and a foreign one ("beta")."""

from __future__ import annotations

from typing import Any

import pytest

from partnerhub.core.models import Partner, Role
from tests.factories import PartnerFactory, member


@pytest.fixture
def admin(tenant):
    return member(tenant, Role.ADMIN, user__email="admin@alpha.test", user__first_name="Ada", user__last_name="Admin")


@pytest.fixture
def manager(tenant):
    return member(
        tenant, Role.MANAGER, user__email="manager@alpha.test", user__first_name="Mara", user__last_name="Manager"
    )


@pytest.fixture
def other_manager(tenant):
    return member(
        tenant, Role.MANAGER, user__email="other.manager@alpha.test", user__first_name="Otto", user__last_name="Other"
    )


@pytest.fixture
def executive(tenant):
    return member(
        tenant, Role.EXECUTIVE, user__email="exec@alpha.test", user__first_name="Eve", user__last_name="Executive"
    )


@pytest.fixture
def foreign_manager(other_tenant):
    return member(
        other_tenant, Role.MANAGER, user__email="manager@beta.test", user__first_name="Bert", user__last_name="Beta"
    )


@pytest.fixture
def foreign_admin(other_tenant):
    return member(other_tenant, Role.ADMIN, user__email="admin@beta.test")


@pytest.fixture
def owned_partner(tenant, manager):
    return PartnerFactory(tenant=tenant, name="Acme Cloud", owner=manager)


@pytest.fixture
def foreign_partner(other_tenant, foreign_manager):
    return PartnerFactory(tenant=other_tenant, name="Beta Only Partner", owner=foreign_manager)


@pytest.fixture
def catalogue(tenant, manager, other_manager, executive, admin, other_tenant, foreign_manager):
    """Common partners plus one target per filter: each target differs from the common ones in one field only.

    Returns {filter field: (query value, the only partner that value matches)}.
    """
    common = {
        "partner_type": Partner.Type.RESELLER,
        "tier": Partner.Tier.SILVER,
        "stage": Partner.Stage.GROWTH,
        "region": Partner.Region.EMEA,
        "market": "Germany",
        "product_lines": ["Cloud"],
        "owner": manager,
        "executive_sponsor": executive,
        "data_steward": manager,
    }
    for n in range(3):
        PartnerFactory(tenant=tenant, name=f"Common {n}", **common)
    # A foreign partner that would match every filter value below, were tenants not kept apart.
    PartnerFactory(
        tenant=other_tenant,
        name="Zephyr Beta",
        partner_type=Partner.Type.SI,
        tier=Partner.Tier.GOLD,
        stage=Partner.Stage.AT_RISK,
        region=Partner.Region.APAC,
        market="France",
        product_lines=["Security"],
        owner=foreign_manager,
    )

    def target(name: str, **changes: Any) -> Partner:
        return PartnerFactory(tenant=tenant, name=name, **{**common, **changes})

    return {
        "q": ("zephyr", target("Zephyr Systems")),
        "partner_type": (Partner.Type.SI, target("Target type", partner_type=Partner.Type.SI)),
        "tier": (Partner.Tier.GOLD, target("Target tier", tier=Partner.Tier.GOLD)),
        "stage": (Partner.Stage.AT_RISK, target("Target stage", stage=Partner.Stage.AT_RISK)),
        "region": (Partner.Region.APAC, target("Target region", region=Partner.Region.APAC)),
        "market": ("France", target("Target market", market="France")),
        "product_line": ("Security", target("Target product line", product_lines=["Cloud", "Security"])),
        "owner": (other_manager.pk, target("Target owner", owner=other_manager)),
        "executive_sponsor": (admin.pk, target("Target sponsor", executive_sponsor=admin)),
        "data_steward": (executive.pk, target("Target steward", data_steward=executive)),
    }
