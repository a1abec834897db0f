"""What each app brings to the site, collected in one place: its tenant pages, API routes, navigation items and
the page panels it adds to other apps' pages.

An app declares them on its ``AppConfig`` (``tenant_urls``, ``tenant_api_urls``, ``nav_items``, ``page_panels``);
the wiring reads them here, so the core never names a feature app and a new app plugs in by declaring its own. A
page of a lower app (the partner page, the review page...) receives the panels through the wiring's context
processor and renders those of each slot with the core's ``{% page_panels %}`` tag.
Beat entries are declared the same way (``beat_schedule``); the settings collect them from every installed app of
this project with ``beat_schedule_of`` (the app registry does not exist yet when settings load).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

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


def page_panels() -> dict[str, list[Callable[..., Any]]]:
    """Every app's page panels by slot, in INSTALLED_APPS order (and, within an app, in the order it lists them).

    ``page_panels`` on an AppConfig maps a slot to the dotted path of a callable, or to a tuple of paths when the app
    adds several panels to one slot: ``{"partner_records": ("app.views.panels.a", "app.views.panels.b")}``. A page
    of a lower app renders the panels of each slot it offers (``{% page_panels "<slot>" ... %}``) without knowing
    which app declared them: that is how a higher app adds a section to a lower app's page. A page that needs its
    sections in an order other than the apps' offers one slot per region instead (the partner page: a summary, the
    work under way, the records), so no panel carries a number to sort on.
    """
    return _page_panels()


@functools.cache
def _page_panels() -> dict[str, list[Callable[..., Any]]]:
    slots: dict[str, list[Callable[..., Any]]] = {}
    for declared in _declared("page_panels"):
        for slot, paths in declared.items():
            for path in (paths,) if isinstance(paths, str) else paths:
                slots.setdefault(slot, []).append(import_string(path))
    return slots


def beat_schedule_of(installed_apps: Iterable[str], base_dir: Path) -> dict[str, Any]:
    """The Celery beat entries every installed app of this project (a package under ``base_dir``) declares on its
    AppConfig; two apps naming the same entry is a configuration error, never a silent overwrite."""
    schedule: dict[str, Any] = {}
    for entry in installed_apps:
        if not (base_dir / entry.split(".")[0]).is_dir():
            continue  # a third-party app
        module = importlib.import_module(f"{entry}.apps")
        for config in vars(module).values():
            if not (
                isinstance(config, type) and issubclass(config, AppConfig) and config.__module__ == module.__name__
            ):
                continue
            for name, task in getattr(config, "beat_schedule", {}).items():
                if name in schedule:
                    raise ImproperlyConfigured(f"two apps declare the beat entry {name!r}")
                schedule[name] = task
    return schedule
