"""Regenerate the sample import files next to this script: ``python docs/samples/make_samples.py``.

The partner names are demo partners of the "northwind" program (see ``partnerhub/demo/seed.py``), so both files import
into a freshly seeded demo without an "unknown partner" error. Only the standard library and openpyxl are needed,
and the output is the same on every run.
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
DEALS_FILE = HERE / "crm-deals-export.csv"
OBSERVATIONS_FILE = HERE / "partner-observations.xlsx"

# Demo partners of northwind, with a typical deal size for their tier.
DEAL_PARTNERS = {
    "Atlas Group": 52_000,  # platinum
    "Cobalt Integrations": 48_000,  # platinum
    "Harbor Partners": 30_000,  # gold
    "Iris Consulting": 28_000,  # gold
    "Nimbus Labs": 17_000,  # silver
    "Acme Digital": 16_000,  # silver (partner1@northwind.example works here)
}
# Each partner's own level of each metric, as the demo generates it (partnerhub/demo/scorecards.py; checked by a
# test): the sample's figures stay close to the partner's history, so importing them raises no outlier.
# Metric names are the glossary's (keys work too).
LEVELS = {
    "Atlas Group": {
        "Revenue": 100_688,
        "Forecast accuracy": 70.7,
        "Time to first response": 13.3,
        "Customer satisfaction (CSAT)": 3.79,
        "Partner sentiment": 7.02,
        "Customer retention": 84.8,
    },
    "Acme Digital": {
        "Revenue": 37_590,
        "Forecast accuracy": 80.2,
        "Time to first response": 18.9,
        "Customer satisfaction (CSAT)": 4.01,
        "Partner sentiment": 6.62,
        "Customer retention": 89.0,
    },
    "Harbor Partners": {
        "Revenue": 50_158,
        "Forecast accuracy": 75.7,
        "Time to first response": 18.3,
        "Customer satisfaction (CSAT)": 3.94,
        "Partner sentiment": 7.08,
        "Customer retention": 85.4,
    },
    "Nimbus Labs": {
        "Revenue": 24_905,
        "Forecast accuracy": 73.9,
        "Time to first response": 9.1,
        "Customer satisfaction (CSAT)": 4.28,
        "Partner sentiment": 7.33,
        "Customer retention": 91.9,
    },
}
# How a month varies around the level: (relative noise, absolute noise).
NOISE = {
    "Revenue": (0.04, 0),
    "Forecast accuracy": (0, 2),
    "Time to first response": (0.05, 0),
    "Customer satisfaction (CSAT)": (0, 0.06),
    "Partner sentiment": (0, 0.2),
    "Customer retention": (0, 0.8),
}
SEASON = {8: 0.95, 9: 1.05}  # the demo's: August is slow, quarter ends are busy
OBSERVATION_MONTHS = (date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1))

DEAL_HEADERS = (
    "Opportunity ID",
    "Opportunity Name",
    "Account Name",
    "Partner Account",
    "Stage",
    "Amount",
    "Currency",
    "Probability (%)",
    "Created Date",
    "Close Date",
    "Discount (%)",
    "Contract Term (Months)",
    "Renewal",
    "Deal Registration Date",
    "Registration Status",
    "Registration Expiry",
)
STAGES = (  # stage, probability %, closed?
    ("Closed Won", 100, True),
    ("Closed Won", 100, True),
    ("Closed Lost", 0, True),
    ("Closed Lost", 0, True),
    ("Closed Lost", 0, True),
    ("Negotiation/Review", 80, False),
    ("Proposal/Price Quote", 60, False),
    ("Needs Analysis", 30, False),
    ("Qualification", 20, False),
)
ACCOUNTS = (
    "Northgate Bank",
    "Harborview Health",
    "Silverline Logistics",
    "Redwood Retail",
    "Clearwater Energy",
    "Goldcrest Insurance",
    "Müller Logistik GmbH",
    "Lakeside University",
    "Meridian Telecom",
    "Oakridge Manufacturing",
    "Pinecrest Foods",
    "Stonegate Municipality",
)
PRODUCTS = ("Cloud Platform", "Security Suite", "Data & AI", "Observability")
ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def us_date(day: date | None) -> str:
    return f"{day:%m/%d/%Y}" if day else ""


def money(amount: float) -> str:
    return f"${amount:,.2f}"


def deal_rows(rng: random.Random) -> list[list[str]]:
    rows = []
    for n in range(40):
        partner = list(DEAL_PARTNERS)[n % len(DEAL_PARTNERS)]
        account = rng.choice(ACCOUNTS)
        stage, probability, closed = rng.choice(STAGES)
        # Closed deals closed by October 2026; open ones were created since August and close in the coming months.
        if closed:
            created = date(2026, 1, 5) + timedelta(days=rng.randint(0, 180))
            close = created + timedelta(days=rng.randint(30, 110))
        else:
            created = date(2026, 8, 1) + timedelta(days=rng.randint(0, 85))
            close = created + timedelta(days=rng.randint(60, 120))
        renewal = rng.random() < 0.2
        amount = round(DEAL_PARTNERS[partner] * rng.lognormvariate(0, 0.4) / 50) * 50
        registered = None if renewal or rng.random() < 0.25 else created + timedelta(days=rng.randint(0, 3))
        status = ""
        if registered is not None:
            pending = not closed and rng.random() < 0.3
            status = "Rejected" if rng.random() < 0.1 else ("Pending" if pending else "Approved")
        expiry = registered + timedelta(days=90) if registered is not None and status != "Rejected" else None
        opportunity_id = "0065j00001" + "".join(rng.choice(ID_ALPHABET) for _ in range(5)) + "AAZ"
        rows.append(
            [
                opportunity_id,
                f"{account} - {rng.choice(PRODUCTS)}{' renewal' if renewal else ''}",
                account,
                partner,
                stage,
                money(amount),
                "USD",
                str(probability),
                us_date(created),
                us_date(close),
                f"{rng.choice((0, 0, 5, 7.5, 10, 12.5, 15, 20, 25)):g}",
                str(rng.choice((12, 12, 24, 36))),
                "Yes" if renewal else "No",
                us_date(registered),
                status,
                us_date(expiry),
            ]
        )
    return rows


def write_deals(rng: random.Random) -> None:
    with DEALS_FILE.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(DEAL_HEADERS)
        writer.writerows(deal_rows(rng))


def write_observations(rng: random.Random) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 (a new workbook always has one sheet)
    sheet.title = "Monthly figures"
    sheet.append(["Partner", "Metric", "Month", "Value"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for partner, levels in LEVELS.items():
        for metric, level in levels.items():
            relative, absolute = NOISE[metric]
            for month in OBSERVATION_MONTHS:
                seasonal = level * SEASON.get(month.month, 1.0) if metric == "Revenue" else level
                value = round(seasonal * rng.gauss(1, relative) + rng.gauss(0, absolute), 2)
                sheet.append([partner, metric, datetime(month.year, month.month, 1), value])  # noqa: DTZ001
                sheet.cell(row=sheet.max_row, column=3).number_format = "mmm yyyy"
    for column, width in zip("ABCD", (22, 30, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width
    book.properties.created = datetime(2026, 10, 1)  # noqa: DTZ001
    buffer = io.BytesIO()
    book.save(buffer)
    # openpyxl stamps the save time into the document and the zip entries: fix both, so that regenerating an
    # unchanged file gives the same bytes (and no spurious binary diff).
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(OBSERVATIONS_FILE, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-10-01T00:00:00Z", data)
            fixed = zipfile.ZipInfo(entry.filename, date_time=(2026, 10, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, data)


def main() -> None:
    write_deals(random.Random(2026))  # noqa: S311 (sample data, not security)
    write_observations(random.Random(2027))  # noqa: S311 (sample data, not security)
    print(f"wrote {DEALS_FILE.name} and {OBSERVATIONS_FILE.name}")  # noqa: T201 (a script's output)


if __name__ == "__main__":
    main()
