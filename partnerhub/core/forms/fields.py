"""Form fields every app uses for the same kind of input, so that it is parsed one way everywhere."""

from __future__ import annotations

from django import forms

from partnerhub.core.domain.ids import ID_MAX  # a positive bigint: anything else is a field error, never a crash


class IdField(forms.IntegerField):
    """The id of an object in a form or query string: an integer from 1 to the largest bigint."""

    default_error_messages = {"invalid": "Enter the number of an existing item."}

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(**kwargs)  # type: ignore[arg-type]


class IdForm(forms.Form):
    """One optional id from a form or query string, e.g. ``?partner=<id>`` or a posted ``id``."""

    id = IdField(required=False)

    @classmethod
    def parse(cls, data: object, name: str = "id") -> int | None:
        """The id posted as ``name``: None when absent or empty; 0 (nobody's) when it is not an id."""
        raw = data.get(name, "") if hasattr(data, "get") else ""
        if raw in ("", None):
            return None
        form = cls({"id": raw})
        return form.cleaned_data["id"] if form.is_valid() else 0

    @classmethod
    def parse_all(cls, data: object, name: str) -> list[int]:
        """Every valid id posted under ``name`` (a multiple choice of checkboxes); anything else is left out."""
        values = data.getlist(name) if hasattr(data, "getlist") else []
        return [value for value in (cls.parse({"id": raw}) for raw in values) if value]
