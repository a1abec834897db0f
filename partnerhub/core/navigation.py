"""The shapes of what every app (the core included) declares on its AppConfig to appear on shared pages: navigation
items, and sections of the partner page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    """One link of the top navigation: shown to whoever holds ``perm`` in the active program.

    ``pages`` says which other pages belong to the item's section, so the navigation marks it as the one you are in:
    URL names, or name prefixes ending in ``*`` (``"version_*"``). The most specific declaration wins (an exact name
    over a prefix, a longer prefix over a shorter one); a page no item declares falls back to the item whose address
    is the longest prefix of its own.

    ``working`` marks a page for running the program (imports, data quality, templates, cadences...): it is left out
    of the navigation of a read-only member (an executive, who can do none of its work); its address still opens.
    """

    label: str
    url_name: str
    perm: str
    order: int  # position across every app's items (smaller first)
    pages: tuple[str, ...] = ()
    working: bool = False

    def claims(self, url_name: str) -> int:
        """How specifically this item claims the page named ``url_name``: 0 not at all, more is more specific."""
        if url_name == self.url_name or url_name in self.pages:
            return 1_000
        prefixes = [p[:-1] for p in self.pages if p.endswith("*") and url_name.startswith(p[:-1])]
        return max((len(p) for p in prefixes), default=0)


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
