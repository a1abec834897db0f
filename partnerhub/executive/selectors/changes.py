"""Reads of change notices: the program's list, one notice, the notices a partner user's company is affected by,
and whether a scorecard template version may be published (it has a published notice)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Membership, Tenant
from partnerhub.executive.models import ChangeNotice


def change_notice_list(*, tenant: Tenant) -> QuerySet[ChangeNotice]:
    return (
        ChangeNotice.objects.for_tenant(tenant)
        .select_related("sponsor__user", "template_version__template")
        .order_by("-created_at", "-pk")
    )


def change_notice_get(*, tenant: Tenant, notice_id: int) -> ChangeNotice:
    """The notice, or NotFoundError (missing, or another program's)."""
    notice = change_notice_list(tenant=tenant).filter(pk=notice_id).first()
    if notice is None:
        raise NotFoundError("Change notice not found.")
    return notice


def change_notices_for_partner(*, tenant: Tenant, member: Membership) -> QuerySet[ChangeNotice]:
    """The published notices that affect the member's own company (a partner user), latest first."""
    if member.partner_id is None:
        return ChangeNotice.objects.for_tenant(tenant).none()
    return (
        ChangeNotice.objects.for_tenant(tenant)
        .filter(status=ChangeNotice.Status.PUBLISHED, affected_partner_ids__contains=[member.partner_id])
        .order_by("-published_at", "-pk")
    )


def change_notice_for_partner(*, tenant: Tenant, member: Membership, notice_id: int) -> ChangeNotice:
    notice = change_notices_for_partner(tenant=tenant, member=member).filter(pk=notice_id).first()
    if notice is None:
        raise NotFoundError("Notice not found.")
    return notice


def own_impact(notice: ChangeNotice, partner_id: int | None) -> dict[str, Any] | None:
    """The notice's impact on one partner (its score now and under the change), and nothing about any other."""
    if partner_id is None:
        return None
    row = (notice.impact.get("partners") or {}).get(str(partner_id))
    if not row:
        return None
    old_score, new_score, old_rag, new_rag = row
    return {"old_score": old_score, "new_score": new_score, "old_rag": old_rag, "new_rag": new_rag}


def template_version_publish_allowed(*, tenant: Tenant, version_id: int) -> bool:
    """Whether a template version has a published change notice (the check a publication of a version makes once
    the integration wires it into the scorecards app's publish: see docs/executive.md)."""
    return (
        ChangeNotice.objects.for_tenant(tenant)
        .filter(template_version_id=version_id, status=ChangeNotice.Status.PUBLISHED)
        .exists()
    )
