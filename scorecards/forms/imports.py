"""Forms of the import pages: they check the upload; the import services validate the rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

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
    """One select per field of the import kind, offering the file's own headers."""

    def __init__(self, *args: Any, kind: str, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "— not in this file —"), *[(h, h) for h in headers]]
        for spec in import_fields(kind):
            self.fields[spec.name] = forms.ChoiceField(
                choices=choices,
                required=spec.required,
                label=spec.label + (" *" if spec.required else ""),
                help_text=spec.help,
            )

    def mapping(self) -> dict[str, str]:
        return {field: header for field, header in self.cleaned_data.items() if header}
