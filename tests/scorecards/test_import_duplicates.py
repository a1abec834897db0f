"""The same deal from two CRMs: flagged in the preview, linked (one deal, two ids) or skipped, and as a finding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import DataQualityFinding, Deal, DealAlias
from scorecards.services.data_quality import data_quality_run
from scorecards.services.deal_duplicates import deal_duplicates_link
from scorecards.services.imports import import_commit, import_preview, import_remap, import_rollback
from tests.factories import PartnerFactory
from tests.scorecards.factories import csv_bytes

pytestmark = pytest.mark.django_db

SALESFORCE = csv_bytes(
    ["Opportunity ID", "Partner", "Account Name", "Amount", "Created Date", "Close Date", "Stage"],
    [
        ["006-A", "Acme Cloud", "Harborview Health", "48,000.00", "2026-03-02", "2026-05-28", "Closed Won"],
        ["006-B", "Acme Cloud", "Northgate Bank", "36,500.00", "2026-02-11", "2026-04-30", "Closed Won"],
        ["006-C", "Globex", "Redwood Retail", "18,400.00", "2026-08-03", "2026-11-20", "Negotiation"],
    ],
)
HUBSPOT = csv_bytes(
    ["Record ID", "Partner", "Associated Company", "Amount", "Create Date", "Close Date", "Deal Stage"],
    [
        [
            "9001",
            "Acme Cloud",
            "HARBORVIEW  health",
            "48000",
            "2026-03-05T10:00:00Z",
            "2026-05-30T17:00:00Z",
            "closedwon",
        ],
        ["9002", "Acme Cloud", "Northgate Bank", "36500", "2026-02-12T10:00:00Z", "2026-05-20T17:00:00Z", "closedwon"],
        ["9003", "Globex", "Redwood Retail", "18400", "2026-08-04T09:00:00Z", "2026-11-18T17:00:00Z", "contractsent"],
        [
            "9004",
            "Globex",
            "Clearwater Energy",
            "12900",
            "2026-08-17T09:00:00Z",
            "2026-12-11T17:00:00Z",
            "qualifiedtobuy",
        ],
    ],
)


@pytest.fixture
def partners(tenant):
    return PartnerFactory(tenant=tenant, name="Acme Cloud"), PartnerFactory(tenant=tenant, name="Globex")


def preview(tenant, actor, content, source, **kwargs):
    with tenant_context(tenant):
        return import_preview(
            tenant=tenant,
            actor=actor,
            kind="deals",
            file_name=f"{source}.csv",
            content=content,
            source=source,
            **kwargs,
        )


def commit(tenant, actor, batch):
    with tenant_context(tenant):
        return import_commit(tenant=tenant, actor=actor, batch=batch)


def choose(tenant, actor, batch, choice):
    with tenant_context(tenant):
        return import_remap(
            tenant=tenant,
            actor=actor,
            batch=batch,
            mapping=dict(batch.mapping),
            options={**batch.options, "duplicates": choice},
        )


def deals(tenant):
    with tenant_context(tenant):
        return {d.external_id: d for d in Deal.objects.for_tenant(tenant)}


def aliases(tenant):
    with tenant_context(tenant):
        return dict(DealAlias.objects.for_tenant(tenant).values_list("external_id", "deal__external_id"))


def test_a_second_crms_export_of_the_same_deals_is_held_back_until_the_user_chooses(tenant, manager, partners):
    commit(tenant, manager, preview(tenant, manager, SALESFORCE, "salesforce"))

    batch = preview(tenant, manager, HUBSPOT, "hubspot")

    assert batch.counts["new"] == 4
    assert batch.errors[0]["row"] == 0
    assert batch.errors[0]["reason"].startswith("2 rows look like deals already imported from another source")
    flagged = batch.summary["duplicates"]
    assert flagged["count"] == 2
    assert [(d["row"], d["external_id"], d["deal_external_id"], d["deal_source"]) for d in flagged["rows"]] == [
        (2, "9001", "006-A", "salesforce"),
        (4, "9003", "006-C", "salesforce"),
    ]


def test_linking_makes_each_repeat_update_the_deal_it_repeats_which_keeps_both_ids(tenant, manager, partners):
    commit(tenant, manager, preview(tenant, manager, SALESFORCE, "salesforce"))
    batch = choose(tenant, manager, preview(tenant, manager, HUBSPOT, "hubspot"), "link")

    assert batch.errors == []
    assert batch.counts["new"] == 2
    assert batch.counts["linked"] == 2
    batch = commit(tenant, manager, batch)

    stored = deals(tenant)
    assert sorted(stored) == ["006-A", "006-B", "006-C", "9002", "9004"]
    assert sum(d.amount for d in stored.values()) == Decimal("48000") + Decimal("36500") * 2 + Decimal("18400") + 12900
    assert aliases(tenant) == {"9001": "006-A", "9003": "006-C"}
    assert stored["006-C"].close_date == date(2026, 11, 18)  # the later export's values are the deal's now

    again = preview(tenant, manager, HUBSPOT, "hubspot")
    assert again.errors == []
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 4, "invalid": 0}
    assert again.summary["aliased_rows"] == 2

    with tenant_context(tenant):
        import_rollback(tenant=tenant, actor=manager, batch=batch)
    assert aliases(tenant) == {}
    assert sorted(deals(tenant)) == ["006-A", "006-B", "006-C"]


def test_skipping_leaves_the_repeats_out(tenant, manager, partners):
    commit(tenant, manager, preview(tenant, manager, SALESFORCE, "salesforce"))
    batch = commit(tenant, manager, choose(tenant, manager, preview(tenant, manager, HUBSPOT, "hubspot"), "skip"))

    assert batch.counts == {"new": 2, "updated": 0, "unchanged": 0, "invalid": 0, "skipped": 2}
    assert sorted(deals(tenant)) == ["006-A", "006-B", "006-C", "9002", "9004"]


def test_the_same_source_with_another_id_is_another_deal(tenant, manager, partners):
    commit(tenant, manager, preview(tenant, manager, SALESFORCE, "salesforce"))
    renamed = SALESFORCE.replace(b"006-A", b"006-Z")

    batch = preview(tenant, manager, renamed, "salesforce")

    assert "duplicates" not in batch.summary
    assert batch.errors == []


def test_repeats_kept_as_separate_deals_become_a_finding_that_links_them(tenant, manager, partners):
    commit(tenant, manager, preview(tenant, manager, SALESFORCE, "salesforce"))
    commit(tenant, manager, choose(tenant, manager, preview(tenant, manager, HUBSPOT, "hubspot"), "keep"))
    assert len(deals(tenant)) == 7

    result = data_quality_run(tenant=tenant, today=date(2026, 12, 1))

    assert result.open_by_kind["duplicate"] == 2
    with tenant_context(tenant):
        found = list(
            DataQualityFinding.objects.for_tenant(tenant)
            .select_related("partner")
            .filter(kind="duplicate")
            .order_by("month")
        )
    assert [(f.partner.name, f.month) for f in found] == [
        ("Acme Cloud", date(2026, 5, 1)),
        ("Globex", date(2026, 11, 1)),
    ]
    assert found[0].detail == (
        "Deals 006-A (salesforce) and 9001 (hubspot): Harborview Health, 48,000 USD, closing 2026-05-28 and "
        "2026-05-30: likely one deal imported twice."
    )

    with tenant_context(tenant):
        linked = deal_duplicates_link(tenant=tenant, actor=manager, finding=found[0])

    assert linked == 1
    assert "9001" not in deals(tenant)
    assert aliases(tenant) == {"9001": "006-A"}
    assert data_quality_run(tenant=tenant, today=date(2026, 12, 1)).open_by_kind["duplicate"] == 1
