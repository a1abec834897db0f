"""What an import reads besides the columns: percent units, currencies, the mapping of a column's own values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from partnerhub.core.tenancy.context import tenant_context
from scorecards.domain.import_fields import KINDS
from scorecards.domain.import_mapping import suggest_mapping
from scorecards.domain.import_options import currency_in_header
from scorecards.models import Deal, ImportMapping
from scorecards.selectors.imports import import_summary_lines
from scorecards.services.imports import import_commit, import_preview, import_remap
from tests.factories import PartnerFactory
from tests.scorecards.factories import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["Deal ID", "Partner", "Account", "Amount", "Created", "Close Date"]


@pytest.fixture
def acme(tenant):
    return PartnerFactory(tenant=tenant, name="Acme Cloud")


def row(n, **extra):
    return [f"D-{n}", "Acme Cloud", f"Account {n}", extra.get("amount", "100"), "2026-03-01", "2026-04-01"]


def deals_file(extra_header, extra_values, amounts=None):
    rows = [
        [*row(n, amount=(amounts[n] if amounts else "100")), *([value] if not isinstance(value, list) else value)]
        for n, value in enumerate(extra_values)
    ]
    return csv_bytes([*HEADER, *extra_header], rows)


def preview(tenant, actor, content, **kwargs):
    with tenant_context(tenant):
        return import_preview(tenant=tenant, actor=actor, kind="deals", file_name="d.csv", content=content, **kwargs)


def commit(tenant, actor, batch):
    with tenant_context(tenant):
        return import_commit(tenant=tenant, actor=actor, batch=batch)


def stored(tenant, attribute):
    with tenant_context(tenant):
        return list(Deal.objects.for_tenant(tenant).order_by("external_id").values_list(attribute, flat=True))


def reasons(batch):
    return [e["reason"] for e in batch.errors]


def lines(batch):
    return [line.text for line in import_summary_lines(batch=batch)]


# --- percent units ---


def test_fractional_probabilities_are_read_as_fractions_and_never_rounded(tenant, manager, acme):
    batch = commit(
        tenant, manager, preview(tenant, manager, deals_file(["Deal probability"], ["0.6", "0.25", "1.0", "0"]))
    )

    assert stored(tenant, "probability") == [60, 25, 100, 0]
    assert batch.summary["units"]["probability"]["unit"] == "fraction"
    assert "Probability (“Deal probability”) is read as fractions (0.6 = 60 %): every value lies between 0 and 1." in (
        lines(batch)
    )


def test_percent_values_are_read_as_percent(tenant, manager, acme):
    commit(tenant, manager, preview(tenant, manager, deals_file(["Probability"], ["60 %", "25", "100", "0.5%"][:3])))

    assert stored(tenant, "probability") == [60, 25, 100]


def test_a_probability_that_is_not_a_whole_percentage_is_refused_not_rounded(tenant, manager, acme):
    batch = preview(tenant, manager, deals_file(["Probability"], ["3.5", "40"]))

    assert reasons(batch) == [
        "Not a whole percentage (3.5 %): Probability is kept in whole percent and nothing is rounded."
    ]


def test_a_value_above_one_in_a_column_chosen_as_fractions_is_out_of_range(tenant, manager, acme):
    batch = preview(
        tenant, manager, deals_file(["Probability"], ["0.6", "40"]), options={"units": {"probability": "fraction"}}
    )

    assert reasons(batch) == ["Above 1 in a column of fractions (0.6 = 60 %): 40 would be 4000 %."]


def test_a_column_of_only_zeros_and_ones_is_percent_with_a_warning_and_can_be_switched(tenant, manager, acme):
    batch = preview(tenant, manager, deals_file(["Probability"], ["0", "1", "1"]))
    assert batch.summary["units"]["probability"]["unit"] == "percent"
    assert any("only 0 and 1" in line for line in lines(batch))

    with tenant_context(tenant):
        batch = import_remap(
            tenant=tenant,
            actor=manager,
            batch=batch,
            mapping=batch.mapping,
            options={"units": {"probability": "fraction"}},
        )
    commit(tenant, manager, batch)
    assert stored(tenant, "probability") == [0, 100, 100]


def test_fractional_discounts_become_percent_with_two_decimals(tenant, manager, acme):
    commit(tenant, manager, preview(tenant, manager, deals_file(["Discount"], ["0.125", "0.1", "0"])))

    assert stored(tenant, "discount_pct") == [Decimal("12.50"), Decimal("10.00"), Decimal("0.00")]


# --- currencies ---


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Betrag (EUR)", "EUR"),
        ("Amount (GBP)", "GBP"),
        ("Amount [€]", "EUR"),
        ("Montant en CHF", "CHF"),
        ("Deal value USD", "USD"),
        ("Amount (converted)", None),
        ("Amount", None),
    ],
)
def test_a_currency_is_read_from_an_amount_header(header, code):
    assert currency_in_header(header) == code


def test_plain_amounts_under_a_currency_header_are_stored_in_that_currency(tenant, manager, acme):
    content = csv_bytes(
        ["Deal ID", "Partner", "Betrag (EUR)", "Created"],
        [["D-1", "Acme Cloud", "1.234,50", "01.03.2026"], ["D-2", "Acme Cloud", "99,90", "02.03.2026"]],
    )

    batch = commit(tenant, manager, preview(tenant, manager, content))

    assert stored(tenant, "currency") == ["EUR", "EUR"]
    assert stored(tenant, "amount") == [Decimal("1234.50"), Decimal("99.90")]
    assert "Amounts are in EUR, as the column header “Betrag (EUR)” says." in lines(batch)


def test_plain_amounts_without_a_currency_take_the_programs_currency_or_the_files(tenant, manager, acme):
    tenant.currency = "EUR"
    tenant.save(update_fields=["currency"])
    batch = preview(tenant, manager, deals_file([], [[], []]))
    assert (
        "Amounts name no currency: they are read as EUR, the program's currency (you can choose another below)."
        in lines(batch)
    )

    with tenant_context(tenant):
        batch = import_remap(
            tenant=tenant, actor=manager, batch=batch, mapping=batch.mapping, options={"currency": "GBP"}
        )
    commit(tenant, manager, batch)
    assert stored(tenant, "currency") == ["GBP", "GBP"]


def test_a_column_mixing_currencies_with_amounts_that_name_none_is_an_error(tenant, manager, acme):
    batch = preview(tenant, manager, deals_file([], [[], [], []], amounts=["$100", "€200", "300"]))

    assert reasons(batch) == [
        "This amount names no currency, but the column mixes EUR and USD: add its currency (a symbol, a code, or a "
        "currency column)."
    ]
    assert batch.errors[0]["row"] == 4


def test_amounts_of_one_currency_give_it_to_their_plain_neighbours(tenant, manager, acme):
    commit(tenant, manager, preview(tenant, manager, deals_file([], [[], []], amounts=["€ 100", "200"])))

    assert stored(tenant, "currency") == ["EUR", "EUR"]


def test_a_cell_contradicting_its_header_is_an_error(tenant, manager, acme):
    content = csv_bytes(["Deal ID", "Partner", "Amount (EUR)", "Created"], [["D-1", "Acme Cloud", "$5", "2026-03-01"]])

    assert reasons(preview(tenant, manager, content)) == ["The amount is in USD but its column header says EUR."]


# --- value mapping ---


def test_a_crms_type_column_maps_to_renewal_with_suggestions(tenant, manager, acme):
    content = deals_file(["Type"], ["Renewal", "New Business", "Existing Business - Upgrade", "Renewal"])
    batch = preview(
        tenant,
        manager,
        content,
        mapping={
            **dict(
                zip(
                    ["external_id", "partner", "account_name", "amount", "created_on", "close_date"],
                    HEADER,
                    strict=True,
                )
            ),
            "is_renewal": "Type",
        },
    )

    readings = {v["value"]: (v["ours"], v["how"]) for v in batch.summary["values"]["is_renewal"]["values"]}
    assert readings == {
        "Renewal": ("true", "suggested"),
        "New Business": ("false", "suggested"),
        "Existing Business - Upgrade": ("false", "suggested"),
    }
    commit(tenant, manager, batch)
    assert stored(tenant, "is_renewal") == [True, False, False, True]


def test_hubspot_stage_ids_give_won_lost_and_open(tenant, manager, acme):
    content = deals_file(["Deal Stage"], ["closedwon", "closedlost", "appointmentscheduled", "contractsent"])

    batch = commit(tenant, manager, preview(tenant, manager, content))

    assert stored(tenant, "status") == ["won", "lost", "open", "open"]
    assert stored(tenant, "stage") == ["closedwon", "closedlost", "appointmentscheduled", "contractsent"]
    assert batch.summary["values"]["status"]["from_stage"] is True


def test_an_unmapped_value_is_an_error_until_it_is_mapped_and_the_choice_is_reused(tenant, manager, acme):
    content = csv_bytes(
        ["Deal ID", "Partner", "Amount", "Created", "Registration Status"],
        [["D-1", "Acme Cloud", "1", "2026-03-01", "Freigegeben"], ["D-2", "Acme Cloud", "2", "2026-03-01", "Approved"]],
    )
    batch = preview(tenant, manager, content, source="crm")
    assert reasons(batch) == ["Not one of: Pending, Approved, Rejected (or map the value on the import page)."]

    with tenant_context(tenant):
        batch = import_remap(
            tenant=tenant,
            actor=manager,
            batch=batch,
            mapping=batch.mapping,
            options={"values": {"registration_status": {"Freigegeben": "approved"}}},
        )
    commit(tenant, manager, batch)
    assert stored(tenant, "registration_status") == ["approved", "approved"]
    with tenant_context(tenant):
        saved = ImportMapping.objects.for_tenant(tenant).get(kind="deals", source="crm")
    assert saved.values == {"registration_status": {"Freigegeben": "approved"}}

    next_file = content.replace(b"D-1", b"D-3").replace(b"D-2", b"D-4")
    assert preview(tenant, manager, next_file, source="crm").errors == []


def test_the_import_page_offers_each_distinct_value_with_its_reading(client, tenant, manager, acme):
    batch = preview(tenant, manager, deals_file(["Deal Stage"], ["closedwon", "Gewonnen", "Verloren", "Angebot"]))
    client.force_login(manager.user)

    page = client.get(
        reverse("import_detail", kwargs={"tenant_slug": tenant.slug, "batch_id": batch.pk})
    ).content.decode()

    assert "Values of Won / lost" in page
    for value in ("closedwon", "Gewonnen", "Verloren", "Angebot"):
        assert f'<th scope="row">{value}</th>' in page
    assert page.count("suggested") >= 3


# --- headers in other languages ---


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            [
                "Verkaufschance",
                "Partner",
                "Kunde",
                "Phase",
                "Betrag (EUR)",
                "Wahrscheinlichkeit (%)",
                "Erstellt am",
                "Abschlussdatum",
                "Rabatt (%)",
            ],
            [
                "external_id",
                "partner",
                "account_name",
                "stage",
                "amount",
                "probability",
                "created_on",
                "close_date",
                "discount_pct",
            ],
        ),
        (
            [
                "Nom de l'opportunité",
                "Partenaire",
                "Nom du compte",
                "Étape",
                "Montant",
                "Probabilité (%)",
                "Date de création",
                "Date de clôture",
            ],
            ["external_id", "partner", "account_name", "stage", "amount", "probability", "created_on", "close_date"],
        ),
        (
            [
                "ID de oportunidad",
                "Socio",
                "Cliente",
                "Etapa",
                "Importe",
                "Probabilidad",
                "Fecha de creación",
                "Fecha de cierre",
            ],
            ["external_id", "partner", "account_name", "stage", "amount", "probability", "created_on", "close_date"],
        ),
        (
            [
                "ID opportunità",
                "Partner",
                "Cliente",
                "Fase",
                "Importo",
                "Probabilità",
                "Data di creazione",
                "Data di chiusura",
            ],
            ["external_id", "partner", "account_name", "stage", "amount", "probability", "created_on", "close_date"],
        ),
        (
            ["Verkoopkans-ID", "Partner", "Klant", "Fase", "Bedrag", "Kans", "Aanmaakdatum", "Sluitingsdatum"],
            ["external_id", "partner", "account_name", "stage", "amount", "probability", "created_on", "close_date"],
        ),
        (
            [
                "ID da oportunidade",
                "Parceiro",
                "Cliente",
                "Etapa",
                "Valor",
                "Probabilidade",
                "Data de criação",
                "Data de fechamento",
            ],
            ["external_id", "partner", "account_name", "stage", "amount", "probability", "created_on", "close_date"],
        ),
    ],
)
def test_deal_headers_in_our_users_languages_are_recognised(headers, expected):
    mapping = suggest_mapping(KINDS["deals"], headers)

    assert {mapping[name]: name for name in mapping} == dict(zip(headers, expected, strict=True))


def test_a_column_of_known_partner_names_is_the_partner_whatever_its_header(tenant, manager, acme):
    content = csv_bytes(["Deal ID", "Vertriebsweg", "Amount", "Created"], [["D-1", "Acme Cloud", "5", "2026-03-01"]])

    batch = preview(tenant, manager, content)

    assert batch.mapping["partner"] == "Vertriebsweg"
    assert batch.errors == []


def test_preview_rows_read_again_after_the_cache_keep_the_choices_made(tenant, manager, acme):
    from django.core.cache import cache

    from scorecards.selectors.imports import import_preview_rows

    batch = preview(
        tenant, manager, deals_file(["Probability"], ["0", "1"]), options={"units": {"probability": "fraction"}}
    )
    cache.clear()

    with tenant_context(tenant):
        rows = import_preview_rows(tenant=tenant, batch=batch)

    assert [row["probability"] for row in rows] == [0, 100]
