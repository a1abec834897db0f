"""Numbers written one way everywhere: grouped thousands from the locale, no trailing zeros, money with its code and
cents only when it has some, units beside figures, and a dash for nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from partnerhub.core.domain.numbers import format_money, format_number, format_with_unit


@pytest.mark.parametrize(
    ("value", "money", "number"),
    [
        (12500, "12,500 USD", "12,500"),
        (Decimal("12500.00"), "12,500 USD", "12,500"),
        ("12500.5", "12,500.50 USD", "12,500.5"),
        (Decimal("56816.1800"), "56,816.18 USD", "56,816.18"),
        (Decimal("0.004"), "0 USD", "0"),
        (-1234.567, "-1,234.57 USD", "-1,234.57"),
        (None, "—", "—"),
        ("", "—", "—"),
    ],
)
def test_money_and_numbers_as_a_person_writes_them(value, money, number):
    assert format_money(value, "USD") == money
    assert format_number(value) == number


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (42.5, "percent", "42.5 %"),
        (31, "days", "31 days"),
        (61.25, "points", "61.25 points"),
        (1.5, "hours", "1.5 h"),
        (120000, "currency", "120,000 EUR"),
        (7, "count", "7"),
        (None, "percent", "—"),
        ("n/a", "percent", "n/a"),
    ],
)
def test_figures_carry_their_unit(value, unit, text):
    assert format_with_unit(value, unit, currency="EUR") == text


def test_the_template_filters_and_the_date_format_are_the_products():
    from datetime import UTC, date, datetime

    text = Template(
        '{% load numbers %}{{ a|money:"EUR" }} · {{ t|number }} · {{ d|date }} · {{ m|date:"DATETIME_FORMAT" }}'
    ).render(
        Context(
            {
                "a": "4000.00",
                "t": Decimal("56816.1800"),
                "d": date(2026, 12, 3),
                "m": datetime(2026, 12, 3, 9, 5, tzinfo=UTC),
            }
        )
    )
    assert text == "4,000 EUR · 56,816.18 · 3 Dec 2026 · 3 Dec 2026, 09:05"
