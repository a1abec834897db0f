"""Forms of the import pages: they check the upload; the import services validate the rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from scorecards.domain.import_options import (
    DEFAULTABLE,
    FRACTION,
    KEEP_BOTH,
    LINK,
    PARTNER_DEFAULTS,
    PERCENT_UNIT,
    SKIP,
    UNIT_LABELS,
    allowed_labels,
)
from scorecards.domain.import_values import ISO_CURRENCIES
from scorecards.models import ImportBatch
from scorecards.selectors.imports import import_fields


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportBatch.Kind.choices, label="What the file holds")
    source = forms.SlugField(
        max_length=60,
        initial="upload",
        label="Source",
        help_text="Where the file comes from (e.g. salesforce, hubspot): its mapping is saved "
        "under this name and suggested next time.",
    )
    file = forms.FileField(label="CSV or Excel file", help_text="CSV (UTF-8 or Windows encodings) or XLSX.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)
        if upload.size > limit:
            raise forms.ValidationError(f"The file is {upload.size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB.")
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload


class ImportMappingForm(forms.Form):
    """One select per field of the import kind (offering the file's own headers), then the options the preview
    found a use for: the unit of each percent column, the currency of amounts that name none, and a select per
    distinct value of each enumerated column (their value -> ours)."""

    def __init__(
        self,
        *args: Any,
        kind: str,
        headers: list[str],
        summary: dict[str, Any] | None = None,
        options: dict[str, Any] | None = None,
        program_currency: str = "USD",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        summary, options = summary or {}, options or {}
        self.kind = kind
        self.specs = {spec.name: spec for spec in import_fields(kind)}
        self.summary, self.saved_options, self.program_currency = summary, options, program_currency
        choices = [("", "— not in this file —"), *[(h, h) for h in headers]]
        for spec in self.specs.values():
            self.fields[spec.name] = forms.ChoiceField(
                choices=choices, required=spec.required, label=spec.label, help_text=spec.help
            )
        self.column_names = list(self.specs)
        self.unit_rows: list[tuple[forms.BoundField, dict[str, Any]]] = []
        order = list(self.specs)  # the batch's JSON keeps no key order: the kind's field order
        for name, unit in sorted((summary.get("units") or {}).items(), key=lambda item: order.index(item[0])):
            field_name = f"unit__{name}"
            self.fields[field_name] = forms.ChoiceField(
                choices=[
                    ("", f"As read from the values: {UNIT_LABELS[unit['detected']]}"),
                    (FRACTION, f"Fractions: {UNIT_LABELS[FRACTION]}"),
                    (PERCENT_UNIT, f"Percent: {UNIT_LABELS[PERCENT_UNIT]}"),
                ],
                required=False,
                initial=(options.get("units") or {}).get(name, ""),
                label=f"Unit of {self.specs[name].label.removesuffix(' %')}",
            )
            self.unit_rows.append((self[field_name], {**unit, "label": self.specs[name].label}))
        self.currency_field: forms.BoundField | None = None
        if "amount" in self.specs:
            self.fields["file_currency"] = forms.ChoiceField(
                choices=[(code, code) for code in sorted(ISO_CURRENCIES)],
                required=False,
                initial=options.get("currency") or program_currency,
                label="Currency of amounts that name none",
                help_text=f"The program's currency is {program_currency}. A currency column, a symbol or code in "
                "the cell, or a currency in the amount column's header (“Amount (EUR)”) comes first.",
            )
            self.currency_field = self["file_currency"]
        # Not "duplicates": a template reads form.duplicates as the field of that name.
        self.likely_duplicates = summary.get("duplicates") or None
        if self.likely_duplicates:
            self.fields["duplicates"] = forms.ChoiceField(
                choices=[
                    (LINK, "Link them: each row updates the deal it repeats, which keeps both ids"),
                    (SKIP, "Skip them: leave these rows out of this import"),
                    (KEEP_BOTH, "Import them as separate deals"),
                ],
                widget=forms.RadioSelect,
                required=False,
                initial=options.get("duplicates") or "",
                label="What to do with them",
            )
        self.unknown_partners = summary.get("unknown_partners") or None
        self.new_partner_fields: list[forms.BoundField] = []
        if self.unknown_partners is not None:
            chosen = options.get("new_partners") or {}
            self.fields["create_partners"] = forms.BooleanField(
                required=False,
                initial=bool(chosen),
                label=f"Create {'this partner' if self.unknown_partners['count'] == 1 else 'these partners'} "
                "when the file is committed",
            )
            for name, spec in PARTNER_DEFAULTS.items():
                self.fields[f"new_partner__{name}"] = forms.ChoiceField(
                    choices=[("", "— choose —"), *allowed_labels(spec)],
                    required=False,
                    initial=chosen.get(name, ""),
                    label=f"{spec.label} of the new partners",
                )
                self.new_partner_fields.append(self[f"new_partner__{name}"])
        self.default_fields: list[forms.BoundField] = []
        for name in DEFAULTABLE.get(kind, ()):
            spec = self.specs[name]
            self.fields[f"default__{name}"] = forms.ChoiceField(
                choices=[("", "— none: the file must give it —"), *allowed_labels(spec)],
                required=False,
                initial=(options.get("defaults") or {}).get(name, ""),
                label=f"{spec.label} of new partners the file gives none for",
            )
            self.default_fields.append(self[f"default__{name}"])
        self.value_groups: list[dict[str, Any]] = []
        for name, group in sorted((summary.get("values") or {}).items(), key=lambda item: order.index(item[0])):
            spec = self.specs[name]
            rows = []
            for index, reading in enumerate(group["values"]):
                field_name = f"value__{name}__{index}"
                self.fields[field_name] = forms.ChoiceField(
                    choices=[("", "— not mapped —"), *allowed_labels(spec)],
                    required=False,
                    initial=reading["ours"] or "",
                    label=f"{spec.label} for “{reading['value']}”",
                )
                rows.append((self[field_name], reading))
            self.value_groups.append({"name": name, "label": spec.label, **group, "rows": rows})

    @property
    def duplicates_field(self) -> forms.BoundField | None:
        return self["duplicates"] if "duplicates" in self.fields else None

    def column_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.column_names]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("create_partners"):
            for name, spec in PARTNER_DEFAULTS.items():
                if not data.get(f"new_partner__{name}"):
                    self.add_error(f"new_partner__{name}", f"Choose the {spec.label.lower()} of the new partners.")
        return data

    def mapping(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.column_names if self.cleaned_data.get(name)}

    def options(self) -> dict[str, Any]:
        """The options as posted, plus the batch's own decisions this form does not show."""
        data = self.cleaned_data
        options: dict[str, Any] = {
            key: value
            for key, value in self.saved_options.items()
            if key not in ("units", "currency", "values", "duplicates", "new_partners", "defaults")
        }
        if data.get("duplicates"):
            options["duplicates"] = data["duplicates"]
        options.pop("new_partners", None)
        if data.get("create_partners"):
            options["new_partners"] = {name: data.get(f"new_partner__{name}") or "" for name in PARTNER_DEFAULTS}
        defaults = {
            name: data[f"default__{name}"] for name in DEFAULTABLE.get(self.kind, ()) if data.get(f"default__{name}")
        }
        options.pop("defaults", None)
        if defaults:
            options["defaults"] = defaults
        units = {name: data[f"unit__{name}"] for name in (self.summary.get("units") or {}) if data.get(f"unit__{name}")}
        if units:
            options["units"] = units
        if data.get("file_currency") and data["file_currency"] != self.program_currency:
            options["currency"] = data["file_currency"]
        values: dict[str, dict[str, str]] = {
            name: dict(pairs) for name, pairs in (self.saved_options.get("values") or {}).items()
        }
        for group in self.value_groups:
            chosen = values.setdefault(group["name"], {})
            for index, reading in enumerate(group["values"]):
                ours = data.get(f"value__{group['name']}__{index}") or ""
                if ours and (reading["how"] != "known" or ours != reading["ours"]):
                    chosen[reading["value"]] = ours
                elif not ours:
                    chosen.pop(reading["value"], None)
        values = {name: pairs for name, pairs in values.items() if pairs}
        if values:
            options["values"] = values
        return options
