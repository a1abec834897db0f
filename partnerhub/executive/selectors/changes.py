"""Reads of change notices: the program's list, one notice, the notices a partner user's company is affected by,
and the publication guard (``change_notice_gate``, registered in the app's ``ready``): a template version, a tier
framework version or a cadence change after the first may be published only once its change notice is."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Membership, Tenant
from partnerhub.core.publication import Publication, PublicationVerdict
from partnerhub.executive.models import ChangeNotice


def change_notice_list(*, tenant: Tenant) -> QuerySet[ChangeNotice]:
    return (
        ChangeNotice.objects.for_tenant(tenant)
        .select_related("sponsor__user", "template_version__template", "framework_version", "cadence")
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
    """The notice's impact on one partner, and nothing about any other: for a template version its score now and
    under the change; for a tier framework version its tier recommendation now and under the change; for a cadence
    that its reviews follow the cadence."""
    if partner_id is None:
        return None
    row = (notice.impact.get("partners") or {}).get(str(partner_id))
    if row is None:
        return None
    if notice.kind == ChangeNotice.Kind.CADENCE:  # the partner is reviewed under it: nothing more to say per partner
        return {"cadence": notice.impact.get("cadence", "")}
    if not row:
        return None
    if notice.kind == ChangeNotice.Kind.TIER_FRAMEWORK:
        tier, now, draft, target = row
        return {"tier": tier, "now": now, "draft": draft, "target": target}
    old_score, new_score, old_rag, new_rag = row
    return {"old_score": old_score, "new_score": new_score, "old_rag": old_rag, "new_rag": new_rag}


def change_notices_for_publication(
    *, tenant: Tenant, kind: str, subject_id: int, revision: int
) -> QuerySet[ChangeNotice]:
    """The notices announcing one publication (a template version, a framework version, a cadence's revision),
    published ones first."""
    qs = ChangeNotice.objects.for_tenant(tenant).filter(kind=kind)
    if kind == ChangeNotice.Kind.TEMPLATE:
        qs = qs.filter(template_version_id=subject_id)
    elif kind == ChangeNotice.Kind.TIER_FRAMEWORK:
        qs = qs.filter(framework_version_id=subject_id)
    else:
        qs = qs.filter(cadence_id=subject_id, cadence_revision=revision)
    return qs.order_by("-status", "-published_at", "-pk")  # "published" sorts after "draft": descending puts it first


def change_notice_gate(publication: Publication) -> PublicationVerdict | None:
    """The publication guard: the first publication of its kind (nothing to change from) needs no notice; every
    later one needs a published change notice linked to it. Fails closed: a program with no notices at all (none of
    this app's data yet) is refused like any other."""
    if publication.kind.value not in ChangeNotice.Kind.values:  # a kind this app does not announce
        return None
    tenant, label = publication.tenant, publication.label
    if publication.first:
        return PublicationVerdict(allowed=True, message=f"No change notice needed: {label} is the first.")
    notices = list(
        change_notices_for_publication(
            tenant=tenant, kind=publication.kind.value, subject_id=publication.subject_id, revision=publication.revision
        )[:5]
    )
    published = next((n for n in notices if n.status == ChangeNotice.Status.PUBLISHED), None)
    if published is not None:
        return PublicationVerdict(
            allowed=True,
            message=f"Change notice “{published.title}” published"
            + (f" on {published.published_at:%d %b %Y}." if published.published_at else "."),
            url=reverse("change_detail", kwargs={"tenant_slug": tenant.slug, "notice_id": published.pk}),
            link_label="Read the notice",
        )
    if notices:
        draft = notices[0]
        return PublicationVerdict(
            allowed=False,
            message=f"Publish a change notice for {label} first: “{draft.title}” is still a draft.",
            url=reverse("change_detail", kwargs={"tenant_slug": tenant.slug, "notice_id": draft.pk}),
            link_label="Finish the notice",
        )
    query = urlencode({"kind": publication.kind.value, "subject": publication.subject_id})
    return PublicationVerdict(
        allowed=False,
        message=f"Publish a change notice for {label} first.",
        url=reverse("change_list", kwargs={"tenant_slug": tenant.slug}) + f"?{query}#new-notice",
        link_label="Draft a change notice",
    )
