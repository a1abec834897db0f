"""The shape of a navigation item, which every app (the core included) declares on its AppConfig."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    """One link of the top navigation: shown to whoever holds ``perm`` in the active program."""

    label: str
    url_name: str
    perm: str
    order: int  # position across every app's items (smaller first)
