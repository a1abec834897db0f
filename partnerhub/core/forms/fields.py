"""Form fields every app uses for the same kind of input, so that it is parsed one way everywhere."""

from __future__ import annotations

from django import forms

# A database id is a positive bigint: anything else (①, ², 10**30, -1, "") is a field error, never a crash.
ID_MAX = 2**63 - 1


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
