"""Partners as an import kind: the same mapping, preview and all-or-nothing rules, people by email, undo."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partnerhub.core.errors import InvalidStateError
from partnerhub.core.models import AuditEntry, Partner, PartnerOwnerChange, Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.services.imports import import_commit, import_preview, import_remap, import_rollback
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import DealFactory, csv_bytes

pytestmark = pytest.mark.django_db

HEADER = [
    "Partner Name",
    "Partner ID",
    "Partner Type",
    "Tier",
    "Lifecycle Stage",
    "Region",
    "Country",
    "Product Lines",
    "Partner Manager",
    "Executive Sponsor",
    "Data Steward",
    "Size Factor",
]


@pytest.fixture
def people(tenant, manager):
    return {
        "manager": manager,
        "executive": member(tenant, Role.EXECUTIVE, user__email="exec@alpha.example"),
        "steward": member(tenant, Role.ADMIN, user__email="steward@alpha.example"),
    }


def preview(tenant, actor, content, **kwargs):
    with tenant_context(tenant):
        return import_preview(tenant=tenant, actor=actor, kind="partners", file_name="p.csv", content=content, **kwargs)


def commit(tenant, actor, batch):
    with tenant_context(tenant):
        return import_commit(tenant=tenant, actor=actor, batch=batch)


def partners(tenant):
    with tenant_context(tenant):
        return {p.name: p for p in Partner.objects.for_tenant(tenant)}


def reasons(batch):
    return [e["reason"] for e in batch.errors]


def test_twelve_partners_import_from_one_file_with_their_people(tenant, manager, people):
    email = manager.user.email
    rows = [
        [
            f"Partner {n:02d}",
            f"P-{n:02d}",
            ["Reseller", "System Integrator", "ISV", "Referral", "MSP"][n % 5],
            ["Gold", "Silver", "Platinum", "Registered"][n % 4],
            ["Growth", "Onboarding", "Mature", "At risk"][n % 4],
            ["EMEA", "North America", "APAC", "LATAM"][n % 4],
            "Germany",
            "Cloud; Security",
            email,
            "exec@alpha.example",
            "steward@alpha.example",
            "1,5",
        ]
        for n in range(12)
    ]

    batch = commit(tenant, manager, preview(tenant, manager, csv_bytes(HEADER, rows)))

    assert batch.counts == {"new": 12, "updated": 0, "unchanged": 0, "invalid": 0}
    stored = partners(tenant)
    assert len(stored) == 12
    first = stored["Partner 00"]
    assert (first.external_id, first.partner_type, first.tier, first.stage, first.region) == (
        "P-00",
        "reseller",
        "gold",
        "growth",
        "emea",
    )
    assert first.product_lines == ["Cloud", "Security"]
    assert first.size_factor == Decimal("1.5")
    assert (first.owner_id, first.executive_sponsor_id, first.data_steward_id) == (
        manager.pk,
        people["executive"].pk,
        people["steward"].pk,
    )
    assert stored["Partner 02"].partner_type == "technology"
    with tenant_context(tenant):
        assert PartnerOwnerChange.objects.for_tenant(tenant).count() == 12
        assert AuditEntry.objects.for_tenant(tenant).filter(object_repr="Partner 00").exists()


def test_type_and_region_may_be_chosen_for_every_new_partner(tenant, manager):
    content = csv_bytes(["Name", "Tier"], [["Alpha One", "Gold"], ["Alpha Two", ""]])
    batch = preview(tenant, manager, content)
    needed = (
        "is required for a new partner: give it in the file, or choose one for every new partner on the import page."
    )
    assert reasons(batch) == [f"Type {needed}", f"Region {needed}"] * 2

    with tenant_context(tenant):
        batch = import_remap(
            tenant=tenant,
            actor=manager,
            batch=batch,
            mapping=batch.mapping,
            options={"defaults": {"partner_type": "si", "region": "apac"}},
        )
    commit(tenant, manager, batch)

    stored = partners(tenant)
    assert [(p.partner_type, p.region, p.tier) for p in stored.values()] == [
        ("si", "apac", "gold"),
        ("si", "apac", "registered"),
    ]


def test_a_second_import_updates_by_name_ignoring_case_and_empty_cells_keep_values(tenant, manager):
    acme = PartnerFactory(tenant=tenant, name="Acme Cloud", tier="platinum", region="emea", partner_type="si")
    content = csv_bytes(["Name", "Tier", "Region", "Country"], [["ACME cloud", "", "APAC", "Japan"]])

    batch = commit(tenant, manager, preview(tenant, manager, content))

    assert batch.counts == {"new": 0, "updated": 1, "unchanged": 0, "invalid": 0}
    acme = partners(tenant)["Acme Cloud"]
    assert (acme.tier, acme.region, acme.market, acme.partner_type) == ("platinum", "apac", "Japan", "si")


def test_people_must_be_members_in_the_right_role(tenant, manager, people):
    partner_user = member(tenant, Role.PARTNER, partner=PartnerFactory(tenant=tenant), user__email="p@partner.example")
    content = csv_bytes(
        ["Name", "Type", "Region", "Owner", "Data Steward"],
        [
            ["One", "si", "emea", "nobody@example.com", ""],
            ["Two", "si", "emea", "exec@alpha.example", partner_user.user.email],
        ],
    )

    assert reasons(preview(tenant, manager, content)) == [
        "No member of this program has this email: invite them first, or leave the cell empty.",
        "The owner must be an active partner manager or admin.",
        "Choose an internal member, not a partner user.",
    ]


def test_an_external_id_of_another_partner_is_refused(tenant, manager):
    PartnerFactory(tenant=tenant, name="Acme Cloud", external_id="P-1")
    content = csv_bytes(["Name", "Partner ID", "Type", "Region"], [["Globex", "P-1", "si", "emea"]])

    assert reasons(preview(tenant, manager, content)) == ["This external id belongs to partner “Acme Cloud”."]


def test_undo_removes_the_partners_it_created_unless_they_have_data_now(tenant, manager):
    content = csv_bytes(["Name", "Type", "Region"], [["One", "si", "emea"], ["Two", "msp", "apac"]])
    batch = commit(tenant, manager, preview(tenant, manager, content))
    DealFactory(tenant=tenant, partner=partners(tenant)["One"])

    with tenant_context(tenant), pytest.raises(InvalidStateError, match="have data of their own now"):
        import_rollback(tenant=tenant, actor=manager, batch=batch)
    assert sorted(partners(tenant)) == ["One", "Two"]

    with tenant_context(tenant):
        from scorecards.models import Deal

        Deal.objects.for_tenant(tenant).delete()
        import_rollback(tenant=tenant, actor=manager, batch=batch)
    assert partners(tenant) == {}


def test_a_deals_file_naming_unknown_partners_offers_to_create_them_in_the_same_preview(tenant, manager):
    PartnerFactory(tenant=tenant, name="Acme Cloud")
    content = csv_bytes(
        ["Deal ID", "Partner", "Amount", "Created"],
        [
            ["D-1", "Acme Cloud", "10", "2026-03-01"],
            ["D-2", "Bluefin Systems", "20", "2026-03-02"],
            ["D-3", "bluefin  systems", "30", "2026-03-03"],
            ["D-4", "Kestrel IT", "40", "2026-03-04"],
        ],
    )
    with tenant_context(tenant):
        batch = import_preview(tenant=tenant, actor=manager, kind="deals", file_name="d.csv", content=content)
    assert reasons(batch) == ["Unknown partner: no partner has this external id or name."] * 3
    assert batch.summary["unknown_partners"] == {
        "count": 2,
        "rows": 3,
        "names": [{"name": "Bluefin Systems", "rows": 2}, {"name": "Kestrel IT", "rows": 1}],
    }

    with tenant_context(tenant):
        batch = import_remap(
            tenant=tenant,
            actor=manager,
            batch=batch,
            mapping=batch.mapping,
            options={"new_partners": {"partner_type": "reseller", "region": "emea"}},
        )
    assert batch.errors == []
    batch = commit(tenant, manager, batch)

    stored = partners(tenant)
    assert sorted(stored) == ["Acme Cloud", "Bluefin Systems", "Kestrel IT"]
    assert (stored["Kestrel IT"].partner_type, stored["Kestrel IT"].region) == ("reseller", "emea")
    with tenant_context(tenant):
        from scorecards.models import Deal

        by_partner = dict(Deal.objects.for_tenant(tenant).values_list("external_id", "partner__name"))
    assert by_partner == {"D-1": "Acme Cloud", "D-2": "Bluefin Systems", "D-3": "Bluefin Systems", "D-4": "Kestrel IT"}

    with tenant_context(tenant):
        import_rollback(tenant=tenant, actor=manager, batch=batch)
    assert sorted(partners(tenant)) == ["Acme Cloud"]
