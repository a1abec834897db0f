"""Spreadsheet safety end to end (issue 18): hostile cells put into the program's data come back neutralised from
every CSV and XLSX download the product has, and nothing but the one writer writes such a file.

The download routes are read off the URL resolver (a name or address ending in csv/xlsx): a new export fails
``test_every_download_route_is_covered_by_the_hostile_fixture`` until it is added to ``DOWNLOADS`` below.
"""

from __future__ import annotations

import ast
import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import ImportBatch
from tests.factories import PartnerFactory
from tests.isolation.routes import all_routes
from tests.scorecards.test_scorecard_pages import OCT, _snapshot
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
APP_CODE = ("partnerhub", "scorecards", "reviews", "remediation", "recognition")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The hostile cells: what a spreadsheet would run as a formula, as text a user can put in the program.
HOSTILE = ["=1+2", "+SUM(A1:A9)", "-2+3", "@SUM(1)", '=HYPERLINK("http://evil.example","x")', "\t=cmd", "\r=cmd"]
# Every download route, and the fixture that fills it with hostile cells (name -> (fmt, builder)).
DOWNLOADS = {
    "portfolio_csv": "csv",
    "portfolio_xlsx": "xlsx",
    "import_errors_csv": "csv",
    "deal_export_csv": "csv",
    "deal_export_xlsx": "xlsx",
    "executive_table_csv": "csv",
    "executive_table_xlsx": "xlsx",
}
# Downloads of computed figures under fixed labels: checked for no formula, but they carry no text a user typed.
FIGURES_ONLY = {"executive_table_csv", "executive_table_xlsx"}
# Query strings some downloads need (the executive table that carries the metrics' names).
QUERIES = {
    "executive_table_csv": "?table=metrics&granularity=month",
    "executive_table_xlsx": "?table=metrics&granularity=month",
}
# Writers of CSV/XLSX that are not downloads, each with why (a test below fails on any other).
NOT_DOWNLOADS = {
    "scorecards/domain/import_parsing.py": "render_csv keeps rows posted to the import API as the batch's own content",
}


def _cells(content: bytes, fmt: str) -> list[str]:
    if fmt == "csv":
        return [c for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for c in row]
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    return [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None and isinstance(v, str)]


def _dangerous(cells: list[str]) -> list[str]:
    return [c for c in cells if c.startswith(FORMULA_START)]


@pytest.fixture
def hostile_program(tenant, manager, version, metrics):
    """A program whose partners, owners and import rows carry the hostile cells."""
    from scorecards.models import Deal

    manager.user.first_name, manager.user.last_name = "=cmd|' /C calc'!A0", "@x"
    manager.user.save()
    with tenant_context(tenant):
        metrics[0].name = "=SUM(A1:A9)"  # a metric an admin named like a formula (the executive tables carry names)
        metrics[0].save()
    for i, text in enumerate(HOSTILE):
        partner = PartnerFactory(tenant=tenant, name=text, external_id=f"+{i}", market=text, owner=manager)
        _snapshot(tenant, partner, version, metrics, OCT, 50 + i, dq_reasons=[text])
        with tenant_context(tenant):
            Deal.objects.create(
                tenant=tenant, partner=partner, external_id=text, account_name=text, amount=100, created_on=OCT
            )
    # Amounts and dates are real, so the columns map; the hostile text sits in a date cell of every other row (an
    # error the report repeats) and in names.
    rows = "".join(
        f'OPP-{i},"{text}",Globex,"{text}",Open,{1000 + i},{"01/15/2026" if i % 2 else text},,Open\n'
        for i, text in enumerate(HOSTILE)
    )
    header = "Opportunity ID,Opportunity Name,Account Name,Partner Account,Stage,Amount,Created Date,Close Date,Won\n"
    return tenant, manager, header + rows


def test_every_download_comes_back_neutralised(client, hostile_program):
    tenant, manager, import_file = hostile_program
    client.force_login(manager.user)
    upload = SimpleUploadedFile("crm.csv", import_file.encode(), content_type="text/csv")
    client.post(tenant_url("import_upload", tenant), {"kind": "deals", "source": "salesforce", "file": upload})
    with tenant_context(tenant):
        batch = ImportBatch.objects.order_by("-id").first()
    from partnerhub.executive.services.dashboard import dashboard_precompute

    dashboard_precompute(tenant=tenant)
    kwargs = {"import_errors_csv": {"batch_id": batch.pk}}
    seen: dict[str, list[str]] = {}
    for name, fmt in DOWNLOADS.items():
        response = client.get(tenant_url(name, tenant, **kwargs.get(name, {})) + QUERIES.get(name, ""))
        assert response.status_code == 200, name
        assert response["Content-Disposition"].startswith("attachment;")
        seen[name] = _cells(response.content, fmt)
    for name, cells in seen.items():
        assert _dangerous(cells) == [], name
        if name not in FIGURES_ONLY:
            assert any(c.startswith("'=") for c in cells), f"{name} did not carry the hostile cells"


def test_every_download_route_is_covered_by_the_hostile_fixture():
    downloads = {
        r.name
        for r in all_routes()
        if r.name.endswith(("csv", "xlsx")) or r.pattern.endswith((".csv", ".xlsx", "csv/", "xlsx/"))
    }
    assert downloads == set(DOWNLOADS)


def _writes_spreadsheets(node: ast.AST) -> bool:
    """``csv.writer``/``csv.DictWriter``, ``from csv import writer``, or any import of openpyxl's ``Workbook``."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id == "csv" and node.attr in ("writer", "DictWriter")
    if isinstance(node, ast.ImportFrom) and node.module in ("csv", "openpyxl", "openpyxl.workbook", "xlsxwriter"):
        return any(a.name in ("writer", "DictWriter", "Workbook") for a in node.names) or node.module == "xlsxwriter"
    return isinstance(node, ast.Import) and any(a.name == "xlsxwriter" for a in node.names)


def test_nothing_but_the_one_writer_writes_csv_or_xlsx():
    """csv.writer / csv.DictWriter / openpyxl's Workbook anywhere in app code but spreadsheets.py is a second writer."""
    found = {}
    for package in APP_CODE:
        for path in (ROOT / package).rglob("*.py"):
            rel = str(path.relative_to(ROOT))
            if "migrations" in path.parts or rel == "partnerhub/core/domain/spreadsheets.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if _writes_spreadsheets(node):
                    found.setdefault(rel, node.lineno)
    assert set(found) == set(NOT_DOWNLOADS), found


@pytest.fixture
def version(tenant):
    from scorecards.models import ScorecardTemplate, TemplateVersion

    with tenant_context(tenant):
        template = ScorecardTemplate.objects.create(tenant=tenant, name="Standard", is_default=True)
        return TemplateVersion.objects.create(
            tenant=tenant, template=template, number=1, status="active", effective_from=date(2025, 1, 1)
        )


@pytest.fixture
def metrics(tenant):
    from tests.scorecards.factories import MetricFactory

    return [MetricFactory(tenant=tenant, key="revenue", name="Revenue"), MetricFactory(tenant=tenant, key="csat")]
