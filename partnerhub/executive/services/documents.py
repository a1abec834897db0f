"""Executive documents as PDF (WeasyPrint): the dashboard summary, and the memo (rendered once, when published).

Nothing is fetched while rendering: the print stylesheet is read from our own static files and passed inline, and the
URL fetcher refuses every URL (no network, no file system)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML, URLFetcher

PRINT_STYLESHEET = "executive/print.css"


class NoFetchURLFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type information: its classes are Any
    """Refuse every resource a document names: the PDF is built from inline CSS only."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise ValueError(f"executive PDFs fetch nothing ({url[:80]} refused)")


@lru_cache(maxsize=1)
def _print_css() -> str:
    path = finders.find(PRINT_STYLESHEET)
    return Path(str(path)).read_text(encoding="utf-8") if path else ""


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render ``template`` with ``context`` to PDF bytes, styled by the executive print stylesheet."""
    html = render_to_string(template, context)
    fetcher = NoFetchURLFetcher()
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[CSS(string=_print_css(), url_fetcher=fetcher)])
    return bytes(pdf or b"")
