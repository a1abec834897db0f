"""Exports as the tools write them (tests/scorecards/fixtures, the same bytes as docs/samples): each imports with no
hand edits and stores exactly what a person reads in the file. The preview's own words are asserted too."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from partnerhub.core.models import Partner, Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import Activity, Deal, DealAlias
from scorecards.selectors.imports import import_summary_lines
from scorecards.services.imports import import_commit, import_preview, import_remap
from tests.factories import PartnerFactory, member

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
NAMES = ("salesforce-opportunities-report.csv", "hubspot-deals-export.csv", "deals-excel-de.csv",
         "partner-activities-q3.xlsx", "partners.csv")  # fmt: skip
DEMO_PARTNERS = (
    "Atlas Group",
    "Cobalt Integrations",
    "Harbor Partners",
    "Iris Consulting",
    "Nimbus Labs",
    "Acme Digital",
)


@pytest.fixture
def program(tenant):
    for name in DEMO_PARTNERS:
        PartnerFactory(tenant=tenant, name=name)
    for local, role in (("manager", Role.MANAGER), ("manager2", Role.MANAGER), ("manager3", Role.MANAGER),
                        ("exec", Role.EXECUTIVE)):  # fmt: skip
        member(tenant, role, user__email=f"{local}@northwind.example")
    return tenant


def preview(tenant, actor, name, kind="deals", source="upload"):
    with tenant_context(tenant):
        content = (FIXTURES / name).read_bytes()
        return import_preview(tenant=tenant, actor=actor, kind=kind, file_name=name, content=content, source=source)


def remap(tenant, actor, batch, **options):
    with tenant_context(tenant):
        return import_remap(
            tenant=tenant, actor=actor, batch=batch, mapping=batch.mapping, options={**batch.options, **options}
        )


def commit(tenant, actor, batch):
    with tenant_context(tenant):
        return import_commit(tenant=tenant, actor=actor, batch=batch)


def deals(tenant):
    with tenant_context(tenant):
        return {d.external_id: d for d in Deal.objects.for_tenant(tenant).select_related("partner")}


def said(batch):
    with tenant_context(batch.tenant):
        batch.refresh_from_db()  # as the page reads it
    return [line.text for line in import_summary_lines(batch=batch)]


@pytest.mark.parametrize("name", NAMES)
def test_the_fixtures_are_the_downloadable_samples(name):
    assert (FIXTURES / name).read_bytes() == (SAMPLES / name).read_bytes()


def test_a_salesforce_report_with_its_title_block_and_footer_imports_as_is(program, manager):
    batch = preview(program, manager, "salesforce-opportunities-report.csv", source="salesforce")

    assert batch.errors == []
    assert batch.counts == {"new": 12, "updated": 0, "unchanged": 0, "invalid": 0}
    assert said(batch) == [
        "4 lines above the header (row 6) were skipped: a report title or filter block.",
        "6 footer lines at the end (rows 21 to 26) were ignored.",
        "Probability (“Probability (%)”) is read as percent (60 = 60 %): values go above 1.",
        "Amounts are in USD, as their cells say.",
        "Won / lost read from the stage (“Stage”): 8 distinct values, 2 suggested.",
        "Renewal from “Type”: 3 distinct values, 3 suggested.",
    ]
    commit(program, manager, batch)

    stored = deals(program)
    assert len(stored) == 12
    assert sum(d.amount for d in stored.values()) == Decimal("302150.50")
    assert {d.currency for d in stored.values()} == {"USD"}
    by_id = [stored[f"0065j00001Nw{n:02d}AAZ"] for n in range(1, 13)]
    assert [d.probability for d in by_id] == [100, 100, 0, 80, 60, 100, 30, 20, 100, 0, 50, 40]
    statuses = ["won", "won", "lost", "open", "open", "won", "open", "open", "won", "lost", "open", "open"]
    assert [d.status for d in by_id] == statuses
    assert [n for n, d in enumerate(by_id, start=1) if d.is_renewal] == [2, 6, 10]
    assert (by_id[4].created_on, by_id[4].close_date) == (date(2026, 8, 17), date(2027, 1, 15))
    assert (by_id[11].account_name, by_id[11].partner.name) == ("Müller Logistik GmbH", "Acme Digital")


def test_a_hubspot_export_reads_stage_ids_fractions_percent_discounts_and_iso_datetimes(program, manager):
    batch = preview(program, manager, "hubspot-deals-export.csv", source="hubspot")

    assert batch.errors == []
    assert said(batch) == [
        "Probability (“Deal probability”) is read as fractions (0.6 = 60 %): every value lies between 0 and 1.",
        'Discount (“Discount”) is read as percent (60 = 60 %): values carry a "%" sign.',
        "Amounts name no currency: they are read as USD, the program's currency (you can choose another below).",
        "Won / lost read from the stage (“Deal Stage”): 5 distinct values, 2 suggested.",
    ]
    commit(program, manager, batch)

    stored = deals(program)
    ordered = [stored[f"172345678{n:02d}"] for n in range(1, 9)]
    assert [d.probability for d in ordered] == [100, 100, 100, 100, 60, 40, 0, 20]
    assert [d.discount_pct for d in ordered] == [Decimal(v) for v in ("10", "5", "0", "12.5", "7.5", "0", "0", "0")]
    assert [d.status for d in ordered] == ["won", "won", "won", "won", "open", "open", "lost", "open"]
    assert [d.stage for d in ordered][4] == "presentationscheduled"
    assert (ordered[0].created_on, ordered[0].close_date) == (date(2026, 3, 2), date(2026, 5, 29))
    assert sum(d.amount for d in ordered) == Decimal("181300.50")


def test_hubspot_after_salesforce_flags_the_four_deals_both_exported_and_links_them(program, manager):
    commit(program, manager, preview(program, manager, "salesforce-opportunities-report.csv", source="salesforce"))

    batch = preview(program, manager, "hubspot-deals-export.csv", source="hubspot")

    assert batch.summary["duplicates"]["count"] == 4
    assert said(batch)[-2] == (
        "4 rows look like deals already imported from salesforce (same partner, account, amount and close date within "
        "7 days): choose below what to do with them."
    )
    assert batch.errors[0]["reason"].startswith("4 rows look like deals already imported from another source")

    batch = commit(program, manager, remap(program, manager, batch, duplicates="link"))

    assert batch.counts == {"new": 4, "updated": 4, "unchanged": 0, "invalid": 0, "linked": 4}
    stored = deals(program)
    assert len(stored) == 16
    assert sum(d.amount for d in stored.values()) == Decimal("302150.50") + Decimal("49750")
    with tenant_context(program):
        linked = dict(DealAlias.objects.for_tenant(program).values_list("external_id", "deal__external_id"))
    assert linked == {
        "17234567801": "0065j00001Nw01AAZ",
        "17234567802": "0065j00001Nw02AAZ",
        "17234567803": "0065j00001Nw06AAZ",
        "17234567804": "0065j00001Nw09AAZ",
    }


def test_a_german_excel_csv_imports_as_is_and_a_stage_is_mapped_to_won(program, manager):
    batch = preview(program, manager, "deals-excel-de.csv", source="excel")

    assert batch.errors == []
    assert batch.counts["new"] == 10
    assert said(batch) == [
        "Probability (“Wahrscheinlichkeit (%)”) is read as percent (60 = 60 %): values go above 1.",
        "Discount (“Rabatt (%)”) is read as percent (60 = 60 %): values go above 1.",
        "Amounts are in EUR, as the column header “Betrag (EUR)” says.",
        "Won / lost read from the stage (“Phase”): 7 distinct values, 2 suggested.",
    ]
    readings = {v["value"]: (v["ours"], v["how"]) for v in batch.summary["values"]["status"]["values"]}
    assert readings["Gewonnen"] == ("won", "suggested")
    assert readings["Verloren"] == ("lost", "suggested")
    assert readings["Auftrag erteilt"] == ("open", "derived")

    batch = commit(program, manager, remap(program, manager, batch, values={"status": {"Auftrag erteilt": "won"}}))

    stored = deals(program)
    assert len(stored) == 10
    assert {d.currency for d in stored.values()} == {"EUR"}
    assert sum(d.amount for d in stored.values()) == Decimal("244971.61")
    bakery = stored["Bäckerei Schön \u2013 Cloud Platform"]
    assert (bakery.account_name, bakery.amount, bakery.created_on, bakery.close_date) == (
        "Bäckerei Schön GmbH",
        Decimal("24500.00"),
        date(2026, 1, 12),
        date(2026, 3, 27),
    )
    assert stored["Stadtwerke Süd \u2013 Security Suite"].discount_pct == Decimal("12.50")
    assert stored["Rheinhafen Spedition \u2013 Data & AI"].amount == Decimal("11111.11")
    assert sorted(d.probability for d in stored.values()) == [0, 0, 20, 30, 50, 75, 80, 100, 100, 100]
    assert sorted(d.external_id for d in stored.values() if d.status == "won") == [
        "Bäckerei Schön \u2013 Cloud Platform",
        "Klinikum Nord \u2013 Cloud Platform",
        "Maschinenbau Groß \u2013 Observability",
    ]


def test_an_xlsx_with_a_title_block_and_a_total_row_imports_as_is(program, manager):
    batch = preview(program, manager, "partner-activities-q3.xlsx", kind="activities", source="channel-ops")

    assert batch.errors == []
    assert said(batch) == [
        "2 lines above the header (row 4) were skipped: a report title or filter block.",
        "1 footer line at the end (row 13) was ignored.",
        "Kind from “Activity type”: 6 distinct values, 1 suggested.",
    ]
    commit(program, manager, batch)

    with tenant_context(program):
        stored = list(Activity.objects.for_tenant(program).order_by("date"))
    assert len(stored) == 8
    assert sum(a.attendees for a in stored) == 570
    assert sum(a.leads for a in stored) == 133
    assert [a.kind for a in stored] == [
        "webinar", "co_sell", "training", "certification", "integration", "webinar", "training", "co_sell",
    ]  # fmt: skip
    assert (stored[0].title, stored[0].date) == ("Zero-trust for retail", date(2026, 7, 9))


def test_twelve_partners_import_from_a_crms_partner_list(program, manager):
    batch = preview(program, manager, "partners.csv", kind="partners", source="crm")

    assert batch.errors == []
    assert said(batch) == [
        "Type from “Partner Type”: 5 distinct values.",
        "Tier from “Partner Tier”: 4 distinct values.",
        "Region from “Region”: 4 distinct values.",
    ]
    commit(program, manager, batch)

    with tenant_context(program):
        stored = {p.name: p for p in Partner.objects.for_tenant(program).select_related("owner__user")}
    assert len(stored) == 12 + len(DEMO_PARTNERS)
    saffron = stored["Saffron Systems India"]
    assert (saffron.partner_type, saffron.tier, saffron.region, saffron.market) == ("si", "platinum", "apac", "India")
    assert saffron.product_lines == ["Cloud Platform", "Data & AI", "Security"]
    assert saffron.size_factor == Decimal("2.5")
    assert saffron.owner.user.email == "manager3@northwind.example"
    assert stored["Lumen Analytics"].partner_type == "technology"
    assert stored["Tidewater MSP"].partner_type == "msp"
