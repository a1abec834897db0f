"""Small helpers shared by the core app's tests."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.urls import reverse

PARTNER_ROW = re.compile(r'data-partner-id="(\d+)"')
FILTER_FIELDS = (
    "q",
    "partner_type",
    "tier",
    "stage",
    "region",
    "market",
    "product_line",
    "owner",
    "executive_sponsor",
    "data_steward",
)


def partner_ids_in(response: Any) -> set[int]:
    """The partner ids of the rows in a rendered partner table."""
    return {int(pk) for pk in PARTNER_ROW.findall(response.content.decode())}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tenant_url(name: str, tenant: Any, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


def member_with_role(tenant: Any, role: str, **kwargs: Any) -> Any:
    """A member of ``tenant`` with ``role``; a partner user gets a partner company of their own."""
    from tests.factories import PartnerFactory, member

    company = (
        PartnerFactory(tenant=tenant, name=f"Company of a {role} {PartnerFactory._meta.next_sequence()}")
        if role == "partner"
        else None
    )
    return member(tenant, role, partner=company, **kwargs)
