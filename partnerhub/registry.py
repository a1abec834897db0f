"""What each app brings to the site, collected in one place: its tenant pages, API routes and navigation items.

An app declares them on its ``AppConfig`` (``tenant_urls``, ``tenant_api_urls``, ``nav_items``); the wiring reads
them here, so the core never names a feature app and a new app plugs in by declaring its own.
Beat entries are declared the same way (``beat_schedule``) and merged by the settings.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps

from partnerhub.core.navigation import NavItem


def _declared(attribute: str) -> list[Any]:
    configs: list[AppConfig] = list(apps.get_app_configs())
    return [getattr(config, attribute) for config in configs if getattr(config, attribute, None)]


def tenant_urlconfs() -> list[str]:
    """The URL modules mounted under /t/<program>/, in INSTALLED_APPS order."""
    return _declared("tenant_urls")


def tenant_api_urlconfs() -> list[str]:
    """The URL modules mounted under /api/v1/t/<program>/, in INSTALLED_APPS order."""
    return _declared("tenant_api_urls")


def nav_items() -> list[NavItem]:
    """Every app's navigation items, in their declared order."""
    items = [item for declared in _declared("nav_items") for item in declared]
    return sorted(items, key=lambda item: item.order)


def beat_schedule(*configs: type[AppConfig]) -> dict[str, Any]:
    """The Celery beat entries the given apps declare (read by the settings, before the app registry exists)."""
    schedule: dict[str, Any] = {}
    for config in configs:
        schedule.update(getattr(config, "beat_schedule", {}))
    return schedule
