from __future__ import annotations

import csv
import importlib.util
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from partnerhub.core.models import Membership, Partner, Tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.demo.scorecards import NOISE, SEASON, PartnerGenerator, Profile
from partnerhub.demo.seed import PROGRAMS, demo_partner_rows, seed_program
from scorecards.services.imports import import_preview

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
DEALS = SAMPLES / "crm-deals-export.csv"
OBSERVATIONS = SAMPLES / "partner-observations.xlsx"
NORTHWIND = next(program for program in PROGRAMS if program.slug == "northwind")
# metric name in the sample -> (the generator's level attribute, allowed distance as (relative, absolute))
LEVEL_OF = {
    "Revenue": ("revenue", (0.15, 0)),
    "Forecast accuracy": ("forecast_accuracy", (0, 7)),
    "Time to first response": ("response_hours", (0.18, 0)),
    "Customer satisfaction (CSAT)": ("csat", (0, 0.25)),
    "Partner sentiment": ("sentiment", (0, 0.8)),
    "Customer retention": ("retention", (0, 3)),
}


def northwind_partners():
    return {p.name: p for p in demo_partner_rows(NORTHWIND, Tenant(slug="northwind"), [None], None, None)}


def deal_rows():
    with DEALS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def observation_rows():
    sheet = openpyxl.load_workbook(OBSERVATIONS).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    return header, rows


def expected_level(generator, metric, month):
    attribute, _ = LEVEL_OF[metric]
    return getattr(generator, attribute) * (SEASON.get(month.month, 1.0) if metric == "Revenue" else 1)


def load_script():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_deals_export_keeps_the_crms_own_headers_and_formats():
    rows = deal_rows()
    assert list(rows[0]) == list(load_script().DEAL_HEADERS)
    assert len(rows) == 40
    assert all(row["Amount"].startswith("$") and row["Amount"].endswith(".00") for row in rows)
    assert all(len(row["Created Date"]) == 10 and row["Created Date"][2] == "/" for row in rows)
    assert len({row["Opportunity ID"] for row in rows}) == 40


def test_every_partner_in_the_samples_is_a_northwind_demo_partner():
    partners = northwind_partners()
    _, observations = observation_rows()
    named = {row["Partner Account"] for row in deal_rows()} | {row[0] for row in observations}
    assert named <= set(partners)


def test_the_observations_sheet_has_partner_metric_month_and_value():
    header, rows = observation_rows()
    assert header == ("Partner", "Metric", "Month", "Value")
    assert len(rows) == 72
    assert {row[2].date() for row in rows} == {date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)}


def test_the_sample_figures_sit_near_each_partners_own_demo_level():
    partners = northwind_partners()
    _, rows = observation_rows()
    tenant = Tenant(slug="northwind")
    generators = {
        name: PartnerGenerator(
            tenant=tenant,
            partner=partners[name],
            profile=Profile(NOISE),
            months=[date(2026, 7, 1)],
            today=date(2026, 10, 1),
            metrics={},
        )
        for name in {row[0] for row in rows}
    }
    checked = [
        (partner, metric, value, expected_level(generators[partner], metric, month), *LEVEL_OF[metric][1])
        for partner, metric, month, value in rows
    ]
    misses = [row for row in checked if abs(row[2] - row[3]) > row[4] * row[3] + row[5]]
    assert misses == []


def test_the_script_regenerates_the_same_bytes(tmp_path, monkeypatch):
    script = load_script()
    monkeypatch.setattr(script, "DEALS_FILE", tmp_path / DEALS.name)
    monkeypatch.setattr(script, "OBSERVATIONS_FILE", tmp_path / OBSERVATIONS.name)
    script.main()
    assert (tmp_path / DEALS.name).read_bytes() == DEALS.read_bytes()
    assert (tmp_path / OBSERVATIONS.name).read_bytes() == OBSERVATIONS.read_bytes()  # fixed zip entry times


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "path", "expected"),
    [
        ("deals", DEALS, {"new": 40, "invalid": 0}),
        ("observations", OBSERVATIONS, {"invalid": 0}),
    ],
)
def test_both_samples_preview_without_an_error_in_the_seeded_northwind_program(kind, path, expected):
    seed_program(NORTHWIND)
    tenant = Tenant.objects.get(slug="northwind")
    with tenant_context(tenant):
        admin = Membership.objects.for_tenant(tenant).get(user__email="admin@northwind.example")
        batch = import_preview(tenant=tenant, actor=admin, kind=kind, file_name=path.name, content=path.read_bytes())
        assert Partner.objects.for_tenant(tenant).count() == 60
    assert batch.errors == []
    assert {key: batch.counts[key] for key in expected} == expected
