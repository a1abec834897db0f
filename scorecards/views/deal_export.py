"""The deals list as a CSV or XLSX file: one row per deal, every field with its unit in the column's name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from scorecards.models import Deal

DEAL_EXPORT_COLUMNS = [
    "Deal id",
    "Partner",
    "Account",
    "Stage",
    "Status",
    "Amount",
    "Currency",
    "Probability (%)",
    "Created on",
    "Close date",
    "Discount (%)",
    "Term (months)",
    "Renewal",
    "Registration",
    "Registered on",
    "Registration expires on",
    "Source",
    "Import",
    "Deal review",
    "Deal quality (1-5)",
]


def deal_export_rows(deals: Iterable[Deal]) -> Iterator[list[Any]]:
    """One row per deal, in ``DEAL_EXPORT_COLUMNS`` order (numbers stay numbers, dates stay dates)."""
    for d in deals:
        review = getattr(d, "review", None)
        yield [
            d.external_id,
            d.partner.name,
            d.account_name,
            d.stage,
            d.get_status_display(),
            d.amount,
            d.currency,
            d.probability,
            d.created_on,
            d.close_date,
            d.discount_pct,
            d.term_months,
            "yes" if d.is_renewal else "no",
            d.get_registration_status_display(),
            d.registered_on,
            d.registration_expires_on,
            d.batch.source if d.batch else "",
            f"#{d.batch_id} {d.batch.file_name}" if d.batch else "",
            review.get_status_display() if review else "",
            review.quality if review else None,
        ]
