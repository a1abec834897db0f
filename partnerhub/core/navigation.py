"""The shapes of what every app (the core included) declares on its AppConfig to appear on shared pages: navigation
items, and sections of the partner page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    """One link of the top navigation: shown to whoever holds ``perm`` in the active program."""

    label: str
    url_name: str
    perm: str
    order: int  # position across every app's items (smaller first)


@dataclass(frozen=True)
class PartnerSection:
    """A section of the partner page, shown to whoever holds ``perm``: ``template`` rendered with what ``context``
    returns.

    ``context`` is the dotted path of a function called as ``context(tenant=, actor=, partner=)`` that returns the
    template's context (a dict); it runs a bounded number of queries, whatever the partner's data. A path, not the
    function, because apps declare their sections on the AppConfig before any model can be imported.
    """

    key: str  # unique across apps; the section's HTML id
    template: str
    context: str
    perm: str
    order: int  # position on the page (smaller first)
