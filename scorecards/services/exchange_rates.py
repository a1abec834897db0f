"""Writes of the program's dated exchange rates: one entered by an admin, or many imported at once (all or nothing).

A rate is keyed by its pair and date: entering the same pair and date again replaces the rate (audited).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from partnerhub.core.models import Membership, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from scorecards.errors import ExchangeRateInvalidError
from scorecards.models import ExchangeRate

CODE = re.compile(r"^[A-Z]{3}$")
MAX_IMPORT_ROWS = 5000


@dataclass(frozen=True)
class RateInput:
    from_currency: str
    to_currency: str
    date: date
    rate: Decimal
    source: str = ""


def _problems(row: Mapping[str, Any]) -> tuple[RateInput | None, dict[str, list[str]]]:
    fields: dict[str, list[str]] = {}
    src = str(row.get("from_currency") or "").strip().upper()
    dst = str(row.get("to_currency") or "").strip().upper()
    for name, code in (("from_currency", src), ("to_currency", dst)):
        if not CODE.match(code):
            fields[name] = ["An ISO 4217 code of three letters, such as USD or EUR."]
    if not fields and src == dst:
        fields["to_currency"] = ["A rate converts between two different currencies."]
    day = row.get("date")
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            day = None
    if not isinstance(day, date):
        fields["date"] = ["A date such as 2026-01-31."]
    try:
        rate = Decimal(str(row.get("rate")))
    except (InvalidOperation, ValueError):
        rate = Decimal(0)
    if not rate.is_finite() or rate <= 0:
        fields["rate"] = ["A rate above 0 (units of the second currency for one of the first)."]
    elif rate.as_tuple().exponent < -8 or rate >= Decimal(10) ** 10:  # type: ignore[operator]
        fields["rate"] = ["At most 10 digits before the point and 8 after it."]
    if fields:
        return None, fields
    assert isinstance(day, date)  # noqa: S101 (checked above)
    return RateInput(src, dst, day, rate, str(row.get("source") or "")[:60]), {}


def _upsert(tenant: Tenant, item: RateInput) -> ExchangeRate:
    rate = (
        ExchangeRate.objects.for_tenant(tenant)
        .filter(from_currency=item.from_currency, to_currency=item.to_currency, date=item.date)
        .first()
    )
    if rate is None:
        return ExchangeRate.objects.create(
            tenant=tenant,
            from_currency=item.from_currency,
            to_currency=item.to_currency,
            date=item.date,
            rate=item.rate,
            source=item.source,
        )
    if rate.rate != item.rate or rate.source != item.source:
        rate.rate, rate.source = item.rate, item.source
        rate.save(update_fields=["rate", "source", "updated_at"])
    return rate


@transaction.atomic
def exchange_rate_set(*, tenant: Tenant, actor: Membership, data: Mapping[str, Any]) -> ExchangeRate:
    """Enter (or replace) the rate of a pair from a date on (admins). Raises ExchangeRateInvalidError on bad input."""
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "rates.change")
    item, fields = _problems(data)
    if item is None:
        first = next(iter(fields.values()))[0]
        raise ExchangeRateInvalidError(f"Nothing was saved: {first}", extra={"fields": fields})
    return _upsert(tenant, item)


@transaction.atomic
def exchange_rates_import(*, tenant: Tenant, actor: Membership, rows: Iterable[Mapping[str, Any]]) -> int:
    """Enter many rates at once (admins): every row valid, or nothing written (ExchangeRateInvalidError naming the
    rows and fields). Returns how many rows were entered or replaced."""
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "rates.change")
    rows = list(rows)
    if not rows or len(rows) > MAX_IMPORT_ROWS:
        raise ExchangeRateInvalidError(f"Send between 1 and {MAX_IMPORT_ROWS:,} rates.")
    items: list[RateInput] = []
    problems: dict[int, dict[str, list[str]]] = {}
    for index, row in enumerate(rows):
        item, fields = _problems(row)
        if item is None:
            problems[index] = fields
        else:
            items.append(item)
    keys = [(i.from_currency, i.to_currency, i.date) for i in items]
    if len(set(keys)) != len(keys):
        problems[-1] = {"rows": ["The same pair and date appear twice."]}
    if problems:
        raise ExchangeRateInvalidError(
            f"Nothing was saved: {len(problems)} row{'s' if len(problems) != 1 else ''} need correcting.",
            extra={"rows": problems},
        )
    for item in items:
        _upsert(tenant, item)
    return len(items)


@transaction.atomic
def exchange_rate_delete(*, tenant: Tenant, actor: Membership, rate: ExchangeRate) -> None:
    """Remove a rate entered by mistake (admins); amounts on its dates then use the rate before it."""
    ensure_same_tenant(tenant, actor, rate)
    ensure_can(actor, "rates.change")
    rate.delete()
