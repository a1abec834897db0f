"""Reads for likely duplicate deals among the stored ones (the data-quality check and its link action)."""

from __future__ import annotations

from datetime import date

from django.db import connection

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.sql import ensure_active_tenant
from scorecards.domain.deal_duplicates import DealFacts, duplicates_among, pair_month

# The deals whose partner, amount, currency and account (trimmed, spaces collapsed, lower case) another deal shares:
# the only ones that can be a duplicate, found by the database before anything is compared in Python.
_CANDIDATES = """
WITH keyed AS (
    SELECT d.id, d.external_id, d.partner_id, d.account_name, d.amount, d.currency, d.close_date, d.created_on,
           d.batch_id, lower(regexp_replace(btrim(d.account_name), '\\s+', ' ', 'g')) AS account_key
    FROM scorecards_deal d
    WHERE d.tenant_id = %s AND btrim(d.account_name) <> '' {partner}
)
SELECT k.id, k.external_id, k.partner_id, k.account_name, k.amount, k.currency, k.close_date, k.created_on,
       COALESCE(b.source, '')
FROM keyed k
LEFT JOIN scorecards_importbatch b ON b.id = k.batch_id AND b.tenant_id = %s
WHERE (k.partner_id, k.amount, k.currency, k.account_key) IN (
    SELECT partner_id, amount, currency, account_key FROM keyed GROUP BY 1, 2, 3, 4 HAVING count(*) > 1
)
ORDER BY k.id
"""


def deal_duplicate_pairs(*, tenant: Tenant, partner_id: int | None = None) -> list[tuple[DealFacts, DealFacts]]:
    """Pairs (earlier, later) of stored deals that are likely one deal from two sources, in one query."""
    ensure_active_tenant(tenant)
    partner = "AND d.partner_id = %s" if partner_id is not None else ""
    params: list[int] = [tenant.pk, *([partner_id] if partner_id is not None else []), tenant.pk]
    with connection.cursor() as cursor:
        # Raw SQL, scoped twice: the WHERE names the tenant, and row-level security shows no other tenant's rows.
        cursor.execute(_CANDIDATES.format(partner=partner), params)
        deals = [DealFacts(*row) for row in cursor.fetchall()]
    return duplicates_among(deals)


def deal_duplicate_pairs_for(*, tenant: Tenant, partner_id: int, month: date) -> list[tuple[DealFacts, DealFacts]]:
    """The pairs of one partner filed under ``month`` (what one data-quality finding is about)."""
    return [pair for pair in deal_duplicate_pairs(tenant=tenant, partner_id=partner_id) if pair_month(pair) == month]
