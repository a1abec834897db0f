"""Serializer fields every API endpoint uses for the same kind of input, so that it is parsed one way everywhere."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from partnerhub.core.domain.ids import ID_MAX


class IdField(serializers.IntegerField):
    """The id of an object: an integer from 1 to the largest bigint (a larger one is a 400, not a database error)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)
