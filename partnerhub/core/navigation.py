"""The shape of what every app (the core included) declares on its AppConfig to appear in the shared navigation.

(Sections an app adds to another app's page are page panels: ``page_panels`` on the AppConfig, a slot -> dotted
path, collected by ``partnerhub/registry.py`` and rendered by the core's ``{% page_panels %}`` tag.)"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    """One link of the top navigation: shown to whoever holds ``perm`` in the active program."""

    label: str
    url_name: str
    perm: str
    order: int  # position across every app's items (smaller first)

