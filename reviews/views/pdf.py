"""The pre-read as a PDF (WeasyPrint). Nothing is fetched while rendering: the print stylesheet is read from our own
static files and passed inline, and the URL fetcher refuses every URL (no network, no file system)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.text import slugify
from weasyprint import CSS, HTML, URLFetcher

from partnerhub.core.models import Tenant
from reviews.models import Review

PRINT_STYLESHEET = "reviews/preread-print.css"


class NoFetchURLFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type information: its classes are Any
    """Refuse every resource a document names (images, fonts, stylesheets): the PDF is built from inline CSS only."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise ValueError(f"the pre-read PDF fetches nothing ({url[:80]} refused)")


@lru_cache(maxsize=1)
def _print_css() -> str:
    path = finders.find(PRINT_STYLESHEET)
    if not path:
        return ""
    return Path(str(path)).read_text(encoding="utf-8")


def preread_pdf_filename(*, tenant: Tenant, review: Review) -> str:
    """The download name, carrying the tenant: ``<tenant>-preread-<partner>-<date>.pdf``."""
    return f"{tenant.slug}-preread-{slugify(review.partner.name)[:60]}-{review.scheduled_for:%Y-%m-%d}.pdf"


def render_preread_pdf(*, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    """Render ``reviews/preread_pdf.html`` with ``context`` to PDF bytes. With the ``request`` (a download), the
    panels other apps add to the pre-read (the open improvement plan) are in the PDF as on the page."""
    html = render_to_string("reviews/preread_pdf.html", context, request=request)
    fetcher = NoFetchURLFetcher()
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    stylesheet = CSS(string=_print_css(), url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[stylesheet])
    return bytes(pdf or b"")
