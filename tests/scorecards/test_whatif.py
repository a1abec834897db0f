from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerhub.core.errors import InvalidStateError
from partnerhub.core.models import Partner, Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import ScorecardSnapshot, TemplateVersion
from scorecards.selectors.whatif import version_whatif
from scorecards.services.snapshots import snapshot_refresh
from scorecards.services.templates import (
    ItemInput,
    template_create,
    template_items_set,
    template_version_draft,
    template_version_publish,
)
from tests.factories import PartnerFactory, announced, member
from tests.scorecards.factories import MetricFactory, observe, simple_scorecard

pytestmark = pytest.mark.django_db
TODAY = date(2025, 7, 10)
JUNE = date(2025, 6, 1)
# June revenue -> score now (target 100) -> score under the draft (target 125)
REVENUE = {"Apex": 130, "Birch": 100, "Cedar": 90, "Dune": 85, "Elm": 70, "Fern": 65, "Gale": 50}


@pytest.fixture
def admin(tenant):
    return member(tenant, Role.ADMIN)


@pytest.fixture
def revenue(tenant):
    return MetricFactory(tenant=tenant, key="revenue", name="Revenue")


@pytest.fixture
def program(tenant, revenue):
    version = simple_scorecard(tenant, [revenue], target=100)
    partners = {name: PartnerFactory(tenant=tenant, name=name) for name in REVENUE}
    for name, value in REVENUE.items():
        observe(tenant, partners[name], revenue, {date(2025, 5, 1): value - 3, JUNE: value})
    snapshot_refresh(tenant=tenant, today=TODAY)
    return version, partners


def _draft(tenant, admin, template, metric, target):
    with tenant_context(tenant):
        draft = template_version_draft(tenant=tenant, actor=admin, template=template)
        template_items_set(
            tenant=tenant,
            actor=admin,
            version=draft,
            items=[ItemInput(metric=metric, weight=Decimal(100), target=Decimal(target))],
        )
        return draft


def _stored(tenant, month=JUNE):
    with tenant_context(tenant):
        rows = ScorecardSnapshot.objects.for_tenant(tenant).filter(period="month", period_start=month)
        return {
            pid: (None if s is None else float(s), rag)
            for pid, s, rag in rows.values_list("partner_id", "score", "rag")
        }


def _whatif(tenant, draft):
    with tenant_context(tenant):
        return version_whatif(tenant=tenant, version=draft)


def test_a_whatif_writes_no_snapshot(tenant, admin, revenue, program):
    version, _ = program
    draft = _draft(tenant, admin, version.template, revenue, 125)
    with tenant_context(tenant):
        before = list(
            ScorecardSnapshot.objects.for_tenant(tenant).order_by("id").values_list("id", "score", "updated_at")
        )

    _whatif(tenant, draft)

    with tenant_context(tenant):
        after = list(
            ScorecardSnapshot.objects.for_tenant(tenant).order_by("id").values_list("id", "score", "updated_at")
        )
    assert after == before
    assert len(before) == 2 * len(REVENUE) + len(REVENUE)  # May, June and Q2 for each partner


def test_whatif_scores_match_the_stored_ones_now_and_after_publishing_and_refreshing(tenant, admin, revenue, program):
    version, _ = program
    draft = _draft(tenant, admin, version.template, revenue, 125)
    whatif = _whatif(tenant, draft)
    before = _stored(tenant)

    announced(draft)
    with tenant_context(tenant):
        template_version_publish(tenant=tenant, actor=admin, version=draft, rationale="Harder", effective_from=JUNE)
    snapshot_refresh(tenant=tenant, today=TODAY)
    after = _stored(tenant)

    assert whatif.month == JUNE
    assert {r.partner_id: (r.old_score, r.old_rag) for r in whatif.rows} == before
    assert {r.partner_id: (r.new_score, r.new_rag) for r in whatif.rows} == after
    assert before != after


def test_whatif_counts_partners_whose_rag_changes_and_which_way_scores_move(tenant, admin, revenue, program):
    version, _ = program
    draft = _draft(tenant, admin, version.template, revenue, 125)

    whatif = _whatif(tenant, draft)

    moves = {(m.old, m.new): m.count for m in whatif.moves}
    by_name = {r.name: r for r in whatif.rows}
    assert moves == {("green", "amber"): 2, ("amber", "red"): 2}
    assert whatif.direction == {"up": 0, "down": 6, "unchanged": 1, "gains_score": 0, "loses_score": 0}
    assert whatif.affected == len(REVENUE)
    assert (by_name["Cedar"].old_score, by_name["Cedar"].new_score, by_name["Cedar"].change) == (90.0, 72.0, -18.0)
    assert [(by_name[n].old_rank, by_name[n].new_rank) for n in ("Apex", "Birch", "Cedar")] == [(1, 1), (1, 2), (3, 3)]
    assert [r.name for r in whatif.sorted_rows("change")][:3] == ["Birch", "Cedar", "Dune"]
    assert whatif.matrix[0] == ("Green", [2, 2, 0, 0], 4)


def test_a_segment_draft_reaches_only_the_partners_of_that_segment(tenant, admin, revenue, program):
    _, partners = program
    with tenant_context(tenant):
        Partner.objects.for_tenant(tenant).filter(pk=partners["Cedar"].pk).update(partner_type=Partner.Type.SI)
        integrators = template_create(tenant=tenant, actor=admin, name="Integrators", partner_type=Partner.Type.SI)
    draft = _draft(tenant, admin, integrators, revenue, 50)  # the segment's first version: integrators use the default

    whatif = _whatif(tenant, draft)

    changed = {r.name: (r.old_score, r.new_score) for r in whatif.rows if r.affected}
    assert changed == {"Cedar": (90.0, 100.0)}
    assert all(r.change == 0 for r in whatif.rows if not r.affected)


def test_the_whatif_reads_the_same_number_of_statements_for_3_and_30_partners(tenant, admin, revenue, program):
    version, _ = program
    draft = _draft(tenant, admin, version.template, revenue, 125)
    with CaptureQueriesContext(connection) as small:
        _whatif(tenant, draft)
    for i in range(27):
        observe(tenant, PartnerFactory(tenant=tenant, name=f"More {i:02d}"), revenue, {JUNE: 60 + i})

    with CaptureQueriesContext(connection) as large:
        large_whatif = _whatif(tenant, draft)

    assert len(large_whatif.rows) == len(REVENUE) + 27
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_published_version_has_no_whatif(tenant, admin, revenue, program):
    version, _ = program
    with pytest.raises(InvalidStateError, match="published already"):
        _whatif(tenant, version)


def test_a_program_without_snapshots_gets_an_empty_whatif(tenant, admin, revenue):
    with tenant_context(tenant):
        template = template_create(tenant=tenant, actor=admin, name="Default", is_default=True)
    draft = _draft(tenant, admin, template, revenue, 100)

    whatif = _whatif(tenant, draft)

    assert (whatif.month, whatif.rows) == (None, [])


def test_the_whatif_page_shows_the_totals_then_the_partners_largest_change_first(
    client, tenant, admin, revenue, program
):
    version, _ = program
    draft = _draft(tenant, admin, version.template, revenue, 125)
    client.force_login(member(tenant, Role.EXECUTIVE).user)

    response = client.get(reverse("version_whatif", kwargs={"tenant_slug": tenant.slug, "version_id": draft.pk}))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>2</strong> Green → Amber" in body
    assert "<strong>2</strong> Amber → Red" in body
    assert body.index("What changes") < body.index("Partner by partner")
    assert body.index("Birch") < body.index("Cedar") < body.index("Gale") < body.index("Apex")
    assert "June 2025" in body


def test_the_edit_and_publish_pages_link_to_the_whatif(client, tenant, admin, revenue, program):
    version, _ = program
    draft = _draft(tenant, admin, version.template, revenue, 125)
    client.force_login(admin.user)
    link = reverse("version_whatif", kwargs={"tenant_slug": tenant.slug, "version_id": draft.pk})
    pages = [
        client.get(reverse(name, kwargs={"tenant_slug": tenant.slug, "version_id": draft.pk})).content.decode()
        for name in ("version_edit", "version_publish")
    ]
    assert all(f'href="{link}"' in page for page in pages)


def test_another_programs_version_is_a_404_and_a_partner_user_is_refused(
    client, tenant, other_tenant, admin, revenue, program
):
    foreign_admin = member(other_tenant, Role.ADMIN)
    with tenant_context(other_tenant):
        foreign = template_create(tenant=other_tenant, actor=foreign_admin, name="Theirs", is_default=True)
        foreign_draft = TemplateVersion.objects.for_tenant(other_tenant).get(template=foreign)
    client.force_login(admin.user)
    foreign_url = reverse("version_whatif", kwargs={"tenant_slug": tenant.slug, "version_id": foreign_draft.pk})
    assert client.get(foreign_url).status_code == 404

    version, partners = program
    draft = _draft(tenant, admin, version.template, revenue, 125)
    client.force_login(member(tenant, Role.PARTNER, partner=partners["Apex"]).user)
    own_url = reverse("version_whatif", kwargs={"tenant_slug": tenant.slug, "version_id": draft.pk})
    assert client.get(own_url).status_code == 403
