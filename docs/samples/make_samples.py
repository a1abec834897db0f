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
# Exports as the tools write them (issue 12): also copied, byte for byte, to the tests' fixtures.
FIXTURES = HERE.parents[1] / "tests" / "scorecards" / "fixtures"
SALESFORCE_FILE = "salesforce-opportunities-report.csv"
HUBSPOT_FILE = "hubspot-deals-export.csv"
GERMAN_FILE = "deals-excel-de.csv"
ACTIVITIES_FILE = "partner-activities-q3.xlsx"
PARTNERS_FILE = "partners.csv"

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


# --- exports as the tools write them: every value below is what a person reads in the file ---

# (id suffix, opportunity name, account, partner, type, stage, amount, probability %, created, close)
SALESFORCE_ROWS = (
    ("01", "Harborview Health - Data & AI", "Harborview Health", "Atlas Group", "New Business", "Closed Won",
     "48000.00", 100, date(2026, 3, 2), date(2026, 5, 28)),
    ("02", "Northgate Bank - Security Suite", "Northgate Bank", "Cobalt Integrations", "Renewal", "Closed Won",
     "36500.00", 100, date(2026, 2, 11), date(2026, 4, 30)),
    ("03", "Silverline Logistics - Cloud Platform", "Silverline Logistics", "Harbor Partners", "New Business",
     "Closed Lost", "22750.00", 0, date(2026, 1, 20), date(2026, 4, 15)),
    ("04", "Redwood Retail - Observability", "Redwood Retail", "Iris Consulting", "Existing Business",
     "Negotiation/Review", "18400.00", 80, date(2026, 8, 3), date(2026, 12, 18)),
    ("05", "Clearwater Energy - Data & AI", "Clearwater Energy", "Nimbus Labs", "New Business",
     "Proposal/Price Quote", "12900.00", 60, date(2026, 8, 17), date(2027, 1, 15)),
    ("06", "Goldcrest Insurance - Security Suite", "Goldcrest Insurance", "Acme Digital", "Renewal", "Closed Won",
     "15250.50", 100, date(2026, 4, 6), date(2026, 6, 30)),
    ("07", "Lakeside University - Cloud Platform", "Lakeside University", "Atlas Group", "New Business",
     "Needs Analysis", "54000.00", 30, date(2026, 9, 1), date(2027, 2, 26)),
    ("08", "Meridian Telecom - Observability", "Meridian Telecom", "Cobalt Integrations", "Existing Business",
     "Qualification", "27300.00", 20, date(2026, 9, 14), date(2027, 3, 31)),
    ("09", "Oakridge Manufacturing - Data & AI", "Oakridge Manufacturing", "Harbor Partners", "New Business",
     "Closed Won", "31800.00", 100, date(2026, 3, 23), date(2026, 7, 17)),
    ("10", "Pinecrest Foods - Cloud Platform", "Pinecrest Foods", "Iris Consulting", "Renewal", "Closed Lost",
     "9600.00", 0, date(2026, 2, 2), date(2026, 5, 8)),
    ("11", "Stonegate Municipality - Security Suite", "Stonegate Municipality", "Nimbus Labs", "New Business",
     "Value Proposition", "14450.00", 50, date(2026, 8, 25), date(2027, 1, 29)),
    ("12", "Müller Logistik GmbH - Observability", "Müller Logistik GmbH", "Acme Digital", "New Business",
     "Id. Decision Makers", "11200.00", 40, date(2026, 9, 8), date(2027, 2, 12)),
)  # fmt: skip
SALESFORCE_OWNERS = ("Dana Whitfield", "Luis Ortega", "Priya Raman")


def us_money(amount: str) -> str:
    return f"USD {float(amount):,.2f}"


def salesforce_report() -> bytes:
    """A Salesforce opportunity report exported as CSV: a title and filter block above the header, amounts as a
    multi-currency org writes them ("USD 48,000.00"), US dates without leading zeros, a grand total and the
    copyright / confidentiality / generated-by footer below the data."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for line in ("Partner opportunities - FY2026", "Filtered By:", '   Partner Account not equal to ""',
                 "   Close Date equals THIS FISCAL YEAR", ""):  # fmt: skip
        writer.writerow([line])
    writer.writerow(["Opportunity Owner", "Opportunity ID", "Opportunity Name", "Account Name", "Partner Account",
                     "Type", "Stage", "Amount", "Probability (%)", "Created Date", "Close Date",
                     "Lead Source"])  # fmt: skip
    total = 0.0
    for n, (suffix, name, account, partner, kind, stage, amount, probability, created, close) in enumerate(
        SALESFORCE_ROWS
    ):
        total += float(amount)
        writer.writerow(
            [SALESFORCE_OWNERS[n % 3], f"0065j00001Nw{suffix}AAZ", name, account, partner, kind, stage,
             us_money(amount), str(probability), f"{created.month}/{created.day}/{created.year}",
             f"{close.month}/{close.day}/{close.year}", ("Partner Referral", "Web", "Event")[n % 3]]
        )  # fmt: skip
    writer.writerow([""])
    writer.writerow([""])
    writer.writerow([f"Grand Totals ({len(SALESFORCE_ROWS)} records)", "", "", "", "", "", "", us_money(f"{total}"),
                     "", "", "", ""])  # fmt: skip
    writer.writerow([""])
    for line in ("Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
                 "Confidential Information - Do Not Distribute", "Generated By:  Dana Whitfield  12/1/2026 9:14 AM",
                 "Northwind Cloud"):  # fmt: skip
        writer.writerow([line])
    return buffer.getvalue().encode("utf-8")


# (record id, deal name, stage id, amount, close, created, probability, discount, company, partner): rows 1-4 are
# deals of the Salesforce report above, exported again by HubSpot under its own ids.
HUBSPOT_ROWS = (
    ("17234567801", "Harborview Health - Data & AI", "closedwon", "48000", "2026-05-29T16:00:00.000Z",
     "2026-03-02T10:12:44.000Z", "1.0", "10%", "Harborview Health", "Atlas Group"),
    ("17234567802", "Northgate Bank renewal", "closedwon", "36500", "2026-05-01T09:00:00.000Z",
     "2026-02-11T08:30:00.000Z", "1.0", "5%", "Northgate Bank", "Cobalt Integrations"),
    ("17234567803", "Goldcrest Insurance renewal", "closedwon", "15250.5", "2026-06-30T12:00:00.000Z",
     "2026-04-06T07:45:10.000Z", "1.0", "0%", "Goldcrest Insurance", "Acme Digital"),
    ("17234567804", "Oakridge Manufacturing", "closedwon", "31800", "2026-07-20T15:30:00.000Z",
     "2026-03-23T11:00:00.000Z", "1.0", "12.5%", "Oakridge Manufacturing", "Harbor Partners"),
    ("17234567805", "Bayview Clinics expansion", "presentationscheduled", "22000", "2027-01-22T17:00:00.000Z",
     "2026-10-05T13:45:00.000Z", "0.6", "7.5%", "Bayview Clinics", "Iris Consulting"),
    ("17234567806", "Summit Analytics pilot", "qualifiedtobuy", "8400", "2027-02-26T17:00:00.000Z",
     "2026-11-02T09:20:00.000Z", "0.4", "0%", "Summit Analytics", "Nimbus Labs"),
    ("17234567807", "Crescent Hotels", "closedlost", "13750", "2026-09-15T10:00:00.000Z",
     "2026-05-19T14:05:00.000Z", "0.0", "0%", "Crescent Hotels", "Atlas Group"),
    ("17234567808", "Northwind Traders", "appointmentscheduled", "5600", "2027-03-31T17:00:00.000Z",
     "2026-11-20T16:40:00.000Z", "0.2", "0%", "Northwind Traders", "Acme Digital"),
)  # fmt: skip


def hubspot_export() -> bytes:
    """A HubSpot deals export: internal stage ids, ISO datetimes in UTC, probabilities as fractions, discounts in
    percent, plain amounts in the portal's currency, a custom "Partner" property."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Record ID", "Deal Name", "Deal Stage", "Pipeline", "Amount", "Close Date", "Create Date",
                     "Deal owner", "Deal probability", "Discount", "Associated Company", "Partner"])  # fmt: skip
    for record_id, name, stage, amount, close, created, probability, discount, company, partner in HUBSPOT_ROWS:
        writer.writerow([record_id, name, stage, "default", amount, close, created, "Maya Manager", probability,
                         discount, company, partner])  # fmt: skip
    return buffer.getvalue().encode("utf-8")


# (opportunity, partner, customer, phase, amount in EUR as written, probability %, created, close, discount %)
GERMAN_ROWS = (
    ("Bäckerei Schön \u2013 Cloud Platform", "Atlas Group", "Bäckerei Schön GmbH", "Gewonnen", "24.500,00", "100",
     "12.01.2026", "27.03.2026", "10"),
    ("Müller Logistik \u2013 Data & AI", "Harbor Partners", "Müller Logistik GmbH", "Verloren", "18.750,50", "0",
     "03.02.2026", "15.05.2026", "0"),
    ("Stadtwerke Süd \u2013 Security Suite", "Iris Consulting", "Stadtwerke Süd AG", "Verhandlung", "42.000,00", "75",
     "14.07.2026", "18.12.2026", "12,5"),
    ("Brauerei Weiß \u2013 Observability", "Nimbus Labs", "Brauerei Weiß KG", "Angebot", "9.990,00", "50",
     "01.09.2026", "29.01.2027", "5"),
    ("Klinikum Nord \u2013 Cloud Platform", "Acme Digital", "Klinikum Nord gGmbH", "Auftrag erteilt", "31.200,00",
     "100", "05.03.2026", "30.06.2026", "7,5"),
    ("Autohaus Köhler \u2013 Data & AI", "Cobalt Integrations", "Autohaus Köhler GmbH & Co. KG", "Qualifizierung",
     "15.000,00", "20", "22.09.2026", "26.03.2027", "0"),
    ("Gärtnerei Fröhlich \u2013 Security Suite", "Atlas Group", "Gärtnerei Fröhlich", "Bedarfsanalyse", "6.480,00",
     "30", "10.10.2026", "12.02.2027", "0"),
    ("Maschinenbau Groß \u2013 Observability", "Harbor Partners", "Maschinenbau Groß AG", "Gewonnen", "57.300,00",
     "100", "19.02.2026", "22.05.2026", "15"),
    ("Versicherung Löwe \u2013 Cloud Platform", "Iris Consulting", "Löwe Versicherung AG", "Verhandlung", "28.640,00",
     "80", "02.08.2026", "20.11.2026", "10"),
    ("Rheinhafen Spedition \u2013 Data & AI", "Nimbus Labs", "Rheinhafen Spedition GmbH", "Verloren", "11.111,11", "0",
     "07.04.2026", "31.07.2026", "0"),
)  # fmt: skip


def german_excel_export() -> bytes:
    """Deals as German Excel saves "CSV (Trennzeichen-getrennt)": semicolons, decimal commas and dot thousands,
    dd.mm.yyyy dates, Windows-1252, CRLF; the currency only in the amount's header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Verkaufschance", "Partner", "Kunde", "Phase", "Betrag (EUR)", "Wahrscheinlichkeit (%)",
                     "Erstellt am", "Abschlussdatum", "Rabatt (%)"])  # fmt: skip
    writer.writerows(GERMAN_ROWS)
    return buffer.getvalue().encode("cp1252")


# (partner, activity type, title, date, attendees, leads)
ACTIVITY_ROWS = (
    ("Atlas Group", "Webinar", "Zero-trust for retail", date(2026, 7, 9), 142, 18),
    ("Cobalt Integrations", "Co-selling campaign", "Q3 banking push", date(2026, 7, 15), 0, 35),
    ("Harbor Partners", "Training", "Observability bootcamp", date(2026, 8, 4), 24, 0),
    ("Iris Consulting", "Certification", "Data & AI specialist exam", date(2026, 8, 19), 6, 0),
    ("Nimbus Labs", "Integration milestone", "Connector v2 generally available", date(2026, 9, 1), 0, 0),
    ("Acme Digital", "Webinar", "Cloud cost clinic", date(2026, 9, 10), 88, 11),
    ("Atlas Group", "Workshop", "Partner summit workshop", date(2026, 9, 17), 310, 42),
    ("Harbor Partners", "Co-selling campaign", "Manufacturing ABM", date(2026, 9, 24), 0, 27),
)


def _stable_xlsx(book: Workbook, path: Path) -> None:
    book.properties.created = datetime(2026, 10, 1)  # noqa: DTZ001
    buffer = io.BytesIO()
    book.save(buffer)
    # openpyxl stamps the save time into the document and the zip entries: fix both, so that regenerating an
    # unchanged file gives the same bytes (and no spurious binary diff).
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-10-01T00:00:00Z", data)
            fixed = zipfile.ZipInfo(entry.filename, date_time=(2026, 10, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, data)


def write_activities_report(path: Path) -> None:
    """An XLSX with a merged title, a "prepared by" line and a blank row above the header, and a total row below."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 (a new workbook always has one sheet)
    sheet.title = "Q3 activities"
    sheet.append(["Joint partner activities — Q3 2026"])
    sheet.merge_cells("A1:F1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["Prepared by Channel Operations · exported 2026-10-01"])
    sheet.append([])
    sheet.append(["Partner", "Activity type", "Title", "Date", "Attendees", "Leads generated"])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for partner, kind, title, day, attendees, leads in ACTIVITY_ROWS:
        sheet.append([partner, kind, title, datetime(day.year, day.month, day.day), attendees, leads])  # noqa: DTZ001
        sheet.cell(row=sheet.max_row, column=4).number_format = "dd mmm yyyy"
    sheet.append(["Total", None, None, None, sum(r[4] for r in ACTIVITY_ROWS), sum(r[5] for r in ACTIVITY_ROWS)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEF", (22, 22, 34, 14, 11, 16), strict=True):
        sheet.column_dimensions[column].width = width
    _stable_xlsx(book, path)


# (name, CRM id, type as the CRM says it, tier, region, country, product lines, manager, sponsor, size factor)
PARTNER_ROWS = (
    ("Kestrel IT Services", "0015j00000KES01", "Value Added Reseller", "Gold", "EMEA", "Germany",
     "Cloud Platform; Security", "manager@northwind.example", "exec@northwind.example", "1.2"),
    ("Fjordline Data AS", "0015j00000FJO02", "Systems Integrator", "Silver", "EMEA", "Norway", "Data & AI",
     "manager2@northwind.example", "", "0.8"),
    ("Lumen Analytics", "0015j00000LUM03", "ISV", "Registered", "North America", "United States",
     "Data & AI; Observability", "manager3@northwind.example", "", "1"),
    ("Paloma Soluciones", "0015j00000PAL04", "Value Added Reseller", "Silver", "LATAM", "Mexico", "Cloud Platform",
     "manager@northwind.example", "", "0.6"),
    ("Quokka Cloud Pty", "0015j00000QUO05", "Managed Service Provider", "Gold", "APAC", "Australia",
     "Cloud Platform; Observability", "manager2@northwind.example", "exec@northwind.example", "1.1"),
    ("Saffron Systems India", "0015j00000SAF06", "Systems Integrator", "Platinum", "APAC", "India",
     "Cloud Platform; Data & AI; Security", "manager3@northwind.example", "exec@northwind.example", "2.5"),
    ("Tidewater MSP", "0015j00000TID07", "Managed Service Provider", "Registered", "North America", "Canada",
     "Observability", "manager@northwind.example", "", "0.5"),
    ("Vireo Security", "0015j00000VIR08", "Referral", "Registered", "EMEA", "France", "Security",
     "manager2@northwind.example", "", "0.4"),
    ("Wren Integration Co", "0015j00000WRE09", "Systems Integrator", "Gold", "North America", "United States",
     "Cloud Platform; Data & AI", "manager3@northwind.example", "", "1.5"),
    ("Yarrow Tech", "0015j00000YAR10", "ISV", "Silver", "EMEA", "Netherlands", "Observability; Security",
     "manager@northwind.example", "", "0.9"),
    ("Zephyr Conseil SAS", "0015j00000ZEP11", "Referral", "Registered", "EMEA", "France", "Cloud Platform",
     "manager2@northwind.example", "", "0.3"),
    ("Osprey Networks Brasil", "0015j00000OSP12", "Value Added Reseller", "Gold", "LATAM", "Brazil",
     "Cloud Platform; Security", "manager3@northwind.example", "exec@northwind.example", "1.3"),
)  # fmt: skip


def partners_export() -> bytes:
    """Twelve partner accounts as a CRM lists them, with their managers by email."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Partner Name", "Partner ID", "Partner Type", "Partner Tier", "Region", "Country",
                     "Product Lines", "Partner Manager", "Executive Sponsor", "Size Factor"])  # fmt: skip
    writer.writerows(PARTNER_ROWS)
    return buffer.getvalue().encode("utf-8")


def write_exports() -> list[str]:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, content in (
        (SALESFORCE_FILE, salesforce_report()),
        (HUBSPOT_FILE, hubspot_export()),
        (GERMAN_FILE, german_excel_export()),
        (PARTNERS_FILE, partners_export()),
    ):
        for folder in (HERE, FIXTURES):
            (folder / name).write_bytes(content)
    for folder in (HERE, FIXTURES):
        write_activities_report(folder / ACTIVITIES_FILE)
    return [SALESFORCE_FILE, HUBSPOT_FILE, GERMAN_FILE, ACTIVITIES_FILE, PARTNERS_FILE]


def main() -> None:
    write_deals(random.Random(2026))  # noqa: S311 (sample data, not security)
    write_observations(random.Random(2027))  # noqa: S311 (sample data, not security)
    names = [DEALS_FILE.name, OBSERVATIONS_FILE.name, *write_exports()]
    print(f"wrote {', '.join(names)}")  # noqa: T201 (a script's output)


if __name__ == "__main__":
    main()
