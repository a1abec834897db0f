"""Reading the partner table: the filters it offers and the partner ids of the rows a page rendered."""

from __future__ import annotations

import re
from typing import Any

PARTNER_ROW = re.compile(r'data-partner-id="(\d+)"')
FILTER_FIELDS = (
    "q",
    "partner_type",
    "tier",
    "stage",
    "region",
    "market",
    "product_line",
    "owner",
    "executive_sponsor",
    "data_steward",
)


def partner_ids_in(response: Any) -> set[int]:
    """The partner ids of the rows in a rendered partner table."""
    return {int(pk) for pk in PARTNER_ROW.findall(response.content.decode())}
