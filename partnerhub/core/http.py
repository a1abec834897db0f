"""The request a tenant view receives: the middleware has resolved its tenant and the member's membership."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse

from partnerhub.core.domain.spreadsheets import Format, table_file

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from partnerhub.core.models import Membership, Tenant, User


class TenantRequest(HttpRequest):
    tenant: Tenant
    membership: Membership
    htmx: HtmxDetails
    user: User


def table_download(
    filename: str, columns: Sequence[str], rows: Iterable[Sequence[object]], fmt: Format, *, sheet: str = "Sheet1"
) -> HttpResponse:
    """A CSV or XLSX attachment named ``filename.<fmt>``, written by the one formula-safe writer."""
    content, content_type = table_file(columns, rows, fmt, sheet=sheet)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
