"""``{{ value|percent }}``: a percentage as a person writes it ("12.5 %", "60 %"), never "12.50 %" or a rounded one."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value: object) -> str:
    """``value`` (0 to 100) with its unit and no trailing zeros; "—" when there is none."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = max(0, -number.normalize().as_tuple().exponent)  # type: ignore[operator]
    return f"{number_format(number, decimal_pos=places, use_l10n=True)} %"
