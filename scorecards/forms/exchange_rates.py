"""The exchange-rate form: one pair, a date from which the rate applies, and the rate."""

from __future__ import annotations

from django import forms


class ExchangeRateForm(forms.Form):
    from_currency = forms.CharField(label="From", max_length=3, help_text="e.g. EUR")
    to_currency = forms.CharField(label="To", max_length=3, help_text="e.g. USD")
    date = forms.DateField(label="Applies from", widget=forms.DateInput(attrs={"type": "date"}))
    rate = forms.DecimalField(label="Rate", min_value=0, max_digits=18, decimal_places=8, help_text="To per 1 from")
    source = forms.CharField(label="Source", max_length=60, required=False)
