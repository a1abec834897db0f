"""The shapes of what every app (the core included) declares on its AppConfig to appear on shared pages: items of
the navigation, and columns of the core's list pages.

(Sections an app adds to another app's page are page panels: ``page_panels`` on the AppConfig, a slot -> dotted
path, collected by ``partnerhub/registry.py`` and rendered by the core's ``{% page_panels %}`` tag.)"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.apps import apps
from django.db.models import OrderBy


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
class ListColumns:
    """Columns a higher app adds to one of the core's list pages, beside the page's own: declared on its AppConfig as
    ``list_columns = {"<page>": ListColumns(...)}`` (the partner list is ``"partner_list"``).

    The page's view reads them itself (``declared_list_columns``), not through the wiring's context processor as page
    panels are, because it needs them before it sorts and pages the rows, earlier than any template runs.

    ``annotate`` is the dotted path of a function ``(queryset, *, tenant) -> queryset`` that puts the columns' values
    on each row in the same query (a join or a correlated subquery, never a query per row). ``sorts`` maps each sort
    key the header offers to the ``order_by`` it means. ``head`` and ``cells`` are templates: the header cells (given
    ``sort`` and ``sortless_query``) and one row's cells (given ``row``). Shown to whoever holds ``perm``. A path and
    names, not functions, because apps declare them before any model can be imported.
    """

    annotate: str
    sorts: Mapping[str, tuple[str | OrderBy, ...]]
    head: str
    cells: str
    perm: str


def declared_list_columns(page: str) -> list[ListColumns]:
    """Every installed app's columns for one list page, in INSTALLED_APPS order (the core names no app)."""
    found = []
    for config in apps.get_app_configs():
        declared: Mapping[str, ListColumns] = getattr(config, "list_columns", None) or {}
        if page in declared:
            found.append(declared[page])
    return found
