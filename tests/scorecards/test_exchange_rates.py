"""Entering and importing exchange rates: admins only, all or nothing, a clear reason for each bad row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.errors import PermissionDeniedError
from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.errors import ExchangeRateInvalidError
from scorecards.models import ExchangeRate
from scorecards.services.exchange_rates import exchange_rate_set, exchange_rates_import

pytestmark = pytest.mark.django_db


def _count(tenant):
    with tenant_context(tenant):
        return ExchangeRate.objects.count()


def test_entering_the_same_pair_and_date_again_replaces_the_rate(tenant, actor):
    admin = actor(Role.ADMIN)
    row = {"from_currency": "eur", "to_currency": "USD", "date": date(2026, 1, 1), "rate": "1.1"}
    with tenant_context(tenant):
        exchange_rate_set(tenant=tenant, actor=admin, data=row)
        rate = exchange_rate_set(tenant=tenant, actor=admin, data={**row, "rate": "1.15"})

    assert (rate.from_currency, rate.rate) == ("EUR", Decimal("1.15"))
    assert _count(tenant) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("from_currency", "EURO"), ("to_currency", "EUR"), ("rate", "0"), ("rate", "-2"), ("date", "31/01/2026")],
)
def test_a_bad_rate_is_refused_with_its_field_named_and_nothing_written(tenant, actor, field, value):
    row = {"from_currency": "EUR", "to_currency": "USD", "date": "2026-01-01", "rate": "1.1", field: value}
    with tenant_context(tenant), pytest.raises(ExchangeRateInvalidError) as caught:
        exchange_rate_set(tenant=tenant, actor=actor(Role.ADMIN), data=row)

    assert field in caught.value.extra["fields"]
    assert _count(tenant) == 0


def test_an_import_with_one_bad_row_writes_none_of_them(tenant, actor):
    rows = [
        {"from_currency": "EUR", "to_currency": "USD", "date": "2026-01-01", "rate": "1.1"},
        {"from_currency": "GBP", "to_currency": "USD", "date": "2026-01-01", "rate": "abc"},
    ]
    with tenant_context(tenant), pytest.raises(ExchangeRateInvalidError) as caught:
        exchange_rates_import(tenant=tenant, actor=actor(Role.ADMIN), rows=rows)

    assert list(caught.value.extra["rows"]) == [1]
    assert _count(tenant) == 0


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EXECUTIVE, Role.PARTNER])
def test_only_admins_enter_rates(tenant, actor, role):
    row = {"from_currency": "EUR", "to_currency": "USD", "date": "2026-01-01", "rate": "1.1"}
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        exchange_rate_set(tenant=tenant, actor=actor(role), data=row)


def test_the_api_imports_rates_and_lists_them(tenant, actor, api_client_for):
    client = api_client_for(actor(Role.ADMIN))
    url = f"/api/v1/t/{tenant.slug}/exchange-rates/"
    rows = [{"from_currency": "EUR", "to_currency": "USD", "date": f"2026-0{m}-01", "rate": "1.1"} for m in (1, 2, 3)]

    created = client.post(url, {"rates": rows}, format="json")
    listed = client.get(url + "?currency=EUR")

    assert created.status_code == 201
    assert created.json() == {"saved": 3}
    assert [r["date"] for r in listed.json()["results"]] == ["2026-03-01", "2026-02-01", "2026-01-01"]


def test_the_page_lists_rates_and_lets_an_admin_enter_one(tenant, actor, client_for):
    client = client_for(actor(Role.ADMIN))
    url = f"/t/{tenant.slug}/exchange-rates/"

    response = client.post(url, {"from_currency": "EUR", "to_currency": "USD", "date": "2026-01-01", "rate": "1.1"})
    page = client.get(url)

    assert response.status_code == 302
    assert "1 EUR → USD" in page.content.decode()
