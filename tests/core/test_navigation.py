"""The navigation: which item is the section you are in, what each role is offered, and account pages keeping it."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.urls import reverse

from partnerhub.core.models import Role
from partnerhub.registry import nav_items
from scorecards.models import TemplateVersion
from tests.factories import PartnerFactory, member
from tests.isolation.routes import tenant_routes
from tests.scorecards.factories import TemplateFactory, VersionFactory
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db

CURRENT = re.compile(r'<a href="[^"]*" aria-current="page">([^<]+)</a>')
NAV = re.compile(r'<nav class="mainnav" aria-label="Main">(.*?)</nav>', re.S)


def current_item(html: str) -> str | None:
    nav = NAV.search(html)
    assert nav is not None, "the page has no main navigation"
    found = CURRENT.findall(nav.group(1))
    assert len(found) <= 1, f"more than one current item: {found}"
    return found[0] if found else None


def nav_labels(html: str) -> list[str]:
    nav = NAV.search(html)
    assert nav is not None, "the page has no main navigation"
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(1))


@pytest.mark.parametrize(
    ("url_name", "kwargs", "section"),
    [
        ("portfolio", {}, "Scorecards"),
        ("partner_scorecard", {"partner_id": "partner"}, "Scorecards"),  # was "Partners" (its address starts so)
        ("partner_detail", {"partner_id": "partner"}, "Partners"),
        ("template_list", {}, "Templates"),
        ("review_list", {}, "Reviews"),
        ("deal_review_list", {}, "Deal reviews"),  # not "Deals", whose address is a prefix of its own
        ("cadence_list", {}, "Cadences"),
    ],
)
def test_the_current_item_is_the_section_of_the_page(tenant, client_for, url_name, kwargs, section):
    admin = member(tenant, Role.ADMIN)
    partner = PartnerFactory(tenant=tenant, owner=admin)
    values = {key: partner.pk if value == "partner" else value for key, value in kwargs.items()}
    response = client_for(admin).get(tenant_url(url_name, tenant, **values))
    assert response.status_code == 200
    assert current_item(response.content.decode()) == section


def test_a_template_versions_page_is_in_the_templates_section(tenant, client_for):
    admin = member(tenant, Role.ADMIN)
    draft = VersionFactory(template=TemplateFactory(tenant=tenant), status=TemplateVersion.Status.DRAFT)
    response = client_for(admin).get(tenant_url("version_edit", tenant, version_id=draft.pk))
    assert response.status_code == 200
    assert current_item(response.content.decode()) == "Templates"  # was "Scorecards": its address is scorecards/…


def test_the_portal_actions_page_is_in_the_reviews_section_of_the_portal(tenant, client_for):
    partner = PartnerFactory(tenant=tenant)
    user = member(tenant, Role.PARTNER, partner=partner)
    response = client_for(user).get(tenant_url("portal_action_list", tenant))
    assert response.status_code == 200
    assert current_item(response.content.decode()) == "Our reviews"  # was "Our partnership" (portal/ is a prefix)


def test_declared_pages_name_routes_that_exist_and_prefixes_stay_within_their_app():
    """A declaration that names no route is a typo; a prefix claiming another app's page steals its section."""
    routes = [r for r in tenant_routes() if not r.is_api and r.name]
    app_of_module = {config.name: config.label for config in apps.get_app_configs()}

    def app_of(module: str) -> str:
        owner = max((name for name in app_of_module if module.startswith(f"{name}.")), key=len)
        return app_of_module[owner]

    declared_by = {item: config.label for config in apps.get_app_configs() for item in getattr(config, "nav_items", ())}
    for item in nav_items():
        for page in item.pages:
            prefix = page.removesuffix("*")
            claimed = [r for r in routes if (r.name.startswith(prefix) if page.endswith("*") else r.name == page)]
            assert claimed, f"{item.label}: {page!r} names no page"
            for route in claimed:
                assert app_of(route.callback.__module__) == declared_by[item], (
                    f"{item.label} ({declared_by[item]}) claims {route.name}, a page of another app"
                )


def test_an_executive_is_not_offered_the_working_pages_they_cannot_act_on(tenant, client_for):
    executive, manager = member(tenant, Role.EXECUTIVE), member(tenant, Role.MANAGER)
    working = {"Imports", "Data quality", "Templates", "Cadences", "Deal reviews", "Findings"}
    executive_nav = nav_labels(client_for(executive).get(tenant_url("partner_list", tenant)).content.decode())
    manager_nav = nav_labels(client_for(manager).get(tenant_url("partner_list", tenant)).content.decode())
    assert working <= set(manager_nav)
    assert not working & set(executive_nav)
    assert {"Dashboard", "Scorecards", "Reviews", "Partners", "Tiers"} <= set(executive_nav)
    # Left out of the menu, not forbidden: the address still opens, read-only.
    assert client_for(executive).get(tenant_url("template_list", tenant)).status_code == 200


def test_account_pages_keep_the_program_navigation_of_the_last_program(tenant, other_tenant, client_for):
    manager = member(tenant, Role.MANAGER)
    member(other_tenant, Role.EXECUTIVE, user=manager.user)
    client = client_for(manager)
    client.get(tenant_url("review_list", tenant))
    page = client.get(reverse("account_change_password")).content.decode()
    assert "Imports" in nav_labels(page)  # the manager's navigation in alpha, not the executive's in beta
    assert tenant_url("review_list", tenant) in page
    assert current_item(page) is None
    client.get(tenant_url("partner_list", other_tenant))
    page = client.get(reverse("mfa_index")).content.decode()
    assert tenant_url("partner_list", other_tenant) in page
    assert "Imports" not in nav_labels(page)


def test_an_account_page_of_a_single_program_member_shows_its_navigation_at_once(tenant, client_for):
    manager = member(tenant, Role.MANAGER)
    page = client_for(manager).get(reverse("account_change_password")).content.decode()
    assert "Scorecards" in nav_labels(page)
    assert tenant.name in page
