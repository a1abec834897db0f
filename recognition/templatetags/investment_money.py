"""Money on investment pages: an amount always beside its currency code ("12,500 EUR"), written as everywhere else
(partnerhub.core.domain.numbers)."""

from __future__ import annotations

from django import template

from partnerhub.core.domain.numbers import format_money

register = template.Library()


# ``12,500 EUR``: the product's one money writer, under the name these pages load.
register.filter("money", format_money)


@register.filter
def signed(value: object, digits: int = 1) -> str:
    """``+2.4`` / ``\u22121.3`` (a real minus sign, U+2212); empty: a dash."""
    if value is None or value == "":
        return "—"
    number = float(str(value))
    text = f"{abs(number):,.{int(digits)}f}"
    return ("+" if number >= 0 else "\u2212") + text


@register.filter
def status_label(value: str) -> str:
    """A request's or claim's stored status as people read it ("info_requested" -> "More information asked")."""
    from recognition.models import Claim, FundRequest

    labels = {**dict(Claim.Status.choices), **dict(FundRequest.Status.choices)}
    return str(labels.get(value, value.replace("_", " ").capitalize()))
