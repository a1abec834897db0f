from __future__ import annotations

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.domain.glossary_defaults import DEFAULT_METRICS
from scorecards.models import MetricDefinition
from scorecards.services.glossary import glossary_seed
from tests.factories import member
from tests.scorecards.factories import (
    MetricDefinitionFactory,
    metric_form_data,
)
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db

METRIC_ROW = re.compile(r'data-metric-id="(\d+)"')
EVERY_ROLE = [Role.ADMIN, Role.MANAGER, Role.EXECUTIVE, Role.PARTNER]


@pytest.fixture
def catalog(tenant):
    glossary_seed(tenant=tenant)
    with tenant_context(tenant):
        return {m.key: m for m in MetricDefinition.objects.for_tenant(tenant)}


@pytest.fixture
def admin(tenant):
    return member(tenant, Role.ADMIN, user__email="admin@alpha.test")


def stored(metric):
    with tenant_context(metric.tenant):
        return MetricDefinition.objects.for_tenant(metric.tenant).get(pk=metric.pk)


def edit_url(metric):
    return tenant_url("metric_edit", metric.tenant, metric_id=metric.pk)


# --- reading ---


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_every_role_reads_the_whole_glossary(tenant, catalog, role, actor, client_for):
    response = client_for(actor(role)).get(tenant_url("metric_list", tenant))
    assert response.status_code == 200
    assert {int(pk) for pk in METRIC_ROW.findall(response.content.decode())} == {m.pk for m in catalog.values()}


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_every_role_reads_a_metrics_definition(tenant, catalog, role, actor, client_for):
    metric = catalog["discount_discipline"]
    response = client_for(actor(role)).get(tenant_url("metric_detail", tenant, metric_id=metric.pk))
    assert response.status_code == 200
    assert metric.definition in response.content.decode()


def test_the_glossary_shows_how_each_metric_is_measured(tenant, catalog, admin, client_for):
    owner = member(tenant, Role.MANAGER, user__first_name="Dora", user__last_name="Owner")
    with tenant_context(tenant):
        MetricDefinition.objects.for_tenant(tenant).filter(key="sales_cycle_days").update(data_owner=owner)
    page = client_for(admin).get(tenant_url("metric_list", tenant)).content.decode()
    row = page[page.index(f'data-metric-id="{catalog["sales_cycle_days"].pk}"') :].split("</li>")[0]
    shown_facts = (
        "sales_cycle_days",
        "Days",
        "Lower is better",
        "Lagging",
        "average of months with data",
        "From deals",
    )
    for shown in shown_facts:
        assert shown in row
    assert "Dora Owner" in row


def test_the_glossary_is_grouped_by_category_in_the_programs_order(tenant, catalog, admin, client_for):
    page = client_for(admin).get(tenant_url("metric_list", tenant)).content.decode()
    headings = re.findall(r'<h2 id="category-(\w+)-title">', page)
    assert headings == list(MetricDefinition.Category.values)


def test_every_metric_in_the_glossary_links_to_its_definition(tenant, catalog, admin, client_for):
    page = client_for(admin).get(tenant_url("metric_list", tenant)).content.decode()
    links = set(re.findall(r'<a class="metric-link" href="([^"]+)"', page))
    assert links == {tenant_url("metric_detail", tenant, metric_id=m.pk) for m in catalog.values()}


def test_the_glossary_search_keeps_the_matching_metrics_only(tenant, catalog, admin, client_for):
    response = client_for(admin).get(tenant_url("metric_list", tenant), {"q": "renewal rate"})
    assert {int(pk) for pk in METRIC_ROW.findall(response.content.decode())} == {catalog["renewal_rate"].pk}


def test_the_glossary_filters_one_category(tenant, catalog, admin, client_for):
    response = client_for(admin).get(tenant_url("metric_list", tenant), {"category": "capability"})
    expected = {catalog["certified_staff"].pk, catalog["training_completions"].pk}
    assert {int(pk) for pk in METRIC_ROW.findall(response.content.decode())} == expected


def test_a_search_that_matches_nothing_says_so(tenant, catalog, admin, client_for):
    response = client_for(admin).get(tenant_url("metric_list", tenant), {"q": "zzz-nothing"})
    assert response.status_code == 200
    assert "No metric matches this search" in response.content.decode()


def test_an_unknown_category_is_ignored_with_its_error(tenant, catalog, admin, client_for):
    response = client_for(admin).get(tenant_url("metric_list", tenant), {"category": "astrology"})
    assert response.status_code == 200
    assert len(METRIC_ROW.findall(response.content.decode())) == len(DEFAULT_METRICS)


def test_the_glossary_never_shows_another_programs_metrics(tenant, other_tenant, catalog, admin, client_for):
    MetricDefinitionFactory(tenant=other_tenant, name="FOREIGN-METRIC-MARKER")
    assert "FOREIGN-METRIC-MARKER" not in client_for(admin).get(tenant_url("metric_list", tenant)).content.decode()


@pytest.mark.parametrize("name", ["metric_detail", "metric_edit"])
def test_another_programs_metric_is_a_404(tenant, other_tenant, admin, name, client_for):
    foreign_metric = MetricDefinitionFactory(tenant=other_tenant)
    response = client_for(admin).get(tenant_url(name, tenant, metric_id=foreign_metric.pk))
    assert response.status_code == 404


def test_the_edit_button_is_shown_to_admins_only(tenant, catalog, admin, actor, client_for):
    metric = catalog["csat"]
    manager = actor(Role.MANAGER)
    url = tenant_url("metric_detail", tenant, metric_id=metric.pk)
    assert edit_url(metric) in client_for(admin).get(url).content.decode()
    assert edit_url(metric) not in client_for(manager).get(url).content.decode()


def test_the_glossary_list_costs_the_same_queries_for_5_and_25_metrics(tenant, admin, client_for):
    owner = member(tenant, Role.MANAGER)
    client = client_for(admin)
    url = tenant_url("metric_list", tenant)
    for n in range(5):
        MetricDefinitionFactory(tenant=tenant, data_owner=owner, category=MetricDefinition.Category.values[n % 6])
    client.get(url)
    with CaptureQueriesContext(connection) as five:
        assert len(METRIC_ROW.findall(client.get(url).content.decode())) == 5
    for n in range(20):
        MetricDefinitionFactory(tenant=tenant, data_owner=owner, category=MetricDefinition.Category.values[n % 6])
    with CaptureQueriesContext(connection) as twenty_five:
        assert len(METRIC_ROW.findall(client.get(url).content.decode())) == 25
    assert len(twenty_five.captured_queries) == len(five.captured_queries)


# --- editing ---


def test_an_admin_edits_a_metric_and_is_sent_to_its_definition(tenant, catalog, admin, client_for):
    metric = catalog["csat"]
    owner = member(tenant, Role.EXECUTIVE)
    data = metric_form_data(metric, name="Customer happiness", data_owner=owner.pk, freshness_days=90)
    response = client_for(admin).post(edit_url(metric), data)
    assert response.status_code == 302
    assert response["Location"] == tenant_url("metric_detail", tenant, metric_id=metric.pk)
    saved = stored(metric)
    assert (saved.name, saved.data_owner_id, saved.freshness_days) == ("Customer happiness", owner.pk, 90)


def test_the_edit_form_opens_for_an_admin(tenant, catalog, admin, client_for):
    response = client_for(admin).get(edit_url(catalog["revenue"]))
    assert response.status_code == 200
    assert 'name="definition"' in response.content.decode()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EXECUTIVE, Role.PARTNER])
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_an_admin_may_open_or_post_the_edit_form(tenant, catalog, role, method, actor, client_for):
    metric = catalog["csat"]
    client = client_for(actor(role))
    response = getattr(client, method)(edit_url(metric), metric_form_data(metric, name="Hijacked"))
    assert response.status_code == 403
    assert stored(metric).name == "Customer satisfaction (CSAT)"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("unit", "parsecs", "Select a valid choice."),
        ("freshness_days", "-3", "Ensure this value is greater than or equal to 0."),
        ("freshness_days", "soon", "Enter a whole number."),
    ],
)
def test_an_invalid_edit_is_a_400_with_the_fields_error_and_changes_nothing(
    tenant, catalog, admin, field, value, message, client_for
):
    metric = catalog["csat"]
    response = client_for(admin).post(edit_url(metric), metric_form_data(metric, **{field: value, "definition": "New"}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Edit Customer satisfaction (CSAT)" in response.content.decode()
    assert stored(metric).definition == metric.definition


def test_a_data_owner_from_another_program_is_a_400_and_changes_nothing(
    tenant, other_tenant, catalog, admin, client_for
):
    metric = catalog["csat"]
    foreign = member(other_tenant, Role.MANAGER)
    response = client_for(admin).post(edit_url(metric), metric_form_data(metric, name="X", data_owner=foreign.pk))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    saved = stored(metric)
    assert (saved.name, saved.data_owner_id) == ("Customer satisfaction (CSAT)", None)


def test_a_partner_user_is_not_offered_as_data_owner(tenant, catalog, admin, actor, client_for):
    metric = catalog["csat"]
    partner_user = actor(Role.PARTNER)
    response = client_for(admin).post(edit_url(metric), metric_form_data(metric, data_owner=partner_user.pk))
    assert response.status_code == 400
    assert stored(metric).data_owner_id is None


# --- {% metric_link %} ---


def render_link(metric, tenant):
    request = RequestFactory().get("/")
    request.tenant = tenant
    return Template("{% load metrics %}{% metric_link metric %}").render(
        Context({"request": request, "metric": metric})
    )


def test_metric_link_renders_the_name_linked_to_the_glossary_entry(tenant, catalog):
    metric = catalog["win_rate"]
    html = render_link(metric, tenant)
    assert html.startswith(f'<a class="metric-link" href="{tenant_url("metric_detail", tenant, metric_id=metric.pk)}"')
    assert html.endswith(">Win rate</a>")


def test_metric_link_escapes_an_admins_wording(tenant):
    metric = MetricDefinitionFactory(tenant=tenant, name="<b>Bold</b>", definition='Say "hi" & <i>go</i>')
    html = render_link(metric, tenant)
    assert "&lt;b&gt;Bold&lt;/b&gt;</a>" in html
    assert 'title="Say &quot;hi&quot; &amp; &lt;i&gt;go&lt;/i&gt;"' in html


def test_metric_link_outside_a_program_shows_the_plain_name(tenant, catalog):
    html = Template("{% load metrics %}{% metric_link metric %}").render(Context({"metric": catalog["win_rate"]}))
    assert html == "Win rate"
