"""Recent changes in words: readable field names and values, internal fields hidden, for any audited model, with one
query per related model however many entries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.core.models import AuditEntry, Partner, Role
from partnerhub.core.selectors.audit import audit_entries_readable
from partnerhub.core.selectors.program import audit_entries_for_object
from partnerhub.core.services import program as services
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import MetricDefinition
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import MetricFactory
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db


def _lines(readable):
    return {line.field: (line.before, line.after) for line in readable.lines}


@pytest.fixture
def created(tenant, admin, manager):
    with tenant_context(tenant):
        return services.partner_create(
            tenant=tenant,
            actor=admin,
            data={
                "name": "Quasar Consulting",
                "partner_type": "si",
                "region": "emea",
                "owner": manager,
                "product_lines": ["Cloud", "Security"],
            },
        )


def _readable_for(tenant, partner):
    with tenant_context(tenant):
        return audit_entries_readable(tenant=tenant, entries=audit_entries_for_object(tenant=tenant, obj=partner))


def test_a_creation_lists_the_values_it_set_by_their_names_and_hides_internal_fields(tenant, created):
    (entry,) = _readable_for(tenant, created)
    lines = _lines(entry)
    assert entry.summary == "Created partner “Quasar Consulting”"
    assert entry.is_create
    assert lines["Name"] == ("—", "Quasar Consulting")
    assert lines["Type"][1] == "Systems integrator"
    assert lines["Lifecycle stage"][1] == "Onboarding"
    assert lines["Tier"][1] == "Registered"
    assert lines["Region"][1] == "EMEA"
    assert lines["Owner manager"][1] == "Mara Manager (Partner manager)"
    assert lines["Product lines"][1] == "Cloud, Security"
    assert lines["Size factor"][1] == "1"  # stored as 1.0000
    assert lines["Is strategic"][1] == "No"
    for hidden in ("Tenant", "tenant", "Id", "ID", "Created at", "Owner changes", "owner_changes", "Market"):
        assert hidden not in lines  # internal, a reverse relation, or empty at creation
    assert all("None" not in before + after for before, after in lines.values())


def test_a_change_lists_each_value_before_and_after(tenant, admin, manager, other_manager, created):
    with tenant_context(tenant):
        services.partner_update(
            tenant=tenant,
            actor=admin,
            partner=created,
            data={"tier": "gold", "owner": other_manager, "is_strategic": True, "market": "Germany"},
        )
    change = _readable_for(tenant, created)[0]
    assert not change.is_create
    assert change.summary == "Changed partner “Quasar Consulting”"
    assert _lines(change) == {
        "Tier": ("Registered", "Gold"),
        "Owner manager": ("Mara Manager (Partner manager)", "Otto Other (Partner manager)"),
        "Is strategic": ("No", "Yes"),
        "Market": ("—", "Germany"),
    }


def test_a_bulk_reassignment_shows_its_reason_and_the_owners_by_name(tenant, admin, manager, other_manager):
    partner = PartnerFactory(tenant=tenant, name="Moved Partner", owner=manager)
    with tenant_context(tenant):
        services.partner_bulk_reassign(
            tenant=tenant, actor=admin, from_owner=manager, to_owners=[other_manager], reason="Mara left"
        )
    moved = _readable_for(tenant, partner)[0]
    assert moved.note == "Mara left"
    assert _lines(moved) == {"Owner manager": ("Mara Manager (Partner manager)", "Otto Other (Partner manager)")}


def test_the_same_formatter_reads_another_apps_audited_model(tenant, manager):
    metric = MetricFactory(tenant=tenant, key="pipeline", name="Pipeline", data_owner=manager)
    with tenant_context(tenant):
        metric.unit = MetricDefinition.Unit.CURRENCY
        metric.data_owner = None
        metric.save()
        entries = AuditEntry.objects.for_tenant(tenant).filter(
            object_id=metric.pk, content_type__model="metricdefinition"
        )
        change, creation = audit_entries_readable(
            tenant=tenant, entries=entries.select_related("content_type").order_by("-id")
        )
    assert change.summary == "Changed metric definition “Pipeline”"
    assert _lines(change) == {"Unit": ("Count", "Currency"), "Data owner": ("Mara Manager (Partner manager)", "—")}
    assert _lines(creation)["Category"][1] == "Pipeline"


def test_a_related_object_that_no_longer_exists_is_named_by_its_id(tenant, admin):
    partner = PartnerFactory(tenant=tenant, name="Orphan")
    with tenant_context(tenant):
        AuditEntry.objects.create(
            tenant=tenant,
            content_type_id=AuditEntry.objects.filter(object_id=partner.pk).first().content_type_id,
            object_pk=str(partner.pk),
            object_id=partner.pk,
            object_repr="Orphan",
            action=1,
            changes={"owner": ["987654", "None"]},
        )
    assert _lines(_readable_for(tenant, partner)[0]) == {"Owner manager": ("#987654 (no longer exists)", "—")}


def test_another_programs_member_is_never_named(tenant, other_tenant, admin):
    foreign = member(other_tenant, Role.MANAGER, user__first_name="Foreign", user__last_name="Person")
    partner = PartnerFactory(tenant=tenant, name="Probe")
    with tenant_context(tenant):
        AuditEntry.objects.create(
            tenant=tenant,
            content_type_id=AuditEntry.objects.filter(object_id=partner.pk).first().content_type_id,
            object_pk=str(partner.pk),
            object_id=partner.pk,
            object_repr="Probe",
            action=1,
            changes={"owner": ["None", str(foreign.pk)]},
        )
    assert _lines(_readable_for(tenant, partner)[0]) == {"Owner manager": ("—", f"#{foreign.pk} (no longer exists)")}


def test_the_partner_pages_history_tells_the_changes_in_words_and_no_raw_diff(tenant, admin, created, client_for):
    with tenant_context(tenant):
        services.partner_update(tenant=tenant, actor=admin, partner=created, data={"tier": "gold", "owner": None})
    page = client_for(admin).get(tenant_url("partner_detail", tenant, partner_id=created.pk)).content.decode()
    history = page[page.index("History</h2>") :]
    assert "Mara Manager is no longer the owner; nobody owns it now" in history
    assert "Profile changed" in history
    assert "<li>Tier: Registered → Gold</li>" in history
    # The creation is one event: the owner change's sentence with the values the audit recorded (owner told once).
    assert history.count("Added to the program") == 1
    assert "Added to the program, owned by Mara Manager" in history
    assert "<li>Type: Systems integrator</li>" in history
    assert "Owner manager:" not in history
    for raw in ("tenant", "owner_changes", "PartnerOwnerChange", "None", "partner_type"):
        assert raw not in history


def _audited_partners(tenant, owner, start, count):
    with tenant_context(tenant):
        for i in range(start, start + count):
            partner = Partner(tenant=tenant, name=f"Audited {i}", partner_type="si", region="emea", owner=owner)
            partner.save()
            partner.tier = "gold"
            partner.save()


def test_the_audit_page_reads_related_names_in_one_query_per_model_whatever_the_entries(
    tenant, admin, manager, client_for
):
    client = client_for(admin)
    url = tenant_url("audit_list", tenant)
    _audited_partners(tenant, manager, 0, 2)
    client.get(url, {"q": "Audited"})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"q": "Audited"})
    _audited_partners(tenant, manager, 2, 30)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url, {"q": "Audited"}).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert page.count("<strong>Tier</strong>: Registered → Gold") == 25  # a page of 50: 25 changes, 25 creations
