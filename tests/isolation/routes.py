"""Every route, read off the URL resolver, so that the isolation matrix covers a new route without anyone asking."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
TENANT_PREFIXES = ("t/<slug:tenant_slug>/", "api/v1/t/<slug:tenant_slug>/")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# URL parameters that name no object (so there is no "foreign" value to try): the tenant, an import kind, a month.
NON_OBJECT_PARAMS = {"tenant_slug": None, "kind": "deals", "month": "2026-11"}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    callback: Any

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(PARAM.findall(self.pattern))

    @property
    def object_params(self) -> tuple[str, ...]:
        return tuple(p for p in self.params if p not in NON_OBJECT_PARAMS)

    @property
    def is_tenant_route(self) -> bool:
        return self.pattern.startswith(TENANT_PREFIXES)

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def view_class(self) -> Any:
        return getattr(self.callback, "view_class", getattr(self.callback, "cls", None))

    def perm_for(self, method: str) -> str | None:
        """The permission a method needs, or None when the route does not accept that method."""
        cls = self.view_class
        if cls is not None and hasattr(cls, "perms"):
            return cls.perms.get(method)
        if method not in getattr(self.callback, "tenant_methods", ("GET",)):
            return None
        return getattr(self.callback, "tenant_perm", None)

    @property
    def is_tenant_public(self) -> bool:
        return bool(getattr(self.callback, "tenant_public", False))


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield Route(name=entry.name or "", pattern=prefix + str(entry.pattern), callback=entry.callback)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def tenant_routes() -> list[Route]:
    return [r for r in all_routes() if r.is_tenant_route]
